// POST /v1/chat/completions: OpenAI's request into the conversation model.
// Every field either reaches the model, is a documented no-op, or is a 400
// that names it: nothing that would change the answer is dropped.

#include "switchyard/engine/tool_choice_words.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/request_parsing.hpp"

#include <algorithm>
#include <array>

namespace switchyard::gateway {

namespace {

using engine::chat_message;
using engine::content_part;
using engine::message_role;
using engine::part_kind;
using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string indexed(std::string_view where, std::string_view key,
                    std::size_t i) {
  std::string out{where};
  out += '.';
  out += key;
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

api_error not_supported(std::string_view what, std::string_view why = {}) {
  std::string msg{what};
  msg += " is not supported";
  if (!why.empty()) {
    msg += ": ";
    msg += why;
  }
  return bad_request(std::move(msg), "unsupported_field");
}

/// An `image_url` part: an http(s) URL passed on as is, or a data: URL
/// split into media type and base64 bytes.
std::optional<api_error> read_image_url(element part, std::string_view where,
                                        content_part& out) {
  out.kind = part_kind::image;
  element image;
  if (part["image_url"].get(image) != SUCCESS)
    return bad_request(std::string{where} + ".image_url is required");
  std::string_view url;
  if (image.get(url) != SUCCESS) {
    if (image["url"].get(url) != SUCCESS)
      return bad_request(std::string{where} + ".image_url.url is required");
    std::string_view detail;
    if (image["detail"].get(detail) == SUCCESS)
      out.detail.assign(detail);
  }
  if (is_http_url(url)) {
    out.url.assign(url);
    return std::nullopt;
  }
  if (split_data_url(url, out.media_type, out.data))
    return std::nullopt;
  return bad_request(std::string{where}
                     + ".image_url.url must be an http(s) URL or a "
                       "data:<media type>;base64,<data> URL");
}

/// A message's `content`: a string or an array of parts. `images` says
/// whether image_url parts may appear (user and tool messages).
std::optional<api_error> read_content(element content, std::string_view where,
                                      bool images,
                                      std::vector<content_part>& out) {
  std::string_view s;
  if (content.get(s) == SUCCESS) {
    if (!s.empty())
      out.push_back(content_part::make_text(std::string{s}));
    return std::nullopt;
  }
  array parts;
  if (content.get(parts) != SUCCESS)
    return bad_request(std::string{where}
                       + ".content must be a string or an array of parts");
  std::size_t i = 0;
  for (auto part : parts) {
    auto at = indexed(where, "content", i++);
    std::string_view type;
    if (part["type"].get(type) != SUCCESS)
      return bad_request(at + ".type is required");
    if (type == "text" || type == "refusal") {
      std::string_view text;
      if (part[type].get(text) != SUCCESS)
        return bad_request(at + "." + std::string{type} + " must be a string");
      out.push_back(content_part::make_text(std::string{text}));
    } else if (type == "image_url" && images) {
      content_part img;
      if (auto e = read_image_url(part, at, img))
        return e;
      out.push_back(std::move(img));
    } else if (type == "image_url") {
      return bad_request(at
                         + ": image_url parts are only allowed in user "
                           "and tool messages");
    } else {
      return not_supported(
        at + ".type '" + std::string{type} + "'",
        type == "input_audio" || type == "file" ? "send text or images" : "");
    }
  }
  return std::nullopt;
}

std::optional<api_error> read_tool_calls(array calls, std::string_view where,
                                         chat_message& m) {
  std::size_t i = 0;
  for (auto call : calls) {
    auto at = indexed(where, "tool_calls", i++);
    std::string_view type = "function";
    if (call["type"].get(type) == SUCCESS && type != "function")
      return not_supported(at + ".type '" + std::string{type} + "'");
    std::string_view id, name;
    if (call["id"].get(id) != SUCCESS)
      return bad_request(at + ".id is required");
    if (call["function"]["name"].get(name) != SUCCESS)
      return bad_request(at + ".function.name is required");
    element args;
    std::string arguments = "{}";
    if (call["function"]["arguments"].get(args) == SUCCESS && !args.is_null()) {
      std::string_view text;
      if (args.get(text) == SUCCESS) {
        if (!text.empty())
          arguments.assign(text);
      } else {
        arguments = raw_json(args);
      }
    }
    m.parts.push_back(content_part::make_tool_call(
      std::string{id}, std::string{name}, std::move(arguments)));
  }
  return std::nullopt;
}

std::optional<api_error> read_message(element m, std::size_t index,
                                      chat_message& out) {
  auto where = "messages[" + std::to_string(index) + "]";
  std::string_view role_text;
  if (m["role"].get(role_text) != SUCCESS)
    return bad_request(where + ".role is required");
  if (role_text == "function")
    return not_supported(where + ".role 'function' (legacy)",
                         "use role 'tool' with tool_call_id");
  auto role = engine::parse_message_role(role_text);
  if (!role)
    return bad_request(where
                       + ".role must be system, developer, user, "
                         "assistant or tool");
  out.role = *role;
  object obj;
  if (m.get(obj) != SUCCESS)
    return bad_request(where + " must be an object");
  if (auto e = optional_string(obj, "name", where, out.name))
    return e;
  element content;
  bool has_content = m["content"].get(content) == SUCCESS && !content.is_null();
  switch (out.role) {
    case message_role::system:
    case message_role::developer:
    case message_role::user:
      if (!has_content)
        return bad_request(where + ".content is required");
      return read_content(content, where, out.role == message_role::user,
                          out.parts);
    case message_role::assistant: {
      element legacy;
      if (m["function_call"].get(legacy) == SUCCESS && !legacy.is_null())
        return not_supported(where + ".function_call (legacy)",
                             "use tool_calls");
      if (m["audio"].get(legacy) == SUCCESS && !legacy.is_null())
        return not_supported(where + ".audio");
      if (has_content)
        if (auto e = read_content(content, where, false, out.parts))
          return e;
      array calls;
      if (m["tool_calls"].get(calls) == SUCCESS)
        return read_tool_calls(calls, where, out);
      return std::nullopt;
    }
    case message_role::tool: {
      content_part result;
      result.kind = part_kind::tool_result;
      std::string_view id;
      if (m["tool_call_id"].get(id) != SUCCESS)
        return bad_request(where + ".tool_call_id is required");
      result.id.assign(id);
      if (has_content)
        if (auto e = read_content(content, where, true, result.content))
          return e;
      out.parts.push_back(std::move(result));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<api_error> read_tools(array tools, engine::request_options& o) {
  std::size_t i = 0;
  for (auto tool : tools) {
    auto at = "tools[" + std::to_string(i++) + "]";
    std::string_view type;
    if (tool["type"].get(type) != SUCCESS)
      return bad_request(at + ".type is required");
    if (type != "function")
      return not_supported(at + ".type '" + std::string{type} + "'",
                           "only function tools are");
    object fn;
    if (tool["function"].get(fn) != SUCCESS)
      return bad_request(at + ".function is required");
    engine::tool_definition def;
    if (auto e = optional_string(fn, "name", at + ".function", def.name))
      return e;
    if (def.name.empty())
      return bad_request(at + ".function.name is required");
    if (auto e = optional_string(fn, "description", at + ".function",
                                 def.description))
      return e;
    element params;
    if (fn["parameters"].get(params) == SUCCESS && !params.is_null())
      def.parameters = raw_json(params);
    bool strict;
    if (fn["strict"].get(strict) == SUCCESS)
      def.strict = strict;
    o.tools.push_back(std::move(def));
  }
  return std::nullopt;
}

std::optional<api_error> read_tool_choice(element choice,
                                          engine::request_options& o) {
  using engine::tool_choice_mode;
  std::string_view s;
  if (choice.get(s) == SUCCESS) {
    if (auto word = engine::tool_choice_word(s))
      o.choice.mode = *word;
    else
      return bad_request("tool_choice must be auto, none, required or "
                         "{\"type\":\"function\",\"function\":{\"name\":...}}");
  } else {
    std::string_view type, name;
    if (choice["type"].get(type) != SUCCESS || type != "function")
      return not_supported("tool_choice.type '" + std::string{type} + "'");
    if (choice["function"]["name"].get(name) != SUCCESS)
      return bad_request("tool_choice.function.name is required");
    o.choice.mode = tool_choice_mode::named;
    o.choice.name.assign(name);
  }
  if (o.choice.mode == tool_choice_mode::named
      && std::none_of(o.tools.begin(), o.tools.end(), [&](const auto& t) {
           return t.name == o.choice.name;
         }))
    return bad_request("tool_choice names '" + o.choice.name
                       + "', which is not one of the tools");
  if (o.choice.mode == tool_choice_mode::required && o.tools.empty())
    return bad_request("tool_choice 'required' needs tools");
  return std::nullopt;
}

std::optional<api_error> read_response_format(element f,
                                              engine::response_format& out) {
  using engine::response_format_kind;
  std::string_view type;
  if (f["type"].get(type) != SUCCESS)
    return bad_request("response_format.type is required");
  if (type == "text") {
    out.kind = response_format_kind::text;
  } else if (type == "json_object") {
    out.kind = response_format_kind::json_object;
  } else if (type == "json_schema") {
    out.kind = response_format_kind::json_schema;
    object js;
    if (f["json_schema"].get(js) != SUCCESS)
      return bad_request("response_format.json_schema is required");
    if (auto e = optional_string(js, "name", "response_format.json_schema",
                                 out.name))
      return e;
    if (out.name.empty())
      return bad_request("response_format.json_schema.name is required");
    if (auto e = optional_string(
          js, "description", "response_format.json_schema", out.description))
      return e;
    element schema;
    if (js["schema"].get(schema) == SUCCESS && !schema.is_null())
      out.schema = raw_json(schema);
    bool strict;
    if (js["strict"].get(strict) == SUCCESS)
      out.strict = strict;
  } else {
    return not_supported("response_format.type '" + std::string{type} + "'");
  }
  return std::nullopt;
}

/// Top-level fields that change nothing about the answer: accepted and not
/// carried (README lists them).
constexpr std::array<std::string_view, 4> ignored_fields{
  "metadata", "service_tier", "prompt_cache_key", "safety_identifier"};

/// Fields read by parse_openai_chat itself.
constexpr std::array<std::string_view, 22> read_fields{"model",
                                                       "messages",
                                                       "temperature",
                                                       "top_p",
                                                       "max_tokens",
                                                       "max_completion_tokens",
                                                       "n",
                                                       "stop",
                                                       "stream",
                                                       "stream_options",
                                                       "tools",
                                                       "tool_choice",
                                                       "parallel_tool_calls",
                                                       "response_format",
                                                       "seed",
                                                       "user",
                                                       "logprobs",
                                                       "top_logprobs",
                                                       "reasoning_effort",
                                                       "switchyard",
                                                       "store",
                                                       "modalities"};

bool zero_or_null(element v) {
  double d = 0;
  return v.is_null() || (v.get(d) == SUCCESS && d == 0.0);
}

/// Refuses every top-level field that would change the answer and that we
/// cannot carry, naming it.
std::optional<api_error> check_fields(object root) {
  for (auto [key, value] : root) {
    auto known = [key = key](const auto& list) {
      return std::find(list.begin(), list.end(), key) != list.end();
    };
    if (known(read_fields) || known(ignored_fields))
      continue;
    if ((key == "frequency_penalty" || key == "presence_penalty")
        && zero_or_null(value))
      continue;
    object bias;
    if (key == "logit_bias"
        && (value.is_null()
            || (value.get(bias) == SUCCESS && bias.size() == 0)))
      continue;
    if (key == "functions" || key == "function_call")
      return not_supported(std::string{key} + " (legacy)",
                           "use tools and tool_choice");
    if (key == "audio" || key == "prediction" || key == "web_search_options"
        || key == "frequency_penalty" || key == "presence_penalty"
        || key == "logit_bias" || key == "verbosity")
      return not_supported(key);
    return not_supported("the field '" + std::string{key} + "'",
                         "unknown fields are refused rather than ignored");
  }
  bool store = false;
  if (root["store"].get(store) == SUCCESS && store)
    return not_supported("store: true", "the gateway keeps no completions");
  array modalities;
  if (root["modalities"].get(modalities) == SUCCESS)
    for (auto m : modalities) {
      std::string_view s;
      if (m.get(s) != SUCCESS || s != "text")
        return not_supported("modalities other than [\"text\"]");
    }
  return std::nullopt;
}

std::optional<api_error> read_options(element root, chat_request& out) {
  auto& t = out.task;
  auto& o = t.options;
  element v;
  double d;
  std::int64_t n;
  bool b;
  std::string_view s;
  if (root["temperature"].get(v) == SUCCESS && !v.is_null()) {
    if (v.get(d) != SUCCESS)
      return bad_request("temperature must be a number");
    t.temperature = d;
  }
  if (root["top_p"].get(v) == SUCCESS && !v.is_null()) {
    if (v.get(d) != SUCCESS)
      return bad_request("top_p must be a number");
    o.top_p = d;
  }
  if (root["max_completion_tokens"].get(n) == SUCCESS
      || root["max_tokens"].get(n) == SUCCESS) {
    if (n < 1)
      return bad_request("max_tokens must be >= 1");
    t.max_output_tokens
      = static_cast<std::uint32_t>(std::min<std::int64_t>(n, 1'000'000));
  }
  if (root["n"].get(n) == SUCCESS && n != 1)
    return bad_request("n: only n = 1 is supported", "unsupported_n");
  array stops;
  if (root["stop"].get(s) == SUCCESS)
    t.stop.emplace_back(s);
  else if (root["stop"].get(stops) == SUCCESS)
    for (auto stop : stops) {
      if (stop.get(s) != SUCCESS)
        return bad_request("stop must be a string or an array of strings");
      t.stop.emplace_back(s);
    }
  if (root["stream"].get(b) == SUCCESS)
    out.stream = b;
  if (root["stream_options"]["include_usage"].get(b) == SUCCESS)
    out.include_usage = b;
  if (root["seed"].get(v) == SUCCESS && !v.is_null()) {
    if (v.get(n) != SUCCESS)
      return bad_request("seed must be an integer");
    o.seed = n;
  }
  if (root["user"].get(s) == SUCCESS)
    o.user.assign(s);
  if (root["logprobs"].get(b) == SUCCESS)
    o.logprobs = b;
  if (root["top_logprobs"].get(v) == SUCCESS && !v.is_null()) {
    if (v.get(n) != SUCCESS || n < 0 || n > 20)
      return bad_request("top_logprobs must be an integer from 0 to 20");
    o.top_logprobs = static_cast<std::uint32_t>(n);
  }
  if (root["reasoning_effort"].get(s) == SUCCESS) {
    if (s != "minimal" && s != "low" && s != "medium" && s != "high")
      return bad_request("reasoning_effort must be minimal, low, medium or "
                         "high");
    o.reasoning_effort.assign(s);
  }
  array tools;
  if (root["tools"].get(tools) == SUCCESS)
    if (auto e = read_tools(tools, o))
      return e;
  if (root["tool_choice"].get(v) == SUCCESS && !v.is_null())
    if (auto e = read_tool_choice(v, o))
      return e;
  if (root["parallel_tool_calls"].get(b) == SUCCESS)
    o.parallel_tool_calls = b;
  if (root["response_format"].get(v) == SUCCESS && !v.is_null())
    if (auto e = read_response_format(v, o.format))
      return e;
  return std::nullopt;
}

} // namespace

parsed_chat parse_openai_chat(std::string_view body,
                              const header_lookup& headers,
                              const engine::registry& reg) {
  parsed_json p;
  if (auto e = parse_json(body, p))
    return *e;
  chat_request out;
  auto& t = out.task;
  std::string_view model;
  if (p.root["model"].get(model) != SUCCESS)
    return bad_request("you must provide a model parameter (\"auto\" routes)",
                       "missing_model");
  array messages;
  if (p.root["messages"].get(messages) != SUCCESS || messages.size() == 0)
    return bad_request("messages must be a non-empty array",
                       "invalid_messages");
  std::size_t i = 0;
  for (auto m : messages) {
    chat_message cm;
    if (auto e = read_message(m, i++, cm))
      return *e;
    t.messages.push_back(std::move(cm));
  }
  if (auto e = check_fields(p.root))
    return *e;
  if (auto e = read_options(p.root, out))
    return *e;
  // The classifier reads the newest user turn, not the transcript.
  t.text = engine::newest_user_text(t.messages);
  if (t.text.empty())
    t.text = t.messages.back().text();
  if (auto e = apply_hints(p.root, headers, reg, out))
    return *e;
  if (auto e = resolve_model(model, reg, out))
    return *e;
  return out;
}

} // namespace switchyard::gateway
