#pragma once

#include "switchyard/messages/error_code.hpp"

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

namespace switchyard::python {

/// A `switchyard.SwitchyardError` (python/switchyard/_errors.py) carrying
/// the project's message, its error code's name and the decision it
/// belongs to (0 for none). Needs the GIL.
[[nodiscard]] pybind11::object make_error(error_code code,
                                          const std::string& message,
                                          std::uint64_t decision_id = 0);

/// Raises make_error(...) in the calling Python frame.
[[noreturn]] void raise_error(error_code code, const std::string& message,
                              std::uint64_t decision_id = 0);

} // namespace switchyard::python
