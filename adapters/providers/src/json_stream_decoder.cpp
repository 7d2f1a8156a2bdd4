#include "json_stream_decoder.hpp"

namespace switchyard::providers::detail {

bool json_stream_decoder::feed(std::string_view bytes,
                               const chunk_callback& on_chunk,
                               engine::call_result& result) {
  bool ndjson = frame_ == stream_framing::ndjson;
  if (ndjson)
    lines_.feed(bytes);
  else
    events_.feed(bytes);
  std::string_view data;
  while (next(data))
    if (!read(data, on_chunk, result))
      return false;
  if (ndjson ? lines_.overflowed() : events_.overflowed())
    return fail_malformed(result, ndjson ? "malformed stream: a line exceeds "
                                           "the size limit"
                                         : "malformed stream: an event "
                                           "exceeds the size limit");
  return true;
}

bool json_stream_decoder::finish(engine::call_result& result) {
  std::string_view line;
  if (frame_ == stream_framing::ndjson && !ended_ && lines_.take_rest(line)) {
    engine::call_result scratch = result;
    if (read(line, {}, scratch))
      result = std::move(scratch);
  }
  complete(result);
  return ended_;
}

bool json_stream_decoder::next(std::string_view& data) {
  bool skip = ended_ && after_end_ == after_end::ignored;
  if (frame_ == stream_framing::ndjson) {
    while (lines_.next(data))
      if (!skip)
        return true;
    return false;
  }
  http::sse_event event;
  while (events_.next(event)) {
    if (skip)
      continue;
    if (!end_marker_.empty() && event.data == end_marker_) {
      ended_ = true;
      skip = after_end_ == after_end::ignored;
      continue;
    }
    data = event.data;
    return true;
  }
  return false;
}

bool json_stream_decoder::read(std::string_view data,
                               const chunk_callback& on_chunk,
                               engine::call_result& result) {
  bool ndjson = frame_ == stream_framing::ndjson;
  od::object event;
  if (auto e = parser_.parse(data, event))
    return fail_malformed(result,
                          malformed(ndjson ? "stream line is not a JSON object"
                                           : "stream event is not a JSON "
                                             "object",
                                    e));
  return settle_read(
    read_event(event, {result, on_chunk}),
    ndjson ? "unexpected stream line" : "unexpected stream event", result);
}

} // namespace switchyard::providers::detail
