#pragma once

#include "switchyard/engine/error_code.hpp"

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard {

/// The message an error of ours carries, or CAF's rendering of a foreign one.
[[nodiscard]] inline std::string error_message(const caf::error& err) {
  if (!err)
    return {};
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace switchyard

CAF_ERROR_CODE_ENUM(switchyard::error_code, "switchyard")

namespace switchyard {

/// Our code in an error, or io_failure for an error of another category.
[[nodiscard]] inline error_code error_code_of(const caf::error& err) {
  if (!err)
    return error_code::none;
  if (err.category()
      == caf::detail::error_factory<error_code>::category)
    return static_cast<error_code>(err.code());
  return error_code::io_failure;
}

} // namespace switchyard
