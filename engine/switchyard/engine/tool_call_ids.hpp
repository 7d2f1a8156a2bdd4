#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::engine {

/// Tool-call ids as the gateway hands them to clients: the provider's own
/// id with a short tag naming the model that made the call, so the next
/// turn of an agent loop can stay on that model (Chat Completions carries
/// no per-message model). The tag is `-sy` + 8 hex digits of a hash of the
/// registry id: only [A-Za-z0-9_-], which every client and provider
/// accepts. Clients see it, and it is stripped before the id goes back
/// upstream.
class tool_call_ids {
public:
  /// The 32-bit tag of a registry model id (FNV-1a).
  [[nodiscard]] static std::uint32_t model_tag(std::string_view model_id) noexcept;

  /// `id` with the tag of `model_id` appended.
  [[nodiscard]] static std::string tag(std::string_view id,
                                       std::string_view model_id);

  /// The tag an id carries, if it carries one.
  [[nodiscard]] static std::optional<std::uint32_t>
  tag_of(std::string_view id) noexcept;

  /// The id without its tag (unchanged when it has none).
  [[nodiscard]] static std::string_view strip(std::string_view id) noexcept;

  /// A provider-neutral id for a call that came without one (Gemini,
  /// Ollama): `call_` + 16 hex digits of the decision and the position.
  [[nodiscard]] static std::string synthesize(std::uint64_t decision_id,
                                              std::uint32_t position);

  /// An id rewritten for a provider with rules of its own (Mistral: exactly
  /// 9 characters [a-zA-Z0-9]); deterministic, so a call and its result map
  /// to the same new id.
  [[nodiscard]] static std::string alnum9(std::string_view id);

  static constexpr std::string_view marker = "-sy";
  static constexpr std::size_t tag_size = 3 + 8;
};

} // namespace switchyard::engine
