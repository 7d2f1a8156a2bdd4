#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace switchyard::telemetry {

/// An attribute's key. Keys come from a small fixed set (the semantic
/// conventions' names in genai_attributes.hpp and switchyard's in
/// switchyard_attributes.hpp), so each distinct key is stored once per
/// process and shared: making a key costs a lookup, never an allocation,
/// and two keys compare by address. The process's table holds at most
/// `max_interned` keys (and 64 KiB of their text); a key beyond them (a
/// program that makes keys from data, against the conventions) is copied
/// into the key instead, so the table stays bounded.
///
/// Code that sets the same keys on every span can make its keys once (a
/// static `attribute_key`) and skip even the lookup.
///
/// Cheap to copy when interned (two words).
class attribute_key {
public:
  /// Distinct keys shared per process at most.
  static constexpr std::size_t max_interned = 1024;

  attribute_key() noexcept = default;

  attribute_key(std::string_view text);

  attribute_key(const char* text) : attribute_key(std::string_view{text}) {
  }

  attribute_key(const std::string& text)
    : attribute_key(std::string_view{text}) {
  }

  // Copies of an interned key are two words; only a key of its own text
  // (past `max_interned`) takes the out-of-line paths.

  attribute_key(const attribute_key& other)
    : data_(other.data_), size_(other.size_), flags_(other.flags_) {
    if (!other.interned())
      data_ = copy_of(other.data_, size_);
  }

  attribute_key(attribute_key&& other) noexcept
    : data_(other.data_), size_(other.size_), flags_(other.flags_) {
    other.data_ = "";
    other.size_ = 0;
    other.flags_ = json_safe_flag;
  }

  attribute_key& operator=(const attribute_key& other) {
    if (this != &other) {
      attribute_key copy{other};
      *this = std::move(copy);
    }
    return *this;
  }

  attribute_key& operator=(attribute_key&& other) noexcept {
    if (this != &other) {
      release();
      data_ = other.data_;
      size_ = other.size_;
      flags_ = other.flags_;
      other.data_ = "";
      other.size_ = 0;
      other.flags_ = json_safe_flag;
    }
    return *this;
  }

  ~attribute_key() {
    release();
  }

  [[nodiscard]] std::string_view text() const noexcept {
    return {data_, size_};
  }

  operator std::string_view() const noexcept {
    return text();
  }

  /// Printable ASCII without `"` or `\`: written into JSON as is.
  [[nodiscard]] bool json_safe() const noexcept {
    return (flags_ & json_safe_flag) != 0;
  }

  /// Shared from the process's table (not a copy of its own).
  [[nodiscard]] bool interned() const noexcept {
    return (flags_ & owned_flag) == 0;
  }

  /// The same text. A template, so that comparing with a string converts
  /// the string (to std::string_view), never to a key.
  template <std::same_as<attribute_key> Key>
  friend bool operator==(const attribute_key& a, const Key& b) noexcept {
    if (a.data_ == b.data_ && a.size_ == b.size_)
      return true;
    // Two interned keys are equal only when they are the same entry.
    if (a.interned() && b.interned() && a.size_ != 0 && b.size_ != 0)
      return false;
    return a.text() == b.text();
  }

  friend bool operator==(const attribute_key& a, std::string_view b) noexcept {
    return a.text() == b;
  }

private:
  static constexpr std::uint8_t owned_flag = 0x01;
  static constexpr std::uint8_t json_safe_flag = 0x02;

  /// A heap copy of `size` bytes at `data`.
  static const char* copy_of(const char* data, std::uint32_t size);

  void release() noexcept {
    if (!interned())
      delete[] data_;
  }

  const char* data_ = "";
  std::uint32_t size_ = 0;
  std::uint8_t flags_ = json_safe_flag;
};

} // namespace switchyard::telemetry
