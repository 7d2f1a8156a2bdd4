#include "request_log.hpp"

#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

void request_log::add(engine::provider_kind kind, std::string_view model,
                      std::string_view path, std::string_view body,
                      std::string_view traceparent) {
  if (max_requests_ == 0)
    return;
  entry e;
  e.kind = kind;
  e.model = std::string{model};
  e.path = std::string{path};
  e.traceparent = std::string{traceparent};
  if (body.size() <= max_bytes_)
    e.body = std::string{body};
  std::lock_guard guard{mutex_};
  e.seq = next_seq_++;
  bytes_ += e.body.size();
  entries_.push_back(std::move(e));
  while (entries_.size() > max_requests_ || bytes_ > max_bytes_) {
    bytes_ -= entries_.front().body.size();
    entries_.pop_front();
  }
}

std::string request_log::to_json(std::string_view model,
                                 std::optional<engine::provider_kind> kind,
                                 std::size_t limit) const {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.key("requests").begin_array();
  std::lock_guard guard{mutex_};
  std::size_t written = 0;
  for (auto it = entries_.rbegin(); it != entries_.rend() && written < limit;
       ++it) {
    if ((!model.empty() && it->model != model) || (kind && it->kind != *kind))
      continue;
    w.begin_object();
    w.field("seq", it->seq);
    w.field("format", engine::to_string(it->kind));
    w.field("model", it->model);
    w.field("path", it->path);
    if (!it->traceparent.empty())
      w.field("traceparent", it->traceparent);
    w.key("body");
    if (it->body.empty())
      w.null();
    else
      w.raw(it->body);
    w.end_object();
    ++written;
  }
  w.end_array();
  w.end_object();
  return out;
}

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
               && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

std::optional<std::string> query_param(std::string_view query,
                                       std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (percent_decoded(pair.substr(0, eq), true) == name)
      return eq == std::string_view::npos
               ? std::string{}
               : percent_decoded(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string path_decoded(std::string_view segment) {
  // In a path '+' is itself.
  return percent_decoded(segment, false);
}

} // namespace switchyard::sim::detail
