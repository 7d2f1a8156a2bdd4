#pragma once

// One answer writer per wire format (reply_<format>.cpp) and what they
// share. Internal to the simulator's reply code.

#include "sim_replies.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::sim::detail {

/// Fixed so that replies look alike from run to run.
inline constexpr std::int64_t created_base = 1'700'000'000;

/// A response id: `prefix`, the model's hash and the request number.
std::string id_of(const reply& r, std::string_view prefix);

/// The text tokens joined.
std::string text_of(const reply& r);

/// Tokens generated: text tokens plus argument pieces.
std::uint32_t output_tokens(const reply& r);

/// One SSE event; no `event:` line when `event` is empty.
std::string sse(std::string_view event, std::string_view data);

std::string openai_body(const reply& r);
stream_script openai_stream(const reply& r);

std::string anthropic_body(const reply& r);
stream_script anthropic_stream(const reply& r);

std::string gemini_body(const reply& r);
stream_script gemini_stream(const reply& r);

std::string cohere_body(const reply& r);
stream_script cohere_stream(const reply& r);

std::string ollama_body(const reply& r);
stream_script ollama_stream(const reply& r);

} // namespace switchyard::sim::detail
