#pragma once

#include "switchyard/engine/conversation.hpp"

#include <optional>
#include <string_view>

namespace switchyard::engine {

/// The tool_choice words every API shares ("auto", "none", "required") as
/// a mode; none for any other text.
[[nodiscard]] inline std::optional<tool_choice_mode>
tool_choice_word(std::string_view s) noexcept {
  for (auto m : {tool_choice_mode::auto_, tool_choice_mode::none,
                 tool_choice_mode::required})
    if (tool_choice_mode_names[static_cast<std::size_t>(m)] == s)
      return m;
  return std::nullopt;
}

} // namespace switchyard::engine
