#include "switchyard/gateway/api_formats.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/decision_id.hpp"

#include <simdjson.h>

#include <charconv>
#include <cstdio>

namespace switchyard::gateway {

namespace {

using engine::json_writer;

api_error bad_request(std::string message, std::string code = {}) {
  return {400, "invalid_request_error", std::move(code), std::move(message)};
}

std::optional<double> parse_double(std::string_view s) {
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return d;
}

/// Applies routing hints from the body's `switchyard` object and the
/// X-Switchyard-* headers (headers win; they are set per request by proxies).
std::optional<api_error> apply_hints(simdjson::dom::element body,
                                     const header_lookup& headers,
                                     task_spec& t) {
  auto set_type = [&](std::string_view v) -> std::optional<api_error> {
    t.type = engine::parse_task_type(v);
    if (!t.type)
      return bad_request("unknown task_type '" + std::string{v}
                           + "'; one of code_generation, code_review, "
                             "testing, refactoring, reasoning, planning, "
                             "analysis, security_audit, documentation, "
                             "tool_use, multimodal, long_context, general",
                         "invalid_task_type");
    return std::nullopt;
  };
  auto set_tier = [&](std::string_view v) -> std::optional<api_error> {
    t.tier = engine::parse_complexity_tier(v);
    if (!t.tier)
      return bad_request("unknown complexity '" + std::string{v}
                           + "'; one of simple, moderate, complex, critical",
                         "invalid_complexity");
    return std::nullopt;
  };
  simdjson::dom::object hints;
  if (body["switchyard"].get(hints) == simdjson::SUCCESS) {
    std::string_view s;
    double d;
    bool b;
    if (hints["task_type"].get(s) == simdjson::SUCCESS)
      if (auto e = set_type(s))
        return e;
    if (hints["complexity"].get(s) == simdjson::SUCCESS)
      if (auto e = set_tier(s))
        return e;
    if (hints["budget_usd"].get(d) == simdjson::SUCCESS)
      t.budget_usd = d;
    if (hints["quality"].get(d) == simdjson::SUCCESS)
      t.min_quality = d;
    if (hints["parallel"].get(b) == simdjson::SUCCESS)
      t.parallel = b;
  }
  if (auto v = headers("x-switchyard-task-type"))
    if (auto e = set_type(*v))
      return e;
  if (auto v = headers("x-switchyard-complexity"))
    if (auto e = set_tier(*v))
      return e;
  if (auto v = headers("x-switchyard-budget-usd")) {
    t.budget_usd = parse_double(*v);
    if (!t.budget_usd)
      return bad_request("X-Switchyard-Budget-Usd must be a number");
  }
  if (auto v = headers("x-switchyard-quality")) {
    t.min_quality = parse_double(*v);
    if (!t.min_quality)
      return bad_request("X-Switchyard-Quality must be a number");
  }
  if (auto v = headers("x-switchyard-parallel"))
    t.parallel = *v == "true" || *v == "1";
  if (t.budget_usd && *t.budget_usd < 0)
    return bad_request("budget_usd must be >= 0");
  if (t.min_quality && (*t.min_quality < 0 || *t.min_quality > 1))
    return bad_request("quality must be between 0 and 1");
  return std::nullopt;
}

/// Content as a plain string: OpenAI and Anthropic both allow a string or
/// an array of parts. Images mark the task as needing vision.
std::optional<api_error> read_content(simdjson::dom::element content,
                                      std::string& out, task_spec& t,
                                      std::string_view where) {
  std::string_view s;
  if (content.get(s) == simdjson::SUCCESS) {
    out.assign(s);
    return std::nullopt;
  }
  simdjson::dom::array parts;
  if (content.get(parts) != simdjson::SUCCESS)
    return bad_request(std::string{where}
                       + ".content must be a string or an array of parts");
  for (auto part : parts) {
    std::string_view type;
    if (part["type"].get(type) != simdjson::SUCCESS)
      return bad_request(std::string{where} + ".content[].type is required");
    if (type == "text") {
      std::string_view text;
      if (part["text"].get(text) != simdjson::SUCCESS)
        return bad_request(std::string{where}
                           + ".content[].text must be a string");
      if (!out.empty())
        out.push_back('\n');
      out.append(text);
    } else if (type == "image_url" || type == "image") {
      t.required.add(engine::capability::vision);
    }
  }
  return std::nullopt;
}

std::optional<api_error> resolve_model(std::string_view model,
                                       const engine::registry& reg,
                                       chat_request& out) {
  out.requested_model.assign(model);
  if (model == "auto")
    return std::nullopt;
  if (!reg.find_model(model))
    return api_error{404, "invalid_request_error", "model_not_found",
                     "The model `" + std::string{model}
                       + "` does not exist; use \"auto\" or an id from "
                         "GET /v1/models"};
  out.forced_model.assign(model);
  out.task.force_model = out.forced_model;
  return std::nullopt;
}

/// A request's document: valid until the next parse on the same thread.
struct parsed_json {
  simdjson::dom::element root;
};

/// Each thread's parser and padded input buffer, reused: a DOM parser
/// allocates buffers sized to the document, which per request cost a few
/// allocations and frees on the hot path (perf, bench gateway). Bounded by
/// the largest body a thread has parsed (max_body_bytes).
struct json_scratch {
  simdjson::dom::parser parser;
  std::string input;
};

std::optional<api_error> parse_json(std::string_view body, parsed_json& p) {
  thread_local json_scratch scratch;
  scratch.input.assign(body);
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: they must be
  // ours (capacity), whatever they hold.
  scratch.input.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  if (scratch.parser.parse(scratch.input.data(), scratch.input.size(), false)
        .get(p.root)
      != simdjson::SUCCESS)
    return bad_request("We could not parse the JSON body of your request. "
                       "The body must be valid JSON.",
                       "invalid_json");
  if (!p.root.is_object())
    return bad_request("The request body must be a JSON object.");
  return std::nullopt;
}

std::string_view openai_finish(const std::string& f) {
  if (f == "length" || f == "tool_calls" || f == "content_filter")
    return f;
  return "stop";
}

std::string_view anthropic_stop(const std::string& f) {
  if (f == "length")
    return "max_tokens";
  if (f == "tool_calls")
    return "tool_use";
  return "end_turn";
}

} // namespace

std::string decision_ref(std::uint64_t decision_id) {
  return format_decision_id(decision_id);
}

std::string openai_error_body(const api_error& e) {
  std::string out;
  json_writer w{out};
  w.begin_object().key("error").begin_object();
  w.field("message", std::string_view{e.message});
  w.field("type", std::string_view{e.type});
  w.key("param").null();
  w.key("code");
  if (e.code.empty())
    w.null();
  else
    w.value(std::string_view{e.code});
  w.end_object().end_object();
  return out;
}

std::string anthropic_error_body(const api_error& e) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("type", "error");
  w.key("error").begin_object();
  w.field("type", std::string_view{e.type});
  w.field("message", std::string_view{e.message});
  w.end_object().end_object();
  return out;
}

parsed_chat parse_openai_chat(std::string_view body,
                              const header_lookup& headers,
                              const engine::registry& reg) {
  parsed_json p;
  if (auto e = parse_json(body, p))
    return *e;
  chat_request out;
  auto& t = out.task;
  std::string_view model;
  if (p.root["model"].get(model) != simdjson::SUCCESS)
    return bad_request("you must provide a model parameter (\"auto\" routes)",
                       "missing_model");
  simdjson::dom::array messages;
  if (p.root["messages"].get(messages) != simdjson::SUCCESS
      || messages.size() == 0)
    return bad_request("messages must be a non-empty array",
                       "invalid_messages");
  std::size_t i = 0;
  for (auto m : messages) {
    auto where = "messages[" + std::to_string(i++) + "]";
    std::string_view role;
    if (m["role"].get(role) != simdjson::SUCCESS)
      return bad_request(where + ".role is required");
    if (role != "system" && role != "user" && role != "assistant"
        && role != "tool" && role != "developer")
      return bad_request(where + ".role must be system, developer, user, "
                                 "assistant or tool");
    engine::chat_message cm;
    cm.role = role == "developer" ? "system" : std::string{role};
    simdjson::dom::element content;
    if (m["content"].get(content) == simdjson::SUCCESS && !content.is_null())
      if (auto e = read_content(content, cm.content, t, where))
        return *e;
    if (cm.role == "user")
      t.text = cm.content;
    t.messages.push_back(std::move(cm));
  }
  if (t.text.empty())
    t.text = t.messages.back().content;
  double d;
  if (p.root["temperature"].get(d) == simdjson::SUCCESS)
    t.temperature = d;
  std::int64_t n;
  if (p.root["max_completion_tokens"].get(n) == simdjson::SUCCESS
      || p.root["max_tokens"].get(n) == simdjson::SUCCESS) {
    if (n < 1)
      return bad_request("max_tokens must be >= 1");
    t.max_output_tokens = static_cast<std::uint32_t>(
      std::min<std::int64_t>(n, 1'000'000));
  }
  if (p.root["n"].get(n) == simdjson::SUCCESS && n != 1)
    return bad_request("only n = 1 is supported", "unsupported_n");
  std::string_view stop;
  simdjson::dom::array stops;
  if (p.root["stop"].get(stop) == simdjson::SUCCESS)
    t.stop.emplace_back(stop);
  else if (p.root["stop"].get(stops) == simdjson::SUCCESS)
    for (auto s : stops)
      if (s.get(stop) == simdjson::SUCCESS)
        t.stop.emplace_back(stop);
  bool b;
  if (p.root["stream"].get(b) == simdjson::SUCCESS)
    out.stream = b;
  if (p.root["stream_options"]["include_usage"].get(b) == simdjson::SUCCESS)
    out.include_usage = b;
  simdjson::dom::array tools;
  if (p.root["tools"].get(tools) == simdjson::SUCCESS && tools.size() > 0)
    t.required.add(engine::capability::tools);
  if (auto e = apply_hints(p.root, headers, t))
    return *e;
  if (auto e = resolve_model(model, reg, out))
    return *e;
  return out;
}

parsed_chat parse_anthropic_messages(std::string_view body,
                                     const header_lookup& headers,
                                     const engine::registry& reg) {
  parsed_json p;
  if (auto e = parse_json(body, p))
    return *e;
  chat_request out;
  auto& t = out.task;
  std::string_view model;
  if (p.root["model"].get(model) != simdjson::SUCCESS)
    return bad_request("model: Field required");
  std::int64_t max_tokens = 0;
  if (p.root["max_tokens"].get(max_tokens) != simdjson::SUCCESS)
    return bad_request("max_tokens: Field required");
  if (max_tokens < 1)
    return bad_request("max_tokens: must be >= 1");
  t.max_output_tokens
    = static_cast<std::uint32_t>(std::min<std::int64_t>(max_tokens, 1'000'000));
  simdjson::dom::element system;
  if (p.root["system"].get(system) == simdjson::SUCCESS) {
    engine::chat_message sys{"system", {}};
    if (auto e = read_content(system, sys.content, t, "system"))
      return *e;
    t.messages.push_back(std::move(sys));
  }
  simdjson::dom::array messages;
  if (p.root["messages"].get(messages) != simdjson::SUCCESS
      || messages.size() == 0)
    return bad_request("messages: must be a non-empty array");
  std::size_t i = 0;
  for (auto m : messages) {
    auto where = "messages." + std::to_string(i++);
    std::string_view role;
    if (m["role"].get(role) != simdjson::SUCCESS
        || (role != "user" && role != "assistant"))
      return bad_request(where + ".role: must be user or assistant");
    engine::chat_message cm{std::string{role}, {}};
    simdjson::dom::element content;
    if (m["content"].get(content) != simdjson::SUCCESS)
      return bad_request(where + ".content: Field required");
    if (auto e = read_content(content, cm.content, t, where))
      return *e;
    if (cm.role == "user")
      t.text = cm.content;
    t.messages.push_back(std::move(cm));
  }
  double d;
  if (p.root["temperature"].get(d) == simdjson::SUCCESS)
    t.temperature = d;
  simdjson::dom::array stops;
  if (p.root["stop_sequences"].get(stops) == simdjson::SUCCESS)
    for (auto s : stops) {
      std::string_view v;
      if (s.get(v) == simdjson::SUCCESS)
        t.stop.emplace_back(v);
    }
  bool b;
  if (p.root["stream"].get(b) == simdjson::SUCCESS)
    out.stream = b;
  if (auto e = apply_hints(p.root, headers, t))
    return *e;
  if (auto e = resolve_model(model, reg, out)) {
    e->type = "not_found_error";
    return *e;
  }
  return out;
}

std::string openai_completion_body(const task_reply& r,
                                   const engine::registry& reg,
                                   std::int64_t created) {
  std::string out;
  out.reserve(r.text.size() + 384);
  json_writer w{out};
  w.begin_object();
  w.field("id", "chatcmpl-" + decision_ref(r.decision_id).substr(4));
  w.field("object", "chat.completion");
  w.field("created", created);
  w.field("model", std::string_view{reg.models[r.model].id});
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.field("content", std::string_view{r.text});
  w.end_object();
  w.key("logprobs").null();
  w.field("finish_reason", openai_finish(r.finish_reason));
  w.end_object().end_array();
  w.key("usage").begin_object();
  w.field("prompt_tokens", r.input_tokens);
  w.field("completion_tokens", r.output_tokens);
  w.field("total_tokens", r.input_tokens + r.output_tokens);
  w.end_object();
  w.end_object();
  return out;
}

std::string anthropic_message_body(const task_reply& r,
                                   const engine::registry& reg) {
  std::string out;
  out.reserve(r.text.size() + 320);
  json_writer w{out};
  w.begin_object();
  w.field("id", "msg_" + decision_ref(r.decision_id).substr(4));
  w.field("type", "message");
  w.field("role", "assistant");
  w.field("model", std::string_view{reg.models[r.model].id});
  w.key("content").begin_array().begin_object();
  w.field("type", "text");
  w.field("text", std::string_view{r.text});
  w.end_object().end_array();
  w.field("stop_reason", anthropic_stop(r.finish_reason));
  w.key("stop_sequence").null();
  w.key("usage").begin_object();
  w.field("input_tokens", r.input_tokens);
  w.field("output_tokens", r.output_tokens);
  w.end_object();
  w.end_object();
  return out;
}

api_error error_for(const task_reply& r) {
  switch (r.error) {
    case error_code::unknown_model:
      return {404, "invalid_request_error", "model_not_found", r.error_message};
    case error_code::budget_exhausted:
      return {429, "insufficient_quota", "insufficient_quota", r.error_message};
    case error_code::invalid_argument:
      return {400, "invalid_request_error", "", r.error_message};
    case error_code::no_candidate:
      return {503, "api_error", "no_model_available", r.error_message};
    default:
      return {502, "api_error", "upstream_error", r.error_message};
  }
}

} // namespace switchyard::gateway
