#include "switchyard/engine/abandoned_call.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::engine {

namespace {

/// Per image, as the router counts one (actors/task_routing.cpp): the most
/// Anthropic bills before downscaling, above OpenAI's high-detail 1024x1024.
constexpr std::size_t image_tokens = 1'600;

} // namespace

token_estimate abandoned_call_tokens(const call_request& req,
                                     std::uint64_t streamed_bytes) noexcept {
  token_estimate t;
  auto bytes = conversation_text_bytes(req.messages, req.options)
               + image_tokens * 4 * image_count(req.messages);
  t.input = estimate_input_tokens(bytes, 0);
  auto out = (streamed_bytes + 3) / 4;
  t.output = static_cast<std::uint32_t>(
    std::min<std::uint64_t>({out, req.max_tokens,
                             std::numeric_limits<std::uint32_t>::max()}));
  return t;
}

} // namespace switchyard::engine
