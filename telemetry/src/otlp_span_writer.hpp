#pragma once

// One span's OTLP/JSON written through a raw pointer, for the exporter's
// per-thread buffer (append_otlp_json_span is the same into a string), and
// a span's text written as it is described, with no `span` object in
// between (the upstream attempts' spans). Internal to the telemetry
// component.

#include "switchyard/telemetry/attribute_key.hpp"
#include "switchyard/telemetry/server_span.hpp"
#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/span_id.hpp"
#include "switchyard/telemetry/span_kind.hpp"
#include "switchyard/telemetry/trace_context.hpp"
#include "switchyard/telemetry/upstream_span.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::telemetry::detail {

/// The most bytes `write_otlp_span` writes for `s`.
[[nodiscard]] std::size_t otlp_span_bound(const span& s) noexcept;

/// Writes `s` at `out`, which has room for `otlp_span_bound(s)` bytes;
/// returns the end of what it wrote.
char* write_otlp_span(char* out, const span& s);

/// Bytes that grow as they are written and keep their memory from one use
/// to the next; not zero-filled (a string would be, before each write).
class text_buffer {
public:
  /// Room for `n` more bytes at the end; write there, then `grow_to`.
  char* room(std::size_t n);

  /// The text now ends at `end` (inside the last `room`).
  void grow_to(char* end) noexcept {
    size_ = static_cast<std::size_t>(end - bytes_.get());
  }

  void clear() noexcept {
    size_ = 0;
  }

  [[nodiscard]] std::string_view text() const noexcept {
    return {bytes_.get(), size_};
  }

  /// Gives the memory back, and the text with it, when more than `keep`
  /// bytes are held (after a span with captured content).
  void trim(std::size_t keep) noexcept;

private:
  std::unique_ptr<char[]> bytes_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

/// One span's OTLP/JSON, byte for byte what `write_otlp_span` writes for
/// the same span built with `span::add` in the same order, written as the
/// attributes are given. Each key once: nothing is looked up.
class span_text {
public:
  /// Starts the span in `buf` (cleared): its ids, `tracestate`, name,
  /// kind and times.
  span_text(text_buffer& buf, const trace_context& ctx,
            const span_id& parent, std::string_view name, span_kind kind,
            std::uint64_t start_unix_nanos, std::uint64_t end_unix_nanos);

  void add(const attribute_key& key, std::string_view value);

  void add(const attribute_key& key, const char* value) {
    add(key, std::string_view{value});
  }

  void add(const attribute_key& key, const std::string& value) {
    add(key, std::string_view{value});
  }

  void add(const attribute_key& key, bool value);

  void add(const attribute_key& key, double value);

  void add(const attribute_key& key, const std::vector<std::string>& value);

  /// Any integer but bool, as `span::add` stores it: an `intValue`, or
  /// its decimal text past INT64_MAX.
  template <std::integral Int>
    requires(!std::same_as<Int, bool>)
  void add(const attribute_key& key, Int value) {
    if constexpr (std::is_unsigned_v<Int>
                  && sizeof(Int) >= sizeof(std::int64_t)) {
      if (value > static_cast<Int>(std::numeric_limits<std::int64_t>::max()))
        return add(key, std::string_view{std::to_string(value)});
    }
    add_int(key, static_cast<std::int64_t>(value));
  }

  /// The span failed with `message` (its status, written at the end).
  void fail(std::string_view message);

  /// Closes the span; its text is `buf`'s.
  std::string_view finish();

private:
  void add_int(const attribute_key& key, std::int64_t value);

  /// Room for the next attribute, its value taking at most `value_bound`
  /// bytes; writes the separator and the key.
  char* begin_attribute(const attribute_key& key, std::size_t value_bound);

  text_buffer& buf_;
  bool any_attribute_ = false;
  bool failed_ = false;
  std::string status_message_;
};

/// The client span of upstream attempt `a` (make_upstream_span's, byte for
/// byte) written into `buf`; the text is `buf`'s.
std::string_view write_upstream_span(text_buffer& buf,
                                     const upstream_attempt& a);

/// The server span of request `r` (make_server_span's, byte for byte)
/// written into `buf`; the text is `buf`'s.
std::string_view write_server_span(text_buffer& buf, const server_request& r);

} // namespace switchyard::telemetry::detail
