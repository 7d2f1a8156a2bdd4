#include "switchyard/engine/tool_choice_words.hpp"
#include "switchyard/gateway/request_parsing.hpp"
#include "switchyard/gateway/responses_api.hpp"
#include "switchyard/gateway/responses_input.hpp"

#include <algorithm>

namespace switchyard::gateway {

namespace {

using simdjson::SUCCESS;

api_error unsupported(std::string message) {
  return bad_request(std::move(message), "unsupported_parameter");
}

/// A top-level optional string: its error names the field alone.
std::optional<api_error> top_string(simdjson::dom::object root,
                                    std::string_view key, std::string& out) {
  simdjson::dom::element v;
  if (root[key].get(v) != SUCCESS || v.is_null())
    return std::nullopt;
  std::string_view s;
  if (v.get(s) != SUCCESS)
    return bad_request(std::string{key} + " must be a string");
  out.assign(s);
  return std::nullopt;
}

/// Whether `root[key]` is present and not null.
bool present(simdjson::dom::object root, std::string_view key) {
  simdjson::dom::element e;
  return root[key].get(e) == SUCCESS && !e.is_null();
}

/// The fields that need state or services switchyard does not have. Each
/// is refused by name rather than ignored: a client relying on one would
/// otherwise get a different answer than it asked for, silently.
std::optional<api_error> refuse_unsupported(simdjson::dom::object root) {
  constexpr std::string_view stateless
    = "switchyard stores no conversation state: send the whole conversation "
      "in `input` on every turn";
  if (present(root, "previous_response_id"))
    return unsupported("previous_response_id is not supported: "
                       + std::string{stateless});
  if (present(root, "conversation"))
    return unsupported("conversation is not supported: "
                       + std::string{stateless});
  bool b = false;
  if (root["store"].get(b) == SUCCESS && b)
    return unsupported("store: true is not supported: switchyard does not "
                       "store responses; send store: false (or leave it "
                       "out) and "
                       + std::string{stateless});
  if (root["background"].get(b) == SUCCESS && b)
    return unsupported("background: true is not supported: switchyard "
                       "answers in the request (use stream: true for "
                       "long answers)");
  simdjson::dom::array include;
  if (root["include"].get(include) == SUCCESS && include.size() > 0)
    return unsupported("include is not supported: switchyard returns no "
                       "extra output data (no encrypted reasoning, no "
                       "built-in tool results)");
  if (present(root, "prompt"))
    return unsupported("prompt is not supported: stored prompt templates "
                       "live in OpenAI's dashboard; send the text in "
                       "`instructions` and `input`");
  std::int64_t n = 0;
  if (root["top_logprobs"].get(n) == SUCCESS && n > 0)
    return unsupported("top_logprobs is not supported on /v1/responses");
  if (present(root, "max_tool_calls"))
    return unsupported("max_tool_calls is not supported: the client runs "
                       "its function calls and decides when to stop");
  if (present(root, "context_management"))
    return unsupported("context_management is not supported: send the "
                       "conversation as it should be read");
  std::string_view s;
  if (root["truncation"].get(s) == SUCCESS && s != "disabled")
    return unsupported("truncation: '" + std::string{s}
                       + "' is not supported; switchyard sends the whole "
                         "input (truncation: disabled)");
  return std::nullopt;
}

/// `tools`: function tools only, flat ({type, name, description,
/// parameters, strict}); OpenAI's hosted tools run in OpenAI's cloud.
std::optional<api_error> read_tools(simdjson::dom::object root,
                                    engine::request_options& o) {
  simdjson::dom::element e;
  if (root["tools"].get(e) != SUCCESS || e.is_null())
    return std::nullopt;
  simdjson::dom::array tools;
  if (e.get(tools) != SUCCESS)
    return bad_request("tools must be an array");
  std::size_t i = 0;
  for (auto t : tools) {
    auto where = "tools[" + std::to_string(i++) + "]";
    simdjson::dom::object tool;
    std::string_view type;
    if (t.get(tool) != SUCCESS || tool["type"].get(type) != SUCCESS)
      return bad_request(where + ".type is required");
    if (type != "function")
      return unsupported(where + ": built-in tool '" + std::string{type}
                         + "' is not supported: switchyard routes to many "
                           "providers and runs no hosted tools; declare a "
                           "function tool and run it yourself");
    engine::tool_definition d;
    std::string_view name;
    if (tool["name"].get(name) != SUCCESS || name.empty())
      return bad_request(where + ".name is required");
    d.name.assign(name);
    if (auto err = optional_string(tool, "description", where, d.description))
      return err;
    simdjson::dom::element params;
    if (tool["parameters"].get(params) == SUCCESS && !params.is_null()) {
      if (!params.is_object())
        return bad_request(where + ".parameters must be a JSON Schema object");
      d.parameters = raw_json(params);
    }
    bool strict = false;
    if (tool["strict"].get(strict) == SUCCESS)
      d.strict = strict;
    o.tools.push_back(std::move(d));
  }
  return std::nullopt;
}

/// `tool_choice`: "auto", "none", "required" or {type: "function", name}.
std::optional<api_error> read_tool_choice(simdjson::dom::object root,
                                          engine::tool_choice& c) {
  simdjson::dom::element e;
  if (root["tool_choice"].get(e) != SUCCESS || e.is_null())
    return std::nullopt;
  std::string_view s;
  if (e.get(s) == SUCCESS) {
    if (auto word = engine::tool_choice_word(s))
      c.mode = *word;
    else
      return bad_request("tool_choice must be auto, none, required or "
                         "{\"type\": \"function\", \"name\": ...}");
    return std::nullopt;
  }
  simdjson::dom::object obj;
  std::string_view type;
  if (e.get(obj) != SUCCESS || obj["type"].get(type) != SUCCESS)
    return bad_request("tool_choice.type is required");
  if (type != "function")
    return unsupported("tool_choice type '" + std::string{type}
                       + "' is not supported; use auto, none, required or "
                         "{\"type\": \"function\", \"name\": ...}");
  std::string_view name;
  if (obj["name"].get(name) != SUCCESS || name.empty())
    return bad_request("tool_choice.name is required");
  c.mode = engine::tool_choice_mode::named;
  c.name.assign(name);
  return std::nullopt;
}

/// `text`: {format: text | json_object | json_schema, verbosity}.
std::optional<api_error> read_text(simdjson::dom::object root,
                                   engine::response_format& f) {
  simdjson::dom::object text;
  if (root["text"].get(text) != SUCCESS)
    return std::nullopt;
  std::string_view verbosity;
  if (text["verbosity"].get(verbosity) == SUCCESS && verbosity != "medium")
    return unsupported("text.verbosity: '" + std::string{verbosity}
                       + "' is not supported (no upstream but OpenAI's "
                         "newest models can express it)");
  simdjson::dom::object format;
  if (text["format"].get(format) != SUCCESS)
    return std::nullopt;
  std::string_view type;
  if (format["type"].get(type) != SUCCESS)
    return bad_request("text.format.type is required");
  if (type == "text") {
    f.kind = engine::response_format_kind::text;
  } else if (type == "json_object") {
    f.kind = engine::response_format_kind::json_object;
  } else if (type == "json_schema") {
    f.kind = engine::response_format_kind::json_schema;
    std::string_view name;
    if (format["name"].get(name) != SUCCESS || name.empty())
      return bad_request("text.format.name is required");
    f.name.assign(name);
    simdjson::dom::element schema;
    if (format["schema"].get(schema) != SUCCESS || !schema.is_object())
      return bad_request("text.format.schema is required (a JSON Schema "
                         "object)");
    f.schema = raw_json(schema);
    bool strict = false;
    if (format["strict"].get(strict) == SUCCESS)
      f.strict = strict;
    if (auto e = optional_string(format, "description", "text.format",
                                 f.description))
      return e;
  } else {
    return bad_request("text.format.type must be text, json_object or "
                       "json_schema");
  }
  return std::nullopt;
}

/// max_output_tokens, temperature, top_p, user, parallel_tool_calls,
/// reasoning.effort and stream.
std::optional<api_error> read_settings(simdjson::dom::object root,
                                       chat_request& out) {
  auto& t = out.task;
  auto& o = t.options;
  std::int64_t n = 0;
  if (root["max_output_tokens"].get(n) == SUCCESS) {
    if (n < 1)
      return bad_request("max_output_tokens must be >= 1");
    t.max_output_tokens
      = static_cast<std::uint32_t>(std::min<std::int64_t>(n, 1'000'000));
  }
  double d = 0;
  if (root["temperature"].get(d) == SUCCESS)
    t.temperature = d;
  if (root["top_p"].get(d) == SUCCESS)
    o.top_p = d;
  bool b = false;
  if (root["parallel_tool_calls"].get(b) == SUCCESS)
    o.parallel_tool_calls = b;
  if (root["stream"].get(b) == SUCCESS)
    out.stream = b;
  // Both name the end user for the provider's abuse monitoring;
  // safety_identifier is the newer name.
  if (auto e = top_string(root, "user", o.user))
    return e;
  if (o.user.empty())
    if (auto e = top_string(root, "safety_identifier", o.user))
      return e;
  simdjson::dom::object reasoning;
  if (root["reasoning"].get(reasoning) == SUCCESS) {
    if (present(reasoning, "summary") || present(reasoning, "generate_summary"))
      return unsupported("reasoning.summary is not supported: switchyard "
                         "returns no reasoning items");
    if (auto e = optional_string(reasoning, "effort", "reasoning",
                                 o.reasoning_effort))
      return e;
  }
  return std::nullopt;
}

} // namespace

parsed_chat parse_responses_request(std::string_view body,
                                    const header_lookup& headers,
                                    const engine::registry& reg) {
  parsed_json p;
  if (auto e = parse_json(body, p))
    return *e;
  simdjson::dom::object root;
  if (p.root.get(root) != SUCCESS)
    return bad_request("The request body must be a JSON object.");
  chat_request out;
  auto& t = out.task;
  std::string_view model;
  if (root["model"].get(model) != SUCCESS)
    return bad_request("you must provide a model parameter (\"auto\" routes)",
                       "missing_model");
  if (auto e = refuse_unsupported(root))
    return *e;
  std::string instructions;
  if (auto e = top_string(root, "instructions", instructions))
    return *e;
  out.instructions = instructions;
  if (!instructions.empty())
    t.messages.push_back(engine::chat_message::make(
      engine::message_role::system, std::move(instructions)));
  simdjson::dom::element input;
  if (root["input"].get(input) != SUCCESS || input.is_null())
    return bad_request("input is required: a string or an array of items",
                       "invalid_input");
  if (auto e = read_responses_input(input, t.messages))
    return *e;
  if (auto e = read_tools(root, t.options))
    return *e;
  if (auto e = read_tool_choice(root, t.options.choice))
    return *e;
  if (auto e = read_text(root, t.options.format))
    return *e;
  if (auto e = read_settings(root, out))
    return *e;
  t.text = engine::newest_user_text(t.messages);
  if (auto e = apply_hints(p.root, headers, reg, out))
    return *e;
  if (auto e = resolve_model(model, reg, out))
    return *e;
  return out;
}

} // namespace switchyard::gateway
