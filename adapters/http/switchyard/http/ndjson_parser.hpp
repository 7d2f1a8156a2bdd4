#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace switchyard::http {

/// Incremental newline-delimited JSON splitter (Ollama's stream format).
/// Bytes go in split anywhere; complete lines come out, without their
/// '\n' or "\r\n". Blank lines are skipped. It does not parse the JSON: the
/// caller does, from the view.
class ndjson_parser {
 public:
  /// Refuses to buffer a line longer than `max_line_bytes`.
  explicit ndjson_parser(std::size_t max_line_bytes = 4 << 20) noexcept
      : max_line_bytes_(max_line_bytes) {}

  /// Appends `bytes`. Invalidates views from `next`.
  void feed(std::string_view bytes);

  /// Takes the next complete line; false when more bytes are needed.
  [[nodiscard]] bool next(std::string_view& line);

  /// At the end of the stream: takes the last line when it lacked its '\n'
  /// (and is not blank). False when nothing is left.
  [[nodiscard]] bool take_rest(std::string_view& line);

  [[nodiscard]] bool overflowed() const noexcept {
    return overflowed_;
  }

  /// Whether an unfinished line is buffered.
  [[nodiscard]] bool has_partial_line() const noexcept;

 private:
  std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t pos_ = 0;
  bool overflowed_ = false;
};

} // namespace switchyard::http
