#pragma once

#include "switchyard/engine/conversation.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/gateway/api_formats.hpp"

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchyard::gateway {

/// Keeps agent loops on the model that made their tool calls. Chat
/// Completions carries no per-message model, so the gateway hands out every
/// tool-call id tagged with the model that made it
/// (engine::tool_call_ids::tag) and reads the tag back when the
/// conversation returns; ids that come back without it (a client that
/// rewrote them) are looked up in a bounded map filled at egress. Never the
/// decision log: nothing on the request path waits for storage.
/// Thread-safe.
class tool_call_stickiness {
 public:
  static constexpr std::size_t default_capacity = 65'536;

  /// `reg` must outlive it; the models' tags are computed once here.
  explicit tool_call_stickiness(const engine::registry& reg,
                                std::size_t capacity = default_capacity);

  /// Egress: the id a client sees for call number `position` of decision
  /// `decision_id`, made by registry model `model`. `provider_id` is the
  /// provider's own id (one is made up when it gave none); it is
  /// remembered as the fallback.
  [[nodiscard]] std::string
  hand_out(std::string_view provider_id, std::uint16_t model,
           std::uint64_t decision_id, std::uint32_t position);

  /// Egress: tags every tool_call part of an answer in place.
  void hand_out(std::vector<engine::content_part>& content, std::uint16_t model,
                std::uint64_t decision_id);

  /// Ingress: strips the tags from every tool_call and tool_result id (the
  /// upstream must get its own ids back) and returns the registry id of
  /// the model that made the newest assistant turn's tool calls; empty
  /// when there is none or it is not known.
  [[nodiscard]] std::string
  take_in(std::vector<engine::chat_message>& messages);

  /// Ingress for a parsed request: take_in, then the caller's pin
  /// (`chat_request::pin`) decides `task.sticky_model`.
  void apply(chat_request& request);

  /// The model an untagged provider id was handed out for, if remembered.
  [[nodiscard]] std::optional<std::uint16_t>
  remembered(std::string_view provider_id) const;

 private:
  [[nodiscard]] std::optional<std::uint16_t>
  model_of(std::string_view id) const;

  const engine::registry& reg_;
  std::size_t capacity_;
  /// tool_call_ids::model_tag of each registry model -> its index.
  std::unordered_map<std::uint32_t, std::uint16_t> tags_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint16_t> ids_;
  /// Insertion order, for evicting the oldest.
  std::deque<std::string> order_;
};

} // namespace switchyard::gateway
