#include "sim_replies.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/sim/request_plan.hpp"

#include <array>
#include <simdjson.h>

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;
using engine::provider_kind;

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size()
         && s.substr(s.size() - suffix.size()) == suffix;
}

/// Fixed so that replies look alike from run to run.
constexpr std::int64_t created_base = 1'700'000'000;

std::string id_of(const reply& r, std::string_view prefix) {
  return std::string{prefix} + std::to_string(hash_name(r.model) % 100000) + "-"
         + std::to_string(r.n);
}

std::string text_of(const reply& r) {
  std::string text;
  for (const auto& w : r.words)
    text += w;
  return text;
}

std::uint32_t output_tokens(const reply& r) {
  return static_cast<std::uint32_t>(r.words.size());
}

std::string sse(std::string_view event, std::string_view data) {
  std::string out;
  if (!event.empty()) {
    out += "event: ";
    out += event;
    out += '\n';
  }
  out += "data: ";
  out += data;
  out += "\n\n";
  return out;
}

// -- OpenAI -------------------------------------------------------------------

void openai_chunk_prefix(json_writer& w, const reply& r) {
  w.field("id", id_of(r, "chatcmpl-sim-"));
  w.field("object", "chat.completion.chunk");
  w.field("created", created_base + static_cast<std::int64_t>(r.n));
  w.field("model", r.model);
  w.field("system_fingerprint", "fp_sim");
}

std::string openai_delta(const reply& r, std::string_view content, bool role,
                         std::string_view finish) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  openai_chunk_prefix(w, r);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("delta").begin_object();
  if (role)
    w.field("role", "assistant");
  if (role || !content.empty())
    w.field("content", content);
  w.end_object();
  w.key("logprobs").null();
  w.key("finish_reason");
  if (finish.empty())
    w.null();
  else
    w.value(finish);
  w.end_object().end_array();
  w.end_object();
  return sse({}, out);
}

void openai_usage(json_writer& w, const reply& r) {
  w.key("usage").begin_object();
  w.field("prompt_tokens", r.input_tokens);
  w.field("completion_tokens", output_tokens(r));
  w.field("total_tokens", r.input_tokens + output_tokens(r));
  w.end_object();
}

std::string openai_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("id", id_of(r, "chatcmpl-sim-"));
  w.field("object", "chat.completion");
  w.field("created", created_base + static_cast<std::int64_t>(r.n));
  w.field("model", r.model);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.field("content", text_of(r));
  w.key("refusal").null();
  w.end_object();
  w.key("logprobs").null();
  w.field("finish_reason", r.hit_limit ? "length" : "stop");
  w.end_object().end_array();
  openai_usage(w, r);
  w.field("system_fingerprint", "fp_sim");
  w.end_object();
  return out;
}

stream_script openai_stream(const reply& r) {
  stream_script s;
  s.head.push_back(openai_delta(r, "", true, {}));
  for (const auto& word : r.words)
    s.tokens.push_back(openai_delta(r, word, false, {}));
  s.tail.push_back(openai_delta(r, "", false, r.hit_limit ? "length" : "stop"));
  if (r.include_usage) {
    std::string out;
    json_writer w{out};
    w.begin_object();
    openai_chunk_prefix(w, r);
    w.key("choices").begin_array().end_array();
    openai_usage(w, r);
    w.end_object();
    s.tail.push_back(sse({}, out));
  }
  s.tail.push_back(sse({}, "[DONE]"));
  return s;
}

// -- Anthropic ----------------------------------------------------------------

std::string anthropic_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("id", id_of(r, "msg_sim_"));
  w.field("type", "message");
  w.field("role", "assistant");
  w.field("model", r.model);
  w.key("content").begin_array().begin_object();
  w.field("type", "text");
  w.field("text", text_of(r));
  w.end_object().end_array();
  w.field("stop_reason", r.hit_limit ? "max_tokens" : "end_turn");
  w.key("stop_sequence").null();
  w.key("usage").begin_object();
  w.field("input_tokens", r.input_tokens);
  w.field("output_tokens", output_tokens(r));
  w.end_object();
  w.end_object();
  return out;
}

stream_script anthropic_stream(const reply& r) {
  stream_script s;
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "message_start");
    w.key("message").begin_object();
    w.field("id", id_of(r, "msg_sim_"));
    w.field("type", "message");
    w.field("role", "assistant");
    w.key("content").begin_array().end_array();
    w.field("model", r.model);
    w.key("stop_reason").null();
    w.key("stop_sequence").null();
    w.key("usage").begin_object();
    w.field("input_tokens", r.input_tokens);
    w.field("output_tokens", 1);
    w.end_object();
    w.end_object();
    w.end_object();
    s.head.push_back(sse("message_start", out));
  }
  s.head.push_back(sse("content_block_start",
                       R"({"type":"content_block_start","index":0,)"
                       R"("content_block":{"type":"text","text":""}})"));
  s.head.push_back(sse("ping", R"({"type": "ping"})"));
  for (const auto& word : r.words) {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "content_block_delta");
    w.field("index", 0);
    w.key("delta").begin_object();
    w.field("type", "text_delta");
    w.field("text", word);
    w.end_object();
    w.end_object();
    s.tokens.push_back(sse("content_block_delta", out));
  }
  s.tail.push_back(
    sse("content_block_stop", R"({"type":"content_block_stop","index":0})"));
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "message_delta");
    w.key("delta").begin_object();
    w.field("stop_reason", r.hit_limit ? "max_tokens" : "end_turn");
    w.key("stop_sequence").null();
    w.end_object();
    w.key("usage").begin_object();
    w.field("output_tokens", output_tokens(r));
    w.end_object();
    w.end_object();
    s.tail.push_back(sse("message_delta", out));
  }
  s.tail.push_back(sse("message_stop", R"({"type":"message_stop"})"));
  return s;
}

// -- Gemini -------------------------------------------------------------------

void gemini_usage(json_writer& w, const reply& r, std::uint32_t out_tokens) {
  w.key("usageMetadata").begin_object();
  w.field("promptTokenCount", r.input_tokens);
  w.field("candidatesTokenCount", out_tokens);
  w.field("totalTokenCount", r.input_tokens + out_tokens);
  w.end_object();
}

std::string gemini_response(const reply& r, std::string_view text,
                            std::string_view finish, std::uint32_t out_tokens) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.key("candidates").begin_array().begin_object();
  w.key("content").begin_object();
  w.key("parts").begin_array().begin_object();
  w.field("text", text);
  w.end_object().end_array();
  w.field("role", "model");
  w.end_object();
  if (!finish.empty())
    w.field("finishReason", finish);
  w.field("index", 0);
  w.end_object().end_array();
  gemini_usage(w, r, out_tokens);
  w.field("modelVersion", r.model);
  w.end_object();
  return out;
}

std::string gemini_sse(std::string_view data) {
  // Google's streams separate events with CRLF pairs.
  std::string out = "data: ";
  out += data;
  out += "\r\n\r\n";
  return out;
}

stream_script gemini_stream(const reply& r) {
  stream_script s;
  auto finish = r.hit_limit ? "MAX_TOKENS" : "STOP";
  std::uint32_t sent = 0;
  for (std::size_t i = 0; i < r.words.size(); ++i) {
    ++sent;
    bool last = i + 1 == r.words.size();
    s.tokens.push_back(
      gemini_sse(gemini_response(r, r.words[i], last ? finish : "", sent)));
  }
  return s;
}

// -- Cohere -------------------------------------------------------------------

void cohere_usage(json_writer& w, const reply& r) {
  w.key("usage").begin_object();
  w.key("billed_units").begin_object();
  w.field("input_tokens", r.input_tokens);
  w.field("output_tokens", output_tokens(r));
  w.end_object();
  w.key("tokens").begin_object();
  // Raw tokens include the chat template; billing does not.
  w.field("input_tokens", r.input_tokens + 64);
  w.field("output_tokens", output_tokens(r));
  w.end_object();
  w.end_object();
}

std::string cohere_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("id", id_of(r, "sim-"));
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.key("content").begin_array().begin_object();
  w.field("type", "text");
  w.field("text", text_of(r));
  w.end_object().end_array();
  w.end_object();
  w.field("finish_reason", r.hit_limit ? "MAX_TOKENS" : "COMPLETE");
  cohere_usage(w, r);
  w.end_object();
  return out;
}

stream_script cohere_stream(const reply& r) {
  stream_script s;
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("id", id_of(r, "sim-"));
    w.field("type", "message-start");
    w.key("delta").begin_object().key("message").begin_object();
    w.field("role", "assistant");
    w.key("content").begin_array().end_array();
    w.field("tool_plan", "");
    w.key("tool_calls").begin_array().end_array();
    w.key("citations").begin_array().end_array();
    w.end_object().end_object();
    w.end_object();
    s.head.push_back(sse("message-start", out));
  }
  s.head.push_back(sse(
    "content-start", R"({"type":"content-start","index":0,"delta":)"
                     R"({"message":{"content":{"type":"text","text":""}}}})"));
  for (const auto& word : r.words) {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "content-delta");
    w.field("index", 0);
    w.key("delta").begin_object().key("message").begin_object();
    w.key("content").begin_object();
    w.field("text", word);
    w.end_object();
    w.end_object().end_object();
    w.end_object();
    s.tokens.push_back(sse("content-delta", out));
  }
  s.tail.push_back(sse("content-end", R"({"type":"content-end","index":0})"));
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "message-end");
    w.key("delta").begin_object();
    w.field("finish_reason", r.hit_limit ? "MAX_TOKENS" : "COMPLETE");
    cohere_usage(w, r);
    w.end_object();
    w.end_object();
    s.tail.push_back(sse("message-end", out));
  }
  return s;
}

// -- Ollama -------------------------------------------------------------------

void ollama_prefix(json_writer& w, const reply& r) {
  w.field("model", r.model);
  w.field("created_at", "2024-01-01T00:00:00.000000Z");
}

void ollama_done(json_writer& w, const reply& r) {
  w.field("done_reason", r.hit_limit ? "length" : "stop");
  w.field("done", true);
  w.field("total_duration", 1'000'000);
  w.field("load_duration", 1'000);
  w.field("prompt_eval_count", r.input_tokens);
  w.field("prompt_eval_duration", 10'000);
  w.field("eval_count", output_tokens(r));
  w.field("eval_duration", 100'000);
}

std::string ollama_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  ollama_prefix(w, r);
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.field("content", text_of(r));
  w.end_object();
  ollama_done(w, r);
  w.end_object();
  return out;
}

stream_script ollama_stream(const reply& r) {
  stream_script s;
  for (const auto& word : r.words) {
    std::string out;
    json_writer w{out};
    w.begin_object();
    ollama_prefix(w, r);
    w.key("message").begin_object();
    w.field("role", "assistant");
    w.field("content", word);
    w.end_object();
    w.field("done", false);
    w.end_object();
    out += '\n';
    s.tokens.push_back(std::move(out));
  }
  std::string out;
  json_writer w{out};
  w.begin_object();
  ollama_prefix(w, r);
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.field("content", "");
  w.end_object();
  ollama_done(w, r);
  w.end_object();
  out += '\n';
  s.tail.push_back(std::move(out));
  return s;
}

// -- requests -----------------------------------------------------------------

/// Adds up the text of `messages` (or `contents[].parts[].text`).
std::uint64_t
message_bytes(simdjson::simdjson_result<simdjson::dom::element> messages) {
  std::uint64_t bytes = 0;
  simdjson::dom::array arr;
  if (messages.get(arr))
    return 0;
  for (auto m : arr) {
    std::string_view text;
    if (!m["content"].get(text)) {
      bytes += text.size() + 16;
      continue;
    }
    simdjson::dom::array parts;
    if (!m["parts"].get(parts) || !m["content"].get(parts))
      for (auto p : parts)
        if (!p["text"].get(text))
          bytes += text.size();
    bytes += 16;
  }
  return bytes;
}

std::uint32_t as_u32(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::uint64_t n = 0;
  if (e.get(n))
    return 0;
  return n > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<std::uint32_t>(n);
}

constexpr std::array<std::string_view, 24> lorem{
  "lorem ",      "ipsum ", "dolor ",  "sit ",   "amet ",    "consectetur ",
  "adipiscing ", "elit ",  "sed ",    "do ",    "eiusmod ", "tempor ",
  "incididunt ", "ut ",    "labore ", "et ",    "dolore ",  "magna ",
  "aliqua ",     "enim ",  "ad ",     "minim ", "veniam ",  "quis "};

} // namespace

std::vector<std::string> make_words(std::uint64_t seed, std::uint32_t count) {
  split_mix rng{seed};
  std::vector<std::string> words;
  words.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i)
    words.emplace_back(lorem[rng.next() % lorem.size()]);
  return words;
}

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
  simdjson::dom::element doc;
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
    out.max_tokens = as_u32(doc["generationConfig"]["maxOutputTokens"]);
    bytes = message_bytes(doc["contents"]);
    simdjson::dom::element system;
    if (!doc["systemInstruction"].get(system)) {
      simdjson::dom::array parts;
      std::string_view text;
      if (!system["parts"].get(parts))
        for (auto p : parts)
          if (!p["text"].get(text))
            bytes += text.size();
    }
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
    bytes = message_bytes(doc["messages"]);
    std::string_view system;
    if (!doc["system"].get(system))
      bytes += system.size();
    switch (kind) {
      case provider_kind::openai: {
        out.max_tokens = as_u32(doc["max_completion_tokens"]);
        if (out.max_tokens == 0)
          out.max_tokens = as_u32(doc["max_tokens"]);
        bool usage = false;
        if (doc["stream_options"]["include_usage"].get(usage))
          usage = false;
        out.include_usage = usage;
        break;
      }
      case provider_kind::ollama:
        out.max_tokens = as_u32(doc["options"]["num_predict"]);
        break;
      case provider_kind::anthropic:
        out.max_tokens = as_u32(doc["max_tokens"]);
        if (out.max_tokens == 0) {
          why = "max_tokens: Field required";
          return false;
        }
        break;
      default: out.max_tokens = as_u32(doc["max_tokens"]); break;
    }
  }
  out.input_tokens = static_cast<std::uint32_t>(bytes / 4 + 1);
  return true;
}

std::string reply_body(const reply& r) {
  switch (r.kind) {
    case provider_kind::openai: return openai_body(r);
    case provider_kind::anthropic: return anthropic_body(r);
    case provider_kind::gemini:
      return gemini_response(r, text_of(r), r.hit_limit ? "MAX_TOKENS" : "STOP",
                             output_tokens(r));
    case provider_kind::cohere: return cohere_body(r);
    case provider_kind::ollama: return ollama_body(r);
  }
  return {};
}

stream_script reply_stream(const reply& r) {
  switch (r.kind) {
    case provider_kind::openai: return openai_stream(r);
    case provider_kind::anthropic: return anthropic_stream(r);
    case provider_kind::gemini: return gemini_stream(r);
    case provider_kind::cohere: return cohere_stream(r);
    case provider_kind::ollama: return ollama_stream(r);
  }
  return {};
}

std::string broken_event(engine::provider_kind kind) {
  switch (kind) {
    case provider_kind::ollama: return "{\"model\": \"x\", \"message\": {\n";
    case provider_kind::anthropic:
      return "event: content_block_delta\ndata: {\"type\": "
             "\"content_block_delta\", \"delta\": {\n\n";
    case provider_kind::cohere:
      return "event: content-delta\ndata: {\"type\": \"content-delta\", "
             "\"delta\": \n\n";
    default: return "data: {\"choices\": [{\"delta\": \n\n";
  }
}

std::string_view stream_content_type(engine::provider_kind kind) {
  return kind == provider_kind::ollama ? "application/x-ndjson"
                                       : "text/event-stream";
}

std::string error_body(engine::provider_kind kind, int status,
                       std::string_view message) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  switch (kind) {
    case provider_kind::openai: {
      auto type = status == 429   ? "rate_limit_exceeded"
                  : status >= 500 ? "server_error"
                  : status == 404 ? "invalid_request_error"
                                  : "invalid_request_error";
      w.key("error").begin_object();
      w.field("message", message);
      w.field("type", type);
      w.key("param").null();
      w.key("code");
      if (status == 404)
        w.value("model_not_found");
      else
        w.null();
      w.end_object();
      break;
    }
    case provider_kind::anthropic: {
      auto type = status == 429   ? "rate_limit_error"
                  : status == 503 ? "overloaded_error"
                  : status >= 500 ? "api_error"
                  : status == 404 ? "not_found_error"
                                  : "invalid_request_error";
      w.field("type", "error");
      w.key("error").begin_object();
      w.field("type", type);
      w.field("message", message);
      w.end_object();
      break;
    }
    case provider_kind::gemini: {
      auto state = status == 429   ? "RESOURCE_EXHAUSTED"
                   : status == 503 ? "UNAVAILABLE"
                   : status >= 500 ? "INTERNAL"
                   : status == 404 ? "NOT_FOUND"
                                   : "INVALID_ARGUMENT";
      w.key("error").begin_object();
      w.field("code", status);
      w.field("message", message);
      w.field("status", state);
      w.end_object();
      break;
    }
    case provider_kind::cohere:
      w.field("id", "sim-error");
      w.field("message", message);
      break;
    case provider_kind::ollama: w.field("error", message); break;
  }
  w.end_object();
  return out;
}

} // namespace switchyard::sim::detail
