#pragma once

#include "switchyard/http/sse_event.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace switchyard::http {

/// Incremental `text/event-stream` parser. Bytes go in as they arrive, split
/// anywhere (inside a line, between '\r' and '\n', inside a UTF-8 sequence);
/// complete events come out. Pure: no I/O, no allocation once its buffers
/// have grown to the largest event.
///
/// Follows the WHATWG parsing rules: lines end in LF, CRLF or CR; a leading
/// BOM is dropped; lines starting with ':' are comments (keep-alive pings);
/// one space after the colon is stripped; an event is dispatched at a blank
/// line and only when it had a `data` field. An event still open when the
/// stream ends is not complete and is never dispatched.
class sse_parser {
 public:
  /// Refuses to buffer an incomplete event larger than `max_event_bytes`.
  explicit sse_parser(std::size_t max_event_bytes = 4 << 20) noexcept
      : max_event_bytes_(max_event_bytes) {}

  /// Appends `bytes` to what is buffered. Invalidates views from `next`.
  void feed(std::string_view bytes);

  /// Takes the next complete event; false when more bytes are needed (or
  /// after an overflow).
  [[nodiscard]] bool next(sse_event& out);

  /// Whether an incomplete event grew past the limit; the stream is then
  /// unusable.
  [[nodiscard]] bool overflowed() const noexcept {
    return overflowed_;
  }

  /// Whether bytes of an unfinished line or event are buffered: at the end
  /// of a stream, a sign that it was cut.
  [[nodiscard]] bool has_partial_event() const noexcept;

 private:
  /// Finds the next complete line from `pos_`; false when none is complete.
  bool next_line(std::string_view& line);
  void process_field(std::string_view line);

  std::size_t max_event_bytes_;
  std::string buffer_;
  std::size_t pos_ = 0;
  bool started_ = false;
  bool overflowed_ = false;
  // The event being assembled.
  std::string type_;
  std::string data_;
  std::string id_;
  bool has_data_ = false;
  bool has_fields_ = false;
  // What the last dispatched event's views point at.
  std::string out_type_;
  std::string out_data_;
};

} // namespace switchyard::http
