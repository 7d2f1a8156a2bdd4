#pragma once

#include "json_object_parser.hpp"
#include "json_support.hpp"
#include "stream_output.hpp"
#include "switchyard/http/ndjson_parser.hpp"
#include "switchyard/http/sse_parser.hpp"
#include "switchyard/providers/wire_format.hpp"

#include <string>
#include <string_view>

namespace switchyard::providers::detail {

/// How a stream's events are framed: SSE `data:` payloads, or one JSON
/// object a line (NDJSON, Ollama's).
enum class stream_framing : bool { sse, ndjson };

/// The stream decoder every wire format's stream runs on. It splits the
/// body into events, bytes split anywhere (SSE `data:` payloads through
/// http::sse_parser, or NDJSON lines through http::ndjson_parser), parses
/// each as one JSON object with a reused parser, and hands it to the format
/// (`read_event`) until the stream's final event (`end`). Fails the call as
/// malformed, saying what was wrong, for an event that is not a JSON object,
/// one past the size limit, or one the format cannot read.
class json_stream_decoder : public stream_decoder {
 public:
  /// Whether events after the end are read (Gemini: its last chunk ends the
  /// answer, and a later one may still report usage) or dropped unread.
  enum class after_end : bool { ignored, read };

  /// `end_marker` is the data of a final event that is not JSON (OpenAI's
  /// `[DONE]`, a literal: it is kept as a view); it ends the stream. Without
  /// one, the format ends it (`end`).
  explicit json_stream_decoder(stream_framing frame,
                               std::string_view end_marker = {},
                               after_end after = after_end::ignored) noexcept
      : frame_(frame), end_marker_(end_marker), after_end_(after) {}

  bool feed(std::string_view bytes, const chunk_callback& on_chunk,
            engine::call_result& result) final;

  /// Reads a last NDJSON line that lacks its newline when it is whole JSON
  /// (a failure there leaves `result` as it was; an unfinished SSE event is
  /// never complete), lets the format complete `result`, and returns whether
  /// the final event came.
  bool finish(engine::call_result& result) final;

 protected:
  /// Reads one event into `out`. Returns simdjson's error for what it
  /// cannot read; a failure the event reports (an error event, a malformed
  /// tool call) it records in `out.result` itself, which ends the stream
  /// with that reason.
  virtual error_code read_event(od::object event, const stream_output& out) = 0;

  /// At the end of the body: moves what the format held back (reasoning,
  /// tool calls) into `result`.
  virtual void complete(engine::call_result& result) = 0;

  /// The stream's final event came.
  void end() noexcept {
    ended_ = true;
  }

  [[nodiscard]] bool ended() const noexcept {
    return ended_;
  }

 private:
  /// The next complete event's data that is to be read; false when more
  /// bytes are needed.
  bool next(std::string_view& data);

  /// Parses `data` and has the format read it; false when the stream
  /// cannot go on (`result` says why).
  bool read(std::string_view data, const chunk_callback& on_chunk,
            engine::call_result& result);

  stream_framing frame_;
  std::string_view end_marker_;
  after_end after_end_;
  http::sse_parser events_;
  http::ndjson_parser lines_;
  json_object_parser parser_;
  bool ended_ = false;
};

} // namespace switchyard::providers::detail
