// Reading requests: the fields every format shares, and the formats whose
// messages follow OpenAI's shape (OpenAI, Cohere, Ollama). Anthropic and
// Gemini, whose content is blocks and parts, are in
// request_reading_blocks.cpp.
#include "request_readers.hpp"

#include <algorithm>
#include <cctype>

namespace switchyard::sim::detail {

namespace {

using engine::provider_kind;
using simdjson::dom::array;
using simdjson::dom::element;

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size()
         && s.substr(s.size() - suffix.size()) == suffix;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x))
           == std::tolower(static_cast<unsigned char>(y));
  });
}

/// Adds up the text of `messages` (or `contents[].parts[].text`).
std::uint64_t message_bytes(json_result messages) {
  std::uint64_t bytes = 0;
  array arr;
  if (messages.get(arr))
    return 0;
  for (auto m : arr) {
    std::string_view text;
    if (!m["content"].get(text)) {
      bytes += text.size() + 16;
      continue;
    }
    array parts;
    if (!m["parts"].get(parts) || !m["content"].get(parts))
      for (auto p : parts)
        if (!p["text"].get(text))
          bytes += text.size();
    bytes += 16;
  }
  return bytes;
}

/// The text of a system prompt given as a string or as text blocks.
std::uint64_t system_bytes(json_result system) {
  std::string_view text;
  if (!system.get(text))
    return text.size();
  std::uint64_t bytes = 0;
  array blocks;
  if (!system.get(blocks))
    for (auto b : blocks)
      if (!b["text"].get(text))
        bytes += text.size();
  return bytes;
}

std::uint32_t as_u32(json_result e) {
  std::uint64_t n = 0;
  if (e.get(n))
    return 0;
  return n > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<std::uint32_t>(n);
}

/// OpenAI's and Cohere's content parts: `image_url` parts carry an image
/// (`{url}`, or a bare string in older clients).
void count_content_images(element message, parsed_request& out) {
  array parts;
  if (message["content"].get(parts))
    return;
  for (auto p : parts) {
    if (string_or_empty(p["type"]) != "image_url")
      continue;
    std::string_view url;
    if (p["image_url"]["url"].get(url) && p["image_url"].get(url))
      continue;
    count_image_url(url, out.images);
  }
}

std::string_view last_role(json_result messages) {
  array arr;
  if (messages.get(arr) || arr.size() == 0)
    return {};
  return string_or_empty(arr.at(arr.size() - 1)["role"]);
}

} // namespace

// -- shared helpers
// -------------------------------------------------------------

json_result either(element e, std::string_view a, std::string_view b) {
  auto r = e[a];
  if (r.error() == simdjson::SUCCESS)
    return r;
  return e[b];
}

std::string minified(element e) {
  return simdjson::to_string(e);
}

std::string_view string_or_empty(json_result r) {
  std::string_view s;
  if (r.get(s))
    return {};
  return s;
}

std::string_view string_or_empty(element e) {
  std::string_view s;
  if (e.get(s))
    return {};
  return s;
}

std::uint64_t base64_decoded_size(std::string_view text) noexcept {
  std::uint64_t symbols = 0;
  for (char c : text)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'
        || c == '-' || c == '_')
      ++symbols;
  // Four symbols carry three bytes; a trailing group of 2 or 3 carries 1 or 2.
  return symbols / 4 * 3 + (symbols % 4 > 1 ? symbols % 4 - 1 : 0);
}

void count_image_url(std::string_view url, image_tally& t) {
  if (url.substr(0, 5) != "data:") {
    ++t.url_images;
    return;
  }
  ++t.inline_images;
  auto comma = url.find(',');
  if (comma == std::string_view::npos)
    return;
  auto meta = url.substr(0, comma);
  auto data = url.substr(comma + 1);
  t.inline_bytes += ends_with(meta, ";base64") ? base64_decoded_size(data)
                                               : data.size();
}

void read_function_tools(json_result tools, parsed_request& out) {
  array arr;
  if (tools.get(arr))
    return;
  for (auto t : arr) {
    element fn;
    if (t["function"].get(fn))
      continue;
    tool_decl d;
    d.name = std::string{string_or_empty(fn["name"])};
    element params;
    if (!fn["parameters"].get(params))
      d.parameters = minified(params);
    out.tools.push_back(std::move(d));
  }
}

bool check_tool_choice(const parsed_request& req, refusal& out) {
  if (req.choice == tool_mode::required && req.tools.empty()) {
    out.message = "tool_choice requires a tool call, but the request offers "
                  "no tools";
    out.param = "tool_choice";
    return false;
  }
  for (const auto& name : req.allowed) {
    auto offered = std::any_of(req.tools.begin(), req.tools.end(),
                               [&](const tool_decl& t) {
                                 return t.name == name;
                               });
    if (!offered) {
      out.message = "tool_choice names the tool '" + name
                    + "', which is not among the request's tools";
      out.param = "tool_choice";
      return false;
    }
  }
  return true;
}

// -- OpenAI
// ---------------------------------------------------------------------

void read_openai(element doc, parsed_request& out) {
  array messages;
  if (!doc["messages"].get(messages)) {
    std::size_t i = 0;
    for (auto m : messages) {
      count_content_images(m, out);
      if (string_or_empty(m["role"]) == "tool")
        out.tool_results.push_back(
          {std::string{string_or_empty(m["tool_call_id"])},
           {},
           "messages.[" + std::to_string(i) + "].tool_call_id"});
      ++i;
    }
  }
  out.ends_with_tool_result = last_role(doc["messages"]) == "tool";
  read_function_tools(doc["tools"], out);
  element choice;
  if (!doc["tool_choice"].get(choice)) {
    std::string_view mode;
    if (!choice.get(mode)) {
      out.choice = mode == "none"       ? tool_mode::none
                   : mode == "required" ? tool_mode::required
                                        : tool_mode::automatic;
    } else if (string_or_empty(choice["type"]) == "function") {
      out.choice = tool_mode::required;
      out.allowed.emplace_back(string_or_empty(choice["function"]["name"]));
    } else if (string_or_empty(choice["type"]) == "allowed_tools") {
      // {type: allowed_tools, allowed_tools: {mode, tools: [...]}}
      auto allowed = choice["allowed_tools"];
      out.choice = string_or_empty(allowed["mode"]) == "required"
                     ? tool_mode::required
                     : tool_mode::automatic;
      array tools;
      if (!allowed["tools"].get(tools))
        for (auto t : tools) {
          auto name = string_or_empty(t["function"]["name"]);
          out.allowed.emplace_back(name.empty() ? string_or_empty(t["name"])
                                                : name);
        }
    }
  }
  element format;
  if (!doc["response_format"].get(format)) {
    auto type = string_or_empty(format["type"]);
    if (type == "json_object" || type == "json_schema")
      out.form = answer_form::json;
    element schema;
    if (type == "json_schema" && !format["json_schema"]["schema"].get(schema))
      out.schema = minified(schema);
  }
}

// -- Cohere
// ---------------------------------------------------------------------

void read_cohere(element doc, parsed_request& out) {
  array messages;
  if (!doc["messages"].get(messages)) {
    std::size_t i = 0;
    for (auto m : messages) {
      count_content_images(m, out);
      if (string_or_empty(m["role"]) == "tool")
        out.tool_results.push_back(
          {std::string{string_or_empty(m["tool_call_id"])},
           {},
           "messages[" + std::to_string(i) + "].tool_call_id"});
      ++i;
    }
  }
  out.ends_with_tool_result = last_role(doc["messages"]) == "tool";
  read_function_tools(doc["tools"], out);
  // Cohere v2 has no named choice: REQUIRED or NONE (and AUTO when absent).
  auto choice = string_or_empty(doc["tool_choice"]);
  if (iequals(choice, "required"))
    out.choice = tool_mode::required;
  else if (iequals(choice, "none"))
    out.choice = tool_mode::none;
  element format;
  if (!doc["response_format"].get(format)
      && string_or_empty(format["type"]) == "json_object") {
    out.form = answer_form::json;
    element schema;
    if (!either(format, "json_schema", "schema").get(schema))
      out.schema = minified(schema);
  }
}

// -- Ollama
// ---------------------------------------------------------------------

void read_ollama(element doc, parsed_request& out) {
  array messages;
  if (!doc["messages"].get(messages)) {
    std::size_t i = 0;
    for (auto m : messages) {
      array images;
      if (!m["images"].get(images))
        for (auto img : images) {
          ++out.images.inline_images;
          out.images.inline_bytes += base64_decoded_size(string_or_empty(img));
        }
      if (string_or_empty(m["role"]) == "tool") {
        // Ollama has no call ids; newer clients name the tool instead.
        auto name = string_or_empty(m["tool_name"]);
        out.tool_results.push_back(
          {{},
           std::string{name},
           "messages[" + std::to_string(i) + "].tool_name"});
      }
      ++i;
    }
  }
  out.ends_with_tool_result = last_role(doc["messages"]) == "tool";
  read_function_tools(doc["tools"], out);
  element format;
  if (!doc["format"].get(format)) {
    std::string_view word;
    if (!format.get(word)) {
      if (word == "json")
        out.form = answer_form::json;
    } else if (format.is_object()) {
      out.form = answer_form::json;
      out.schema = minified(format);
    }
  }
}

// -- every format
// ---------------------------------------------------------------

bool route(std::string_view path, engine::provider_kind& kind) {
  if (ends_with(path, "/chat/completions")) {
    kind = provider_kind::openai;
    return true;
  }
  if (ends_with(path, "/v1/messages")) {
    kind = provider_kind::anthropic;
    return true;
  }
  if (path.find("/models/") != std::string_view::npos
      && (ends_with(path, ":generateContent")
          || ends_with(path, ":streamGenerateContent"))) {
    kind = provider_kind::gemini;
    return true;
  }
  if (ends_with(path, "/v2/chat")) {
    kind = provider_kind::cohere;
    return true;
  }
  if (ends_with(path, "/api/chat")) {
    kind = provider_kind::ollama;
    return true;
  }
  return false;
}

bool parse_request(engine::provider_kind kind, std::string_view path,
                   std::string_view body, parsed_request& out,
                   std::string& why) {
  thread_local simdjson::dom::parser parser;
  element doc;
  out.kind = kind;
  if (auto e = parser.parse(body.data(), body.size()).get(doc)) {
    why = std::string{"the body is not JSON: "} + simdjson::error_message(e);
    return false;
  }
  if (!doc.is_object()) {
    why = "the body is not a JSON object";
    return false;
  }
  std::uint64_t bytes = 0;
  if (kind == provider_kind::gemini) {
    auto start = path.find("/models/") + 8;
    auto colon = path.rfind(':');
    out.model = std::string{path.substr(start, colon - start)};
    out.stream = ends_with(path, ":streamGenerateContent");
    out.max_tokens = as_u32(
      either(doc, "generationConfig", "generation_config")["maxOutputTokens"]);
    if (out.max_tokens == 0)
      out.max_tokens = as_u32(either(doc, "generationConfig",
                                     "generation_config")["max_output_tokens"]);
    bytes = message_bytes(doc["contents"]);
    element system;
    if (!either(doc, "systemInstruction", "system_instruction").get(system))
      bytes += system_bytes(system["parts"]);
    read_gemini(doc, out);
  } else {
    std::string_view model;
    if (doc["model"].get(model) || model.empty()) {
      why = "'model' is required";
      return false;
    }
    out.model = std::string{model};
    bool stream = false;
    if (doc["stream"].get(stream))
      stream = kind == provider_kind::ollama; // Ollama streams by default
    out.stream = stream;
    bytes = message_bytes(doc["messages"]) + system_bytes(doc["system"]);
    switch (kind) {
      case provider_kind::openai: {
        out.max_tokens = as_u32(doc["max_completion_tokens"]);
        if (out.max_tokens == 0)
          out.max_tokens = as_u32(doc["max_tokens"]);
        bool usage = false;
        if (doc["stream_options"]["include_usage"].get(usage))
          usage = false;
        out.include_usage = usage;
        read_openai(doc, out);
        break;
      }
      case provider_kind::ollama:
        out.max_tokens = as_u32(doc["options"]["num_predict"]);
        read_ollama(doc, out);
        break;
      case provider_kind::anthropic:
        out.max_tokens = as_u32(doc["max_tokens"]);
        if (out.max_tokens == 0) {
          why = "max_tokens: Field required";
          return false;
        }
        read_anthropic(doc, out);
        break;
      default:
        out.max_tokens = as_u32(doc["max_tokens"]);
        read_cohere(doc, out);
        break;
    }
  }
  out.input_tokens = static_cast<std::uint32_t>(bytes / 4 + 1);
  return true;
}

} // namespace switchyard::sim::detail
