#pragma once

#include "switchyard/engine/conversation.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// Assembles a streamed answer's tool calls from their fragments, whatever
/// the provider sends: OpenAI and Cohere number them (`index`), Anthropic
/// numbers content blocks, some OpenAI-compatible servers omit `index` and
/// send only the id on a call's first fragment, and Gemini and Ollama send
/// each call whole. Positions are this answer's own (0, 1, ...), the order
/// in which calls started, so every client format can number them.
class tool_call_assembler {
public:
  struct fragment {
    /// The provider's own number for the call, when it sends one.
    std::optional<std::uint32_t> index;
    std::string_view id;
    std::string_view name;
    /// A piece of the arguments' JSON text.
    std::string_view arguments;
  };

  struct placement {
    /// The call's position among this answer's calls.
    std::uint32_t position = 0;
    /// Whether this fragment started the call.
    bool started = false;
  };

  /// Adds a fragment. Matched by `index` when given, else by `id` (a new id
  /// starts a call), else it continues the newest call (or starts the
  /// first).
  placement add(const fragment& f);

  /// Adds a call sent whole: always a new call, even without an id.
  placement add_whole(std::string_view id, std::string_view name,
                      std::string_view arguments);

  [[nodiscard]] const std::vector<content_part>& calls() const noexcept {
    return calls_;
  }

  [[nodiscard]] bool empty() const noexcept {
    return calls_.empty();
  }

  /// The finished calls (arguments "{}" where none arrived); leaves the
  /// assembler empty.
  [[nodiscard]] std::vector<content_part> take();

private:
  placement start(std::string_view id, std::string_view name);

  std::vector<content_part> calls_;
  /// The provider's index of each call, parallel to calls_ (unset if none).
  std::vector<std::optional<std::uint32_t>> indexes_;
};

} // namespace switchyard::engine
