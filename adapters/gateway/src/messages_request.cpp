// POST /v1/messages: Anthropic's request into the conversation model.
// tool_result blocks in a user turn become a `tool` message (in order),
// followed by a user message with the turn's other blocks, if any.

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

/// Anthropic names a field by its dotted path ("messages.0.content.1").
std::string dotted(std::string_view where, std::string_view key,
                   std::size_t i) {
  std::string out{where};
  out += '.';
  out += key;
  out += '.';
  out += std::to_string(i);
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

/// `cache_control` as JSON text, when the block has one.
std::string cache_control_of(element block) {
  element cc;
  if (block["cache_control"].get(cc) == SUCCESS && !cc.is_null())
    return raw_json(cc);
  return {};
}

std::optional<api_error> read_text(element block, std::string_view where,
                                   content_part& out) {
  std::string_view text;
  if (block["text"].get(text) != SUCCESS)
    return bad_request(std::string{where} + ".text: Field required");
  out = content_part::make_text(std::string{text});
  out.cache_control = cache_control_of(block);
  return std::nullopt;
}

std::optional<api_error> read_image(element block, std::string_view where,
                                    content_part& out) {
  out.kind = part_kind::image;
  out.cache_control = cache_control_of(block);
  std::string_view type, s;
  auto source = block["source"];
  if (source["type"].get(type) != SUCCESS)
    return bad_request(std::string{where} + ".source.type: Field required");
  if (type == "base64") {
    if (source["media_type"].get(s) != SUCCESS)
      return bad_request(std::string{where}
                         + ".source.media_type: Field required");
    out.media_type.assign(s);
    if (source["data"].get(s) != SUCCESS)
      return bad_request(std::string{where} + ".source.data: Field required");
    out.data.assign(s);
    return std::nullopt;
  }
  if (type == "url") {
    if (source["url"].get(s) != SUCCESS || !is_http_url(s))
      return bad_request(std::string{where}
                         + ".source.url: must be an http(s) URL");
    out.url.assign(s);
    return std::nullopt;
  }
  return not_supported(std::string{where} + ".source.type '" + std::string{type}
                       + "'");
}

/// A tool_result's content: a string or text and image blocks.
std::optional<api_error> read_result_content(element content,
                                             std::string_view where,
                                             content_part& result) {
  std::string_view s;
  if (content.get(s) == SUCCESS) {
    if (!s.empty())
      result.content.push_back(content_part::make_text(std::string{s}));
    return std::nullopt;
  }
  array blocks;
  if (content.get(blocks) != SUCCESS)
    return bad_request(std::string{where}
                       + ".content: must be a string or a list of blocks");
  std::size_t i = 0;
  for (auto block : blocks) {
    auto at = dotted(where, "content", i++);
    std::string_view type;
    if (block["type"].get(type) != SUCCESS)
      return bad_request(at + ".type: Field required");
    content_part part;
    if (type == "text") {
      if (auto e = read_text(block, at, part))
        return e;
    } else if (type == "image") {
      if (auto e = read_image(block, at, part))
        return e;
    } else {
      return not_supported(at + ".type '" + std::string{type} + "'");
    }
    result.content.push_back(std::move(part));
  }
  return std::nullopt;
}

/// One block of a user or assistant turn; tool results go to `results`.
std::optional<api_error> read_block(element block, std::string_view at,
                                    message_role role, chat_message& msg,
                                    chat_message& results) {
  std::string_view type;
  if (block["type"].get(type) != SUCCESS)
    return bad_request(std::string{at} + ".type: Field required");
  bool assistant = role == message_role::assistant;
  content_part part;
  if (type == "text") {
    if (auto e = read_text(block, at, part))
      return e;
  } else if (type == "image" && !assistant) {
    if (auto e = read_image(block, at, part))
      return e;
  } else if (type == "tool_use" && assistant) {
    std::string_view id, name;
    if (block["id"].get(id) != SUCCESS)
      return bad_request(std::string{at} + ".id: Field required");
    if (block["name"].get(name) != SUCCESS)
      return bad_request(std::string{at} + ".name: Field required");
    element input;
    if (block["input"].get(input) != SUCCESS || !input.is_object())
      return bad_request(std::string{at} + ".input: must be an object");
    part = content_part::make_tool_call(std::string{id}, std::string{name},
                                        raw_json(input));
    part.cache_control = cache_control_of(block);
  } else if (type == "tool_result" && !assistant) {
    part.kind = part_kind::tool_result;
    std::string_view id;
    if (block["tool_use_id"].get(id) != SUCCESS)
      return bad_request(std::string{at} + ".tool_use_id: Field required");
    part.id.assign(id);
    element content;
    if (block["content"].get(content) == SUCCESS && !content.is_null())
      if (auto e = read_result_content(content, at, part))
        return e;
    bool is_error = false;
    if (block["is_error"].get(is_error) == SUCCESS)
      part.is_error = is_error;
    part.cache_control = cache_control_of(block);
    results.parts.push_back(std::move(part));
    return std::nullopt;
  } else if ((type == "thinking" || type == "redacted_thinking") && assistant) {
    part.kind = part_kind::reasoning;
    part.name = "anthropic";
    std::string_view s;
    if (type == "thinking") {
      if (block["thinking"].get(s) != SUCCESS)
        return bad_request(std::string{at} + ".thinking: Field required");
      part.text.assign(s);
      if (block["signature"].get(s) == SUCCESS)
        part.signature.assign(s);
    } else {
      if (block["data"].get(s) != SUCCESS)
        return bad_request(std::string{at} + ".data: Field required");
      part.redacted = true;
      part.data.assign(s);
    }
  } else {
    return not_supported(std::string{at} + ".type '" + std::string{type} + "'",
                         type == "document" ? "send text or images" : "");
  }
  msg.parts.push_back(std::move(part));
  return std::nullopt;
}

std::optional<api_error> read_turn(element m, std::size_t index,
                                   std::vector<chat_message>& out) {
  auto where = "messages." + std::to_string(index);
  std::string_view role_text;
  if (m["role"].get(role_text) != SUCCESS
      || (role_text != "user" && role_text != "assistant"))
    return bad_request(where + ".role: must be user or assistant");
  chat_message msg;
  msg.role = role_text == "user" ? message_role::user : message_role::assistant;
  chat_message results;
  results.role = message_role::tool;
  element content;
  if (m["content"].get(content) != SUCCESS)
    return bad_request(where + ".content: Field required");
  std::string_view s;
  array blocks;
  if (content.get(s) == SUCCESS) {
    if (!s.empty())
      msg.parts.push_back(content_part::make_text(std::string{s}));
  } else if (content.get(blocks) == SUCCESS) {
    std::size_t i = 0;
    for (auto block : blocks)
      if (auto e = read_block(block, dotted(where, "content", i++), msg.role,
                              msg, results))
        return e;
  } else {
    return bad_request(where
                       + ".content: must be a string or a list of blocks");
  }
  bool answered_tools = !results.parts.empty();
  if (answered_tools)
    out.push_back(std::move(results));
  if (!msg.parts.empty() || !answered_tools)
    out.push_back(std::move(msg));
  return std::nullopt;
}

std::optional<api_error> read_system(element system, chat_request& out) {
  chat_message sys;
  sys.role = message_role::system;
  std::string_view s;
  array blocks;
  if (system.get(s) == SUCCESS) {
    if (!s.empty())
      sys.parts.push_back(content_part::make_text(std::string{s}));
  } else if (system.get(blocks) == SUCCESS) {
    std::size_t i = 0;
    for (auto block : blocks) {
      auto at = "system." + std::to_string(i++);
      std::string_view type;
      if (block["type"].get(type) != SUCCESS || type != "text")
        return not_supported(at + ".type '" + std::string{type} + "'",
                             "system blocks are text");
      content_part part;
      if (auto e = read_text(block, at, part))
        return e;
      // One mark for the system prompt: Anthropic caches the prefix up to
      // the marked block, and the prompt goes upstream as one piece.
      if (!part.cache_control.empty())
        out.task.options.system_cache_control = std::move(part.cache_control);
      part.cache_control.clear();
      sys.parts.push_back(std::move(part));
    }
  } else {
    return bad_request("system: must be a string or a list of text blocks");
  }
  if (!sys.parts.empty())
    out.task.messages.push_back(std::move(sys));
  return std::nullopt;
}

std::optional<api_error> read_tools(array tools, engine::request_options& o) {
  std::size_t i = 0;
  for (auto tool : tools) {
    auto at = "tools." + std::to_string(i++);
    std::string_view type;
    if (tool["type"].get(type) == SUCCESS && type != "custom")
      return not_supported(at + ".type '" + std::string{type} + "'",
                           "server tools are not available through the "
                           "gateway; define client tools with input_schema");
    object obj;
    if (tool.get(obj) != SUCCESS)
      return bad_request(at + ": must be an object");
    engine::tool_definition def;
    if (auto e = optional_string(obj, "name", at, def.name))
      return e;
    if (def.name.empty())
      return bad_request(at + ".name: Field required");
    if (auto e = optional_string(obj, "description", at, def.description))
      return e;
    element schema;
    if (tool["input_schema"].get(schema) != SUCCESS || !schema.is_object())
      return bad_request(at + ".input_schema: Field required");
    def.parameters = raw_json(schema);
    def.cache_control = cache_control_of(tool);
    o.tools.push_back(std::move(def));
  }
  return std::nullopt;
}

std::optional<api_error> read_tool_choice(element choice,
                                          engine::request_options& o) {
  using engine::tool_choice_mode;
  std::string_view type;
  if (choice["type"].get(type) != SUCCESS)
    return bad_request("tool_choice.type: Field required");
  if (type == "auto") {
    o.choice.mode = tool_choice_mode::auto_;
  } else if (type == "any") {
    o.choice.mode = tool_choice_mode::required;
  } else if (type == "none") {
    o.choice.mode = tool_choice_mode::none;
  } else if (type == "tool") {
    std::string_view name;
    if (choice["name"].get(name) != SUCCESS)
      return bad_request("tool_choice.name: Field required");
    o.choice.mode = tool_choice_mode::named;
    o.choice.name.assign(name);
    if (std::none_of(o.tools.begin(), o.tools.end(), [&](const auto& t) {
          return t.name == name;
        }))
      return bad_request("tool_choice.name: '" + o.choice.name
                         + "' is not one of the tools");
  } else {
    return bad_request("tool_choice.type: must be auto, any, tool or none");
  }
  if (o.choice.mode == tool_choice_mode::required && o.tools.empty())
    return bad_request("tool_choice: 'any' needs tools");
  bool disable = false;
  if (choice["disable_parallel_tool_use"].get(disable) == SUCCESS && disable)
    o.parallel_tool_calls = false;
  return std::nullopt;
}

/// Fields that change nothing about the answer (README lists them).
constexpr std::array<std::string_view, 1> ignored_fields{"service_tier"};

constexpr std::array<std::string_view, 13> read_fields{
  "model",       "max_tokens", "messages",       "system", "temperature",
  "top_p",       "top_k",      "stop_sequences", "stream", "tools",
  "tool_choice", "thinking",   "metadata"};

std::optional<api_error> check_fields(object root) {
  for (auto [key, value] : root) {
    auto known = [key = key](const auto& list) {
      return std::find(list.begin(), list.end(), key) != list.end();
    };
    if (known(read_fields) || known(ignored_fields) || key == "switchyard")
      continue;
    if (key == "mcp_servers" || key == "container")
      return not_supported(key, "server-side features are not available "
                                "through the gateway");
    return not_supported("the field '" + std::string{key} + "'",
                         "unknown fields are refused rather than ignored");
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
      return bad_request("temperature: must be a number");
    t.temperature = d;
  }
  if (root["top_p"].get(v) == SUCCESS && !v.is_null()) {
    if (v.get(d) != SUCCESS)
      return bad_request("top_p: must be a number");
    o.top_p = d;
  }
  if (root["top_k"].get(v) == SUCCESS && !v.is_null()) {
    if (v.get(n) != SUCCESS || n < 1)
      return bad_request("top_k: must be an integer >= 1");
    o.top_k = static_cast<std::uint32_t>(std::min<std::int64_t>(n, 1'000'000));
  }
  array stops;
  if (root["stop_sequences"].get(stops) == SUCCESS)
    for (auto stop : stops) {
      if (stop.get(s) != SUCCESS)
        return bad_request("stop_sequences: must be a list of strings");
      t.stop.emplace_back(s);
    }
  if (root["stream"].get(b) == SUCCESS)
    out.stream = b;
  if (root["metadata"]["user_id"].get(s) == SUCCESS)
    o.user.assign(s);
  object thinking;
  if (root["thinking"].get(thinking) == SUCCESS) {
    std::string_view type;
    if (thinking["type"].get(type) != SUCCESS
        || (type != "enabled" && type != "disabled"))
      return bad_request("thinking.type: must be enabled or disabled");
    if (type == "enabled") {
      if (thinking["budget_tokens"].get(n) != SUCCESS || n < 1)
        return bad_request("thinking.budget_tokens: Field required");
      o.thinking_budget
        = static_cast<std::uint32_t>(std::min<std::int64_t>(n, 1'000'000));
    }
  }
  array tools;
  if (root["tools"].get(tools) == SUCCESS)
    if (auto e = read_tools(tools, o))
      return e;
  if (root["tool_choice"].get(v) == SUCCESS && !v.is_null())
    if (auto e = read_tool_choice(v, o))
      return e;
  return std::nullopt;
}

} // namespace

parsed_chat parse_anthropic_messages(std::string_view body,
                                     const header_lookup& headers,
                                     const engine::registry& reg) {
  parsed_json p;
  if (auto e = parse_json(body, p))
    return *e;
  chat_request out;
  auto& t = out.task;
  std::string_view model;
  if (p.root["model"].get(model) != SUCCESS)
    return bad_request("model: Field required");
  std::int64_t max_tokens = 0;
  if (p.root["max_tokens"].get(max_tokens) != SUCCESS)
    return bad_request("max_tokens: Field required");
  if (max_tokens < 1)
    return bad_request("max_tokens: must be >= 1");
  t.max_output_tokens
    = static_cast<std::uint32_t>(std::min<std::int64_t>(max_tokens, 1'000'000));
  element system;
  if (p.root["system"].get(system) == SUCCESS && !system.is_null())
    if (auto e = read_system(system, out))
      return *e;
  array messages;
  if (p.root["messages"].get(messages) != SUCCESS || messages.size() == 0)
    return bad_request("messages: must be a non-empty array");
  std::size_t i = 0;
  for (auto m : messages)
    if (auto e = read_turn(m, i++, t.messages))
      return *e;
  if (auto e = check_fields(p.root))
    return *e;
  if (auto e = read_options(p.root, out))
    return *e;
  t.text = engine::newest_user_text(t.messages);
  if (t.text.empty() && !t.messages.empty())
    t.text = t.messages.back().text();
  // Anthropic's type for an unknown model (`model` or a pin).
  auto not_found = [](api_error e) {
    if (e.status == 404)
      e.type = "not_found_error";
    return e;
  };
  if (auto e = apply_hints(p.root, headers, reg, out))
    return not_found(*e);
  if (auto e = resolve_model(model, reg, out))
    return not_found(*e);
  return out;
}

} // namespace switchyard::gateway
