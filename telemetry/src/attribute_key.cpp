#include "switchyard/telemetry/attribute_key.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>

namespace switchyard::telemetry {

namespace {

/// One distinct key, made once and never freed: spans in any thread point
/// at its text for as long as the process runs.
struct interned_text {
  const char* text = nullptr;
  std::uint32_t size = 0;
  bool json_safe = false;
};

bool is_json_safe(std::string_view s) noexcept {
  for (auto c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\')
      return false;
  }
  return true;
}

/// A hash of the first, middle and last eight bytes and the length: a few
/// instructions for any key (a byte-by-byte hash cost as much as the rest
/// of making the key). Keys that share those bytes only probe one more
/// slot: a lookup always compares the whole text.
std::uint64_t hash_of(std::string_view s) noexcept {
  auto load = [&](std::size_t at) {
    std::uint64_t v = 0;
    std::memcpy(&v, s.data() + at, 8);
    return v;
  };
  std::uint64_t h = s.size();
  if (s.size() >= 8) {
    h ^= load(0) * 0x9e3779b97f4a7c15ULL;
    h ^= load(s.size() / 2 - 4) * 0xc2b2ae3d27d4eb4fULL;
    h ^= load(s.size() - 8) * 0x165667b19e3779f9ULL;
  } else {
    std::uint64_t v = 0;
    std::memcpy(&v, s.data(), s.size());
    h ^= v * 0x9e3779b97f4a7c15ULL;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 32);
}

/// The process's keys: open addressing over twice as many slots as keys,
/// filled with compare-and-swap and never emptied, so that a lookup takes
/// no lock. The entries and their texts sit side by side in arrays of
/// their own rather than in separate allocations: the keys a process uses
/// take a few cache lines, which spans read on every set and encoding.
class key_table {
public:
  static constexpr std::size_t slots = 2 * attribute_key::max_interned;
  /// Room for the texts of `max_interned` keys of 64 bytes.
  static constexpr std::size_t text_room = 64 * attribute_key::max_interned;

  /// The entry for `s`, added if new; null when the table is full.
  const interned_text* find_or_add(std::string_view s) {
    auto i = static_cast<std::size_t>(hash_of(s)) & (slots - 1);
    for (std::size_t probes = 0; probes < slots; ++probes) {
      auto* e = slots_[i].load(std::memory_order_acquire);
      if (e == nullptr) {
        auto* made = make(s);
        if (made == nullptr)
          return nullptr;
        const interned_text* expected = nullptr;
        if (slots_[i].compare_exchange_strong(expected, made,
                                              std::memory_order_acq_rel))
          return made;
        // Another thread filled the slot first (its entry and text room
        // are left unused): compare with its key.
        e = expected;
      }
      if (std::string_view{e->text, e->size} == s)
        return e;
      i = (i + 1) & (slots - 1);
    }
    return nullptr;
  }

private:
  /// A new entry for `s`, not yet in a slot; null when out of room.
  interned_text* make(std::string_view s) {
    auto n = count_.fetch_add(1, std::memory_order_relaxed);
    if (n >= attribute_key::max_interned)
      return nullptr;
    auto at = text_used_.fetch_add(s.size(), std::memory_order_relaxed);
    if (at + s.size() > text_room)
      return nullptr;
    std::memcpy(texts_.data() + at, s.data(), s.size());
    auto& e = entries_[n];
    e.text = texts_.data() + at;
    e.size = static_cast<std::uint32_t>(s.size());
    e.json_safe = is_json_safe(s);
    return &e;
  }

  std::array<std::atomic<const interned_text*>, slots> slots_{};
  std::array<interned_text, attribute_key::max_interned> entries_{};
  std::array<char, text_room> texts_{};
  std::atomic<std::size_t> count_{0};
  std::atomic<std::size_t> text_used_{0};
};

key_table& keys() {
  // Never destroyed: spans may still be encoded while statics are torn
  // down at exit.
  static auto* table = new key_table;
  return *table;
}

/// The entry for `s`: first from this thread's last lookups by the text's
/// address (keys are mostly the same few constants, and the table's slots
/// are cold in a busy process), then from the table. The text is compared
/// either way: an address says nothing about what is there now.
const interned_text* find_or_add(std::string_view s) {
  struct recent {
    const char* data = nullptr;
    const interned_text* entry = nullptr;
  };
  thread_local std::array<recent, 64> cache{};
  auto& r = cache[(reinterpret_cast<std::uintptr_t>(s.data()) >> 3) & 63];
  if (r.data == s.data() && r.entry != nullptr && r.entry->size == s.size()
      && std::memcmp(r.entry->text, s.data(), s.size()) == 0)
    return r.entry;
  const auto* e = keys().find_or_add(s);
  if (e != nullptr)
    r = recent{s.data(), e};
  return e;
}

} // namespace

attribute_key::attribute_key(std::string_view text) {
  // A key over 4 GiB is cut there (keys are names of a few dozen bytes).
  if (text.size() > std::numeric_limits<std::uint32_t>::max())
    text = text.substr(0, std::numeric_limits<std::uint32_t>::max());
  if (text.empty())
    return;
  if (const auto* e = find_or_add(text)) {
    data_ = e->text;
    size_ = e->size;
    flags_ = e->json_safe ? json_safe_flag : 0;
    return;
  }
  size_ = static_cast<std::uint32_t>(text.size());
  data_ = copy_of(text.data(), size_);
  flags_ = static_cast<std::uint8_t>(owned_flag
                                     | (is_json_safe(text) ? json_safe_flag
                                                           : 0));
}

const char* attribute_key::copy_of(const char* data, std::uint32_t size) {
  auto* copy = new char[size];
  std::memcpy(copy, data, size);
  return copy;
}

} // namespace switchyard::telemetry
