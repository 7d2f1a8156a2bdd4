#include "tool_call_decoder.hpp"

namespace switchyard::providers::detail {

namespace {

/// `index`: a whole number, or null for none.
error_code read_index(od::value& v, std::optional<std::uint32_t>& out) {
  if (is_null(v))
    return simdjson::SUCCESS;
  std::uint32_t index = 0;
  if (auto e = read_u32(v, index))
    return e;
  out = index;
  return simdjson::SUCCESS;
}

/// `arguments`: JSON text in a string; any other JSON value is taken as
/// written; null is none.
error_code read_arguments(od::value& v, std::string_view& out) {
  if (is_null(v))
    return simdjson::SUCCESS;
  return is_type(v, od::json_type::string) ? v.get_string().get(out)
                                           : read_raw(v, out);
}

} // namespace

error_code tool_call_decoder::read(od::value& call, fragment& out,
                                   engine::call_result& result) {
  // The field that failed, for the message; the call as a whole until one
  // does. An inner field's failure is the one named.
  std::string_view failed;
  auto field = [&failed](std::string_view name, error_code e) {
    if (e && failed.empty())
      failed = name;
    return e;
  };
  auto read_function = [&](std::string_view key, od::value& v) {
    if (key == "arguments")
      return field("function.arguments", read_arguments(v, out.arguments));
    return key == "name" ? field("function.name", read_string(v, out.name))
                         : simdjson::SUCCESS;
  };
  auto e = for_each_field(
    call, [&](std::string_view key, od::value& v) -> error_code {
      if (key == "index")
        return field("index", read_index(v, out.index));
      if (key == "id")
        return field("id", read_string(v, out.id));
      if (key != "function" || is_null(v))
        return simdjson::SUCCESS;
      return field("function", for_each_field(v, read_function));
    });
  if (!e)
    return simdjson::SUCCESS;
  return fail_read(result,
                   failed.empty() ? std::string{"a tool call is not an object"}
                                  : "a tool call's \"" + std::string{failed}
                                      + "\" cannot be read",
                   e);
}

error_code tool_call_decoder::fail_read(engine::call_result& result,
                                        std::string_view what, error_code e) {
  if (result.ok())
    fail_malformed(result, malformed(what, e));
  return e;
}

tool_call_decoder::placement
tool_call_decoder::add(const fragment& f, const chunk_callback& on_chunk) {
  auto at = calls_.add(f);
  if (at.started)
    order_.emplace_back(true, at.position);
  if (at.started || !f.arguments.empty())
    emit(at, f.arguments, on_chunk);
  return at;
}

tool_call_decoder::placement
tool_call_decoder::add_whole(const fragment& f, const chunk_callback& on_chunk,
                             std::string_view signature) {
  auto position = calls_.calls().size();
  std::string id = f.id.empty() ? "call_" + std::to_string(position)
                                : std::string{f.id};
  std::string_view arguments = f.arguments.empty() ? "{}" : f.arguments;
  auto at = calls_.add_whole(id, f.name, arguments);
  order_.emplace_back(true, at.position);
  if (!signature.empty()) {
    signatures_.resize(position + 1);
    signatures_[position] = signature;
  }
  emit(at, arguments, on_chunk);
  return at;
}

std::size_t tool_call_decoder::add_part(engine::content_part p) {
  order_.emplace_back(false, parts_.size());
  parts_.push_back(std::move(p));
  return parts_.size() - 1;
}

engine::content_part* tool_call_decoder::newest_part() noexcept {
  if (order_.empty() || order_.back().first)
    return nullptr;
  return &parts_[order_.back().second];
}

void tool_call_decoder::adjust_finish_reason(std::string& reason) const {
  if (reason == "stop" && has_calls())
    reason = "tool_calls";
}

void tool_call_decoder::take_into(std::vector<engine::content_part>& out) {
  auto calls = calls_.take();
  for (std::size_t i = 0; i < signatures_.size() && i < calls.size(); ++i)
    calls[i].signature = std::move(signatures_[i]);
  for (auto [is_call, at] : order_)
    out.push_back(is_call ? std::move(calls[at]) : std::move(parts_[at]));
  parts_.clear();
  signatures_.clear();
  order_.clear();
}

void tool_call_decoder::emit(placement at, std::string_view arguments,
                             const chunk_callback& on_chunk) const {
  if (!on_chunk)
    return;
  engine::stream_chunk chunk;
  chunk.tool_index = at.position;
  if (at.started) {
    const auto& call = calls_.calls()[at.position];
    chunk.tool_id = call.id;
    chunk.tool_name = call.name;
  }
  chunk.tool_arguments = arguments;
  on_chunk(chunk);
}

} // namespace switchyard::providers::detail
