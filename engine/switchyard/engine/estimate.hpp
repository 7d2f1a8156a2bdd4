#pragma once

#include "switchyard/engine/money.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <optional>

namespace switchyard::engine {

struct token_estimate {
  std::uint32_t input = 0;
  std::uint32_t output = 0;
};

/// Expected cost with a +-30% band; `max` is what a call reserves.
struct cost_range {
  usd_nanos min = 0;
  usd_nanos expected = 0;
  usd_nanos max = 0;
};

/// Input tokens at ~4 bytes a token (the usual rule of thumb for English and
/// code with BPE tokenizers) plus the caller's context and chat framing.
[[nodiscard]] std::uint32_t estimate_input_tokens(std::size_t text_bytes,
                                                  std::uint32_t context_tokens) noexcept;

/// Output tokens from the tier's base length times the task type's
/// multiplier, plus a share of the input for tasks that rewrite their input;
/// capped by `max_tokens_per_task` and the caller's limit.
[[nodiscard]] std::uint32_t
estimate_output_tokens(complexity_tier tier, task_type type,
                       std::uint32_t input_tokens,
                       std::uint32_t max_tokens_per_task,
                       std::optional<std::uint32_t> caller_max) noexcept;

/// The cost of `tokens` on model `m`, expected +-30%.
[[nodiscard]] cost_range estimate_cost(const model_spec& m,
                                       token_estimate tokens) noexcept;

/// Seconds until the last token: time to first token plus streaming time.
[[nodiscard]] double estimate_latency_s(const model_spec& m,
                                        std::uint32_t output_tokens) noexcept;

/// The most output tokens a call on `m` may ask for so that its cost stays
/// within `reserved`, given `input_tokens`; never above `cap`. This is what
/// makes a budget a hard limit: the provider stops at max_tokens.
[[nodiscard]] std::uint32_t max_tokens_within(const model_spec& m,
                                              std::uint32_t input_tokens,
                                              usd_nanos reserved,
                                              std::uint32_t cap) noexcept;

/// Output multiplier per task type (code generation writes more than tool use).
[[nodiscard]] double output_multiplier(task_type type) noexcept;

} // namespace switchyard::engine
