#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// Appends compact JSON to a caller-owned string; commas are placed for the
/// caller. Reuse one writer (and its buffer) per thread on hot paths.
class json_writer {
public:
  explicit json_writer(std::string& out) noexcept : out_(out) {
  }

  json_writer& begin_object() {
    separate();
    out_.push_back('{');
    first_.push_back(true);
    return *this;
  }

  json_writer& end_object() {
    out_.push_back('}');
    first_.pop_back();
    return *this;
  }

  json_writer& begin_array() {
    separate();
    out_.push_back('[');
    first_.push_back(true);
    return *this;
  }

  json_writer& end_array() {
    out_.push_back(']');
    first_.pop_back();
    return *this;
  }

  /// The next value belongs to this key.
  json_writer& key(std::string_view k) {
    separate();
    write_string(k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }

  json_writer& value(std::string_view s) {
    separate();
    write_string(s);
    return *this;
  }

  json_writer& value(const char* s) {
    return value(std::string_view{s});
  }

  json_writer& value(bool b) {
    separate();
    out_ += b ? "true" : "false";
    return *this;
  }

  json_writer& value(double d);

  json_writer& value(std::int64_t i) {
    separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), i);
    out_.append(buf, r.ptr);
    return *this;
  }

  json_writer& value(std::uint64_t i) {
    separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), i);
    out_.append(buf, r.ptr);
    return *this;
  }

  json_writer& value(int i) {
    return value(static_cast<std::int64_t>(i));
  }

  json_writer& value(unsigned i) {
    return value(static_cast<std::uint64_t>(i));
  }

  json_writer& null() {
    separate();
    out_ += "null";
    return *this;
  }

  /// Appends `json`, already valid JSON (a passed-through object or
  /// array), as the next value.
  json_writer& raw(std::string_view json) {
    separate();
    out_.append(json);
    return *this;
  }

  template <class T>
  json_writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  /// Appends `s` as a quoted JSON string with the required escapes.
  static void escape_into(std::string& out, std::string_view s);

private:
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back())
        out_.push_back(',');
      first_.back() = false;
    }
  }

  void write_string(std::string_view s) {
    escape_into(out_, s);
  }

  std::string& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

} // namespace switchyard::engine
