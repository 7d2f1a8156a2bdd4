#include "switchyard/http/ndjson_parser.hpp"

namespace switchyard::http {

namespace {

bool is_blank(std::string_view line) noexcept {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

} // namespace

void ndjson_parser::feed(std::string_view bytes) {
  if (overflowed_)
    return;
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
  // Only an unfinished line counts against the limit.
  auto last_newline = buffer_.rfind('\n');
  auto partial = last_newline == std::string::npos
                   ? buffer_.size()
                   : buffer_.size() - last_newline - 1;
  if (partial > max_line_bytes_)
    overflowed_ = true;
}

bool ndjson_parser::next(std::string_view& line) {
  if (overflowed_)
    return false;
  while (pos_ < buffer_.size()) {
    auto end = buffer_.find('\n', pos_);
    if (end == std::string::npos)
      return false;
    auto candidate = std::string_view{buffer_}.substr(pos_, end - pos_);
    pos_ = end + 1;
    if (!candidate.empty() && candidate.back() == '\r')
      candidate.remove_suffix(1);
    if (is_blank(candidate))
      continue;
    line = candidate;
    return true;
  }
  return false;
}

bool ndjson_parser::take_rest(std::string_view& line) {
  if (overflowed_ || pos_ >= buffer_.size())
    return false;
  auto rest = std::string_view{buffer_}.substr(pos_);
  pos_ = buffer_.size();
  if (!rest.empty() && rest.back() == '\r')
    rest.remove_suffix(1);
  if (is_blank(rest))
    return false;
  line = rest;
  return true;
}

bool ndjson_parser::has_partial_line() const noexcept {
  return pos_ < buffer_.size()
         && !is_blank(std::string_view{buffer_}.substr(pos_));
}

} // namespace switchyard::http
