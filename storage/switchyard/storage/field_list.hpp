#pragma once

#include <concepts>
#include <type_traits>

/// A stored value's layout is written down once, as a field list: a
/// function template that names each field in the order of its bytes,
///
///     template <class F, visited<ledger_entry> T>
///     void fields(F& f, T& e) {
///       f.zigzag(e.spent_nanos);
///     }
///
/// and that field_writer visits to encode (`T` const) and field_reader to
/// decode (`T` mutable). Both visitors offer the same calls:
///
/// | call                          | bytes                                   |
/// |-------------------------------|-----------------------------------------|
/// | `u8(x)`, `boolean(x)`         | one byte                                |
/// | `varint(x)`                   | LEB128; read back into x's width        |
/// | `zigzag(x)`                   | a signed LEB128                         |
/// | `f64(x)`                      | an IEEE double, 8 bytes little-endian   |
/// | `big_endian64(x)`             | 8 bytes, most significant first         |
/// | `string(x)`, `bytes(x)`       | a varint length, then the bytes         |
/// | `enumeration(x, count)`       | one byte; `count` or above is corrupt   |
/// | `optional(x, each)`           | a presence byte, then `each(*x)`        |
/// | `list(xs, min_bytes, each)`   | a count, then `each(x)` per element     |
/// | `count(n, min_bytes)`         | a count alone                           |
///
/// `expect(valid)` fails the reader when a value read breaks an invariant;
/// `appended(present)` guards a section added after a version shipped
/// (the writer writes it when `present`, the reader reads it when bytes are
/// left). Where a stored shape differs from the record (a packed flag
/// byte, a digest), the list says so in `if constexpr (F::reads)`.
/// `min_bytes` is the least an element takes: it bounds a damaged count by
/// what is left to read.
namespace switchyard::storage {

/// `T` is `Record` as a field list sees it: const for the writer, mutable
/// for the reader.
template <class T, class Record>
concept visited = std::same_as<std::remove_const_t<T>, Record>;

} // namespace switchyard::storage
