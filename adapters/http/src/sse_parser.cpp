#include "switchyard/http/sse_parser.hpp"

namespace switchyard::http {

void sse_parser::feed(std::string_view bytes) {
  if (overflowed_)
    return;
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
  if (!started_ && buffer_.size() >= 3) {
    started_ = true;
    if (buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0)
      buffer_.erase(0, 3);
  }
  if (buffer_.size() + data_.size() > max_event_bytes_)
    overflowed_ = true;
}

bool sse_parser::next_line(std::string_view& line) {
  // A BOM can only be recognised once three bytes are in.
  if (!started_)
    return false;
  // A plain loop: std::string::find_first_of calls memchr once per byte.
  auto end = pos_;
  const auto size = buffer_.size();
  while (end < size && buffer_[end] != '\n' && buffer_[end] != '\r')
    ++end;
  if (end == size)
    return false;
  auto next = end + 1;
  if (buffer_[end] == '\r') {
    // CR LF may be split across two feeds: wait for the byte after a CR.
    if (next == buffer_.size())
      return false;
    if (buffer_[next] == '\n')
      ++next;
  }
  line = std::string_view{buffer_}.substr(pos_, end - pos_);
  pos_ = next;
  return true;
}

void sse_parser::process_field(std::string_view line) {
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (has_data_)
      data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos)
      id_.assign(value);
  }
  // `retry` and unknown fields are ignored, as the spec says.
}

bool sse_parser::next(sse_event& out) {
  if (overflowed_)
    return false;
  std::string_view line;
  while (next_line(line)) {
    if (line.empty()) {
      bool dispatch = has_data_;
      has_fields_ = false;
      if (!dispatch) {
        type_.clear();
        continue;
      }
      out_type_.swap(type_);
      out_data_.swap(data_);
      type_.clear();
      data_.clear();
      has_data_ = false;
      out.type = out_type_;
      out.data = out_data_;
      out.id = id_;
      return true;
    }
    if (line.front() == ':')
      continue;
    process_field(line);
  }
  return false;
}

bool sse_parser::has_partial_event() const noexcept {
  return has_fields_ || pos_ < buffer_.size()
         || (!started_ && !buffer_.empty());
}

} // namespace switchyard::http
