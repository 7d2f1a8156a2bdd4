// What an answer holds (compose_reply), what every format's writer shares,
// and the dispatch to them; the writers are reply_<format>.cpp.
#include "sim_replies.hpp"

#include "format_replies.hpp"
#include "json_sample.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <algorithm>
#include <array>

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;
using engine::provider_kind;

constexpr std::array<std::string_view, 24> lorem{
  "lorem ",      "ipsum ", "dolor ",  "sit ",   "amet ",    "consectetur ",
  "adipiscing ", "elit ",  "sed ",    "do ",    "eiusmod ", "tempor ",
  "incididunt ", "ut ",    "labore ", "et ",    "dolore ",  "magna ",
  "aliqua ",     "enim ",  "ad ",     "minim ", "veniam ",  "quis "};

/// A JSON answer streams in pieces of this many bytes (a token's worth);
/// tool-call arguments in slightly longer ones, as providers send them.
constexpr std::size_t json_piece_bytes = 6;
constexpr std::size_t argument_piece_bytes = 8;

std::string random_chars(split_mix& rng, std::size_t n,
                         std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out += alphabet[rng.next() % alphabet.size()];
  return out;
}

/// A call id in the provider's own style; none for Gemini and Ollama.
std::string call_id(provider_kind kind, std::string_view tool, split_mix& rng) {
  constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "abcdefghijklmnopqrstuvwxyz";
  switch (kind) {
    case provider_kind::openai: return "call_" + random_chars(rng, 24, base62);
    case provider_kind::anthropic:
      return "toolu_01" + random_chars(rng, 22, base62);
    case provider_kind::cohere:
      // e.g. get_weather_1byjy32y4hvq
      return std::string{tool} + "_"
             + random_chars(rng, 12, "0123456789abcdefghijklmnopqrstuvwxyz");
    default: return {};
  }
}

} // namespace

// -- shared by the writers
// ------------------------------------------------------

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
  auto n = r.words.size();
  for (const auto& c : r.calls)
    n += c.pieces.size();
  return static_cast<std::uint32_t>(n);
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

// -- what an answer holds
// -------------------------------------------------------

std::string_view lorem_word(std::uint64_t draw) noexcept {
  auto w = lorem[draw % lorem.size()];
  return w.substr(0, w.size() - 1);
}

std::vector<std::string> make_words(std::uint64_t seed, std::uint32_t count) {
  split_mix rng{seed};
  std::vector<std::string> words;
  words.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i)
    words.emplace_back(lorem[rng.next() % lorem.size()]);
  return words;
}

std::vector<std::string> split_pieces(std::string_view text, std::size_t size) {
  std::vector<std::string> pieces;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = std::min(pos + std::max<std::size_t>(size, 1), text.size());
    // Never end a piece before a UTF-8 continuation byte.
    while (end < text.size()
           && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      ++end;
    pieces.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return pieces;
}

reply compose_reply(const parsed_request& req, const request_plan& plan,
                    std::uint64_t n) {
  reply r;
  r.kind = req.kind;
  r.model = req.model;
  r.n = n;
  r.input_tokens = req.input_tokens;
  r.include_usage = req.include_usage;
  bool may_call = !req.tools.empty() && !req.ends_with_tool_result
                  && req.choice != tool_mode::none;
  if (may_call && (req.choice == tool_mode::required || plan.calls_tool)) {
    std::vector<const tool_decl*> candidates;
    for (const auto& t : req.tools)
      if (req.allowed.empty()
          || std::find(req.allowed.begin(), req.allowed.end(), t.name)
               != req.allowed.end())
        candidates.push_back(&t);
    if (!candidates.empty()) {
      // Its own stream off the text seed: the words stay as they were.
      split_mix rng{plan.text_seed ^ 0x6A09E667F3BCC908ull};
      const auto& tool = *candidates[rng.next() % candidates.size()];
      call_reply c;
      c.id = call_id(req.kind, tool.name, rng);
      c.name = tool.name;
      c.arguments = sample_arguments(tool.parameters, rng.next());
      c.pieces = split_pieces(c.arguments, argument_piece_bytes);
      r.calls.push_back(std::move(c));
      return r;
    }
  }
  if (req.form == answer_form::json) {
    r.words = split_pieces(sample_json(req.schema, plan.text_seed),
                           json_piece_bytes);
    if (req.max_tokens > 0 && r.words.size() > req.max_tokens) {
      r.words.resize(req.max_tokens);
      r.hit_limit = true;
    }
    return r;
  }
  r.words = make_words(plan.text_seed, plan.output_tokens);
  r.hit_limit = plan.hit_limit;
  return r;
}

// -- dispatch
// -------------------------------------------------------------------

std::string reply_body(const reply& r) {
  switch (r.kind) {
    case provider_kind::openai: return openai_body(r);
    case provider_kind::anthropic: return anthropic_body(r);
    case provider_kind::gemini: return gemini_body(r);
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
                       std::string_view message, std::string_view param) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  switch (kind) {
    case provider_kind::openai: {
      auto type = status == 429   ? "rate_limit_exceeded"
                  : status >= 500 ? "server_error"
                                  : "invalid_request_error";
      w.key("error").begin_object();
      w.field("message", message);
      w.field("type", type);
      w.key("param");
      if (param.empty())
        w.null();
      else
        w.value(param);
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
