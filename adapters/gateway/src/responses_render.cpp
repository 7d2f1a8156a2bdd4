#include "switchyard/engine/tool_call_ids.hpp"
#include "switchyard/gateway/responses_api.hpp"
#include "switchyard/gateway/responses_object.hpp"
#include "switchyard/messages/decision_id.hpp"

namespace switchyard::gateway {

namespace {

using engine::json_writer;

/// A JSON text passed through as a value; `null` when empty (an absent
/// schema), so the object stays valid whatever the request held.
void raw_or_null(json_writer& w, const std::string& json) {
  if (json.empty())
    w.null();
  else
    w.raw(json);
}

void optional_bool(json_writer& w, const std::optional<bool>& b) {
  if (b)
    w.value(*b);
  else
    w.null();
}

void optional_double(json_writer& w, const std::optional<double>& d) {
  if (d)
    w.value(*d);
  else
    w.null();
}

std::string render_tools(const std::vector<engine::tool_definition>& tools) {
  std::string out;
  json_writer w{out};
  w.begin_array();
  for (const auto& t : tools) {
    w.begin_object();
    w.field("type", "function");
    w.field("name", std::string_view{t.name});
    w.key("description");
    if (t.description.empty())
      w.null();
    else
      w.value(std::string_view{t.description});
    w.key("parameters");
    raw_or_null(w, t.parameters);
    w.key("strict");
    optional_bool(w, t.strict);
    w.end_object();
  }
  w.end_array();
  return out;
}

std::string render_tool_choice(const engine::tool_choice& c) {
  std::string out;
  json_writer w{out};
  switch (c.mode) {
    case engine::tool_choice_mode::none: w.value("none"); break;
    case engine::tool_choice_mode::required: w.value("required"); break;
    case engine::tool_choice_mode::named:
      w.begin_object();
      w.field("type", "function");
      w.field("name", std::string_view{c.name});
      w.end_object();
      break;
    default: w.value("auto"); break;
  }
  return out;
}

std::string render_text_config(const engine::response_format& f) {
  std::string out;
  json_writer w{out};
  w.begin_object().key("format").begin_object();
  switch (f.kind) {
    case engine::response_format_kind::json_object:
      w.field("type", "json_object");
      break;
    case engine::response_format_kind::json_schema:
      w.field("type", "json_schema");
      w.field("name", std::string_view{f.name});
      w.key("schema");
      raw_or_null(w, f.schema);
      w.key("strict");
      optional_bool(w, f.strict);
      if (!f.description.empty())
        w.field("description", std::string_view{f.description});
      break;
    default: w.field("type", "text"); break;
  }
  w.end_object().end_object();
  return out;
}

std::string_view status_name(responses_status s) noexcept {
  switch (s) {
    case responses_status::completed: return "completed";
    case responses_status::incomplete: return "incomplete";
    case responses_status::failed: return "failed";
    default: return "in_progress";
  }
}

} // namespace

std::string responses_item_id(std::string_view prefix,
                              std::string_view response_id,
                              std::size_t output_index) {
  constexpr std::string_view resp = "resp_";
  if (response_id.substr(0, resp.size()) == resp)
    response_id.remove_prefix(resp.size());
  std::string out{prefix};
  out.push_back('_');
  out.append(response_id);
  out.push_back('_');
  out += std::to_string(output_index);
  return out;
}

responses_echo responses_echo::from(const chat_request& req) {
  const auto& t = req.task;
  const auto& o = t.options;
  responses_echo e;
  e.tools = render_tools(o.tools);
  e.tool_choice = render_tool_choice(o.choice);
  e.text = render_text_config(o.format);
  if (!o.reasoning_effort.empty()) {
    e.reasoning.clear();
    json_writer w{e.reasoning};
    w.begin_object();
    w.field("effort", std::string_view{o.reasoning_effort});
    w.key("summary").null();
    w.end_object();
  }
  e.temperature = t.temperature;
  e.top_p = o.top_p;
  e.max_output_tokens = t.max_output_tokens;
  e.parallel_tool_calls = o.parallel_tool_calls.value_or(true);
  e.user = o.user;
  e.instructions = req.instructions;
  return e;
}

std::pair<responses_status, std::string_view>
responses_status_for(std::string_view finish_reason) noexcept {
  if (finish_reason == "length")
    return {responses_status::incomplete, "max_output_tokens"};
  if (finish_reason == "content_filter")
    return {responses_status::incomplete, "content_filter"};
  return {responses_status::completed, {}};
}

void write_responses_item(json_writer& w, const responses_output_item& item,
                          bool as_added) {
  std::string_view status = as_added                        ? "in_progress"
                            : item.done && !item.incomplete ? "completed"
                                                            : "incomplete";
  w.begin_object();
  w.field("id", std::string_view{item.id});
  if (item.kind == responses_output_item::item_kind::message) {
    w.field("type", "message");
    w.field("status", status);
    w.field("role", "assistant");
    w.key("content").begin_array();
    if (!as_added) {
      w.begin_object();
      w.field("type", "output_text");
      w.field("text", std::string_view{item.text});
      w.key("annotations").begin_array().end_array();
      w.end_object();
    }
    w.end_array();
  } else {
    w.field("type", "function_call");
    w.field("status", status);
    w.field("call_id", std::string_view{item.call_id});
    w.field("name", std::string_view{item.name});
    std::string_view arguments = item.arguments;
    if (as_added)
      arguments = {};
    else if (arguments.empty())
      arguments = "{}"; // a call without arguments, as the model writes it
    w.field("arguments", arguments);
  }
  w.end_object();
}

void write_responses_object(json_writer& w, const responses_snapshot& s,
                            const responses_echo& echo) {
  w.begin_object();
  w.field("id", s.id);
  w.field("object", "response");
  w.field("created_at", s.created);
  w.field("status", status_name(s.status));
  w.key("error");
  if (s.status == responses_status::failed) {
    w.begin_object();
    w.field("code", s.error_code);
    w.field("message", s.error_message);
    w.end_object();
  } else {
    w.null();
  }
  w.key("incomplete_details");
  if (s.status == responses_status::incomplete) {
    w.begin_object().field("reason", s.incomplete_reason).end_object();
  } else {
    w.null();
  }
  w.key("instructions");
  if (echo.instructions.empty())
    w.null();
  else
    w.value(std::string_view{echo.instructions});
  w.key("metadata").null();
  w.key("previous_response_id").null();
  w.field("store", false);
  w.field("background", false);
  w.field("truncation", "disabled");
  w.field("model", s.model);
  w.key("output").begin_array();
  if (s.output)
    for (const auto& item : *s.output)
      write_responses_item(w, item, false);
  w.end_array();
  w.field("parallel_tool_calls", echo.parallel_tool_calls);
  w.key("temperature");
  optional_double(w, echo.temperature);
  w.key("top_p");
  optional_double(w, echo.top_p);
  w.key("max_output_tokens");
  if (echo.max_output_tokens)
    w.value(*echo.max_output_tokens);
  else
    w.null();
  w.key("tool_choice").raw(echo.tool_choice);
  w.key("tools").raw(echo.tools);
  w.key("text").raw(echo.text);
  w.key("reasoning").raw(echo.reasoning);
  if (!echo.user.empty())
    w.field("user", std::string_view{echo.user});
  w.key("usage");
  if (s.input_tokens) {
    w.begin_object();
    w.field("input_tokens", *s.input_tokens);
    w.key("input_tokens_details").begin_object();
    w.field("cached_tokens", 0);
    w.end_object();
    w.field("output_tokens", s.output_tokens);
    w.key("output_tokens_details").begin_object();
    w.field("reasoning_tokens", 0);
    w.end_object();
    w.field("total_tokens", std::uint64_t{*s.input_tokens} + s.output_tokens);
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

std::string responses_body(const task_reply& r, const engine::registry& reg,
                           std::int64_t created, const chat_request& req) {
  const auto& model_id = reg.models[r.model].id;
  auto id = responses_id(r.decision_id);
  auto [status, reason] = responses_status_for(r.finish_reason);
  std::vector<responses_output_item> output;
  bool has_calls = false;
  for (const auto& p : r.content)
    has_calls = has_calls || p.kind == engine::part_kind::tool_call;
  // A message when there is text, and also when there is nothing else, so
  // that an empty answer still has the one item clients read.
  if (!r.text.empty() || !has_calls) {
    auto& m = output.emplace_back();
    m.id = responses_item_id("msg", id, 0);
    m.text = r.text;
    m.done = true;
  }
  std::uint32_t position = 0;
  for (const auto& p : r.content) {
    if (p.kind != engine::part_kind::tool_call)
      continue; // reasoning is not shown: see responses_api.hpp
    auto& c = output.emplace_back();
    c.kind = responses_output_item::item_kind::function_call;
    c.id = responses_item_id("fc", id, output.size() - 1);
    c.call_id = p.id.empty() ? engine::tool_call_ids::tag(
                  engine::tool_call_ids::synthesize(r.decision_id, position),
                  model_id)
                             : p.id;
    c.name = p.name;
    c.arguments = p.arguments.empty() ? "{}" : p.arguments;
    c.done = true;
    ++position;
  }
  if (status == responses_status::incomplete)
    output.back().incomplete = true;
  responses_snapshot s;
  s.id = id;
  s.model = model_id;
  s.created = created;
  s.status = status;
  s.incomplete_reason = reason;
  s.output = &output;
  s.input_tokens = r.input_tokens;
  s.output_tokens = r.output_tokens;
  std::string out;
  out.reserve(r.text.size() + 1024);
  json_writer w{out};
  write_responses_object(w, s, responses_echo::from(req));
  return out;
}

std::string responses_id(std::uint64_t decision_id) {
  return "resp_" + format_decision_id(decision_id).substr(4);
}

} // namespace switchyard::gateway
