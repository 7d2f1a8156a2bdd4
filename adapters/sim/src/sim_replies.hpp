#pragma once

// The simulator's side of the five wire formats: reading requests and
// writing answers, errors and streams the way the real APIs do.

#include "switchyard/engine/registry.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim::detail {

struct parsed_request {
  engine::provider_kind kind = engine::provider_kind::openai;
  std::string model;
  bool stream = false;
  /// OpenAI's stream_options.include_usage.
  bool include_usage = false;
  /// The request's output limit; 0 when it set none.
  std::uint32_t max_tokens = 0;
  /// Estimated from the message text (4 bytes a token).
  std::uint32_t input_tokens = 0;
};

/// The wire format served at `path`, if any.
bool route(std::string_view path, engine::provider_kind& kind);

/// Reads what the simulator needs from a request; false with `why` when
/// the body is not what the format expects.
bool parse_request(engine::provider_kind kind, std::string_view path,
                   std::string_view body, parsed_request& out,
                   std::string& why);

/// An answer to write.
struct reply {
  engine::provider_kind kind = engine::provider_kind::openai;
  std::string model;
  std::uint64_t n = 0;
  std::uint32_t input_tokens = 0;
  /// The generated tokens, each a word with its trailing space.
  std::vector<std::string> words;
  /// Stopped by the request's limit ("length").
  bool hit_limit = false;
  bool include_usage = false;
};

/// Deterministic lorem-ipsum words.
std::vector<std::string> make_words(std::uint64_t seed, std::uint32_t count);

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

/// The format's error body for `status` (400, 404, 429, 500, 503).
std::string error_body(engine::provider_kind kind, int status,
                       std::string_view message);

} // namespace switchyard::sim::detail
