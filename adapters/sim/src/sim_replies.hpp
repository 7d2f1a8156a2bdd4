#pragma once

// The simulator's answers in the five wire formats: bodies, streams and
// errors written the way the real APIs write them.

#include "sim_request.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/sim/request_plan.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim::detail {

/// A tool call the answer makes.
struct call_reply {
  /// In the format's style ("call_...", "toolu_...", Cohere's
  /// "<name>_<12 chars>"); empty for Gemini and Ollama, which send none.
  std::string id;
  std::string name;
  /// A JSON object, as text.
  std::string arguments;
  /// `arguments` in the pieces a stream sends them in.
  std::vector<std::string> pieces;
};

/// An answer to write.
struct reply {
  engine::provider_kind kind = engine::provider_kind::openai;
  std::string model;
  std::uint64_t n = 0;
  std::uint32_t input_tokens = 0;
  /// The generated text as tokens: words with their trailing space, or
  /// the pieces of a JSON answer.
  std::vector<std::string> words;
  /// Tool calls; an answer that makes them has no text.
  std::vector<call_reply> calls;
  /// Stopped by the request's limit ("length").
  bool hit_limit = false;
  bool include_usage = false;
};

/// A lorem-ipsum word (no space) picked by `draw`.
std::string_view lorem_word(std::uint64_t draw) noexcept;

/// Deterministic lorem-ipsum words, each with its trailing space.
std::vector<std::string> make_words(std::uint64_t seed, std::uint32_t count);

/// `text` cut into pieces of `size` bytes, never inside a UTF-8 sequence.
std::vector<std::string> split_pieces(std::string_view text, std::size_t size);

/// What the simulator answers to `req` under `plan`:
/// - a tool call when the request offers tools, its last turn is not a
///   tool result, and its tool_choice forces a call (or, unforced and not
///   `none`, when `plan.calls_tool`); the tool is the named one, or one
///   of the allowed ones picked by the plan's seed;
/// - else, for a structured-output request, JSON for its schema;
/// - else lorem-ipsum text of the plan's length.
/// A pure function of its inputs.
reply compose_reply(const parsed_request& req, const request_plan& plan,
                    std::uint64_t n);

/// The whole non-streamed response body.
std::string reply_body(const reply& r);

/// A stream as its pieces: `head` goes out at the first token, one `tokens`
/// entry per token, then `tail`. Each piece is complete SSE events or NDJSON
/// lines.
struct stream_script {
  std::vector<std::string> head;
  std::vector<std::string> tokens;
  std::vector<std::string> tail;
};

stream_script reply_stream(const reply& r);

/// An event (or line) whose JSON is broken.
std::string broken_event(engine::provider_kind kind);

std::string_view stream_content_type(engine::provider_kind kind);

/// The format's error body for `status` (400, 404, 429, 500, 503);
/// `param` fills OpenAI's `param` (null when empty).
std::string error_body(engine::provider_kind kind, int status,
                       std::string_view message, std::string_view param = {});

} // namespace switchyard::sim::detail
