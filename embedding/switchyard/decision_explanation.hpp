#pragma once

#include "switchyard/messages/error_code.hpp"

#include <string>

namespace switchyard {

/// A logged decision as `GET /v1/decisions/{id}` and `switchyard explain
/// --json` show it, or why it cannot be read.
struct decision_explanation {
  error_code error = error_code::none;
  std::string error_message;
  /// One JSON object: the task, the outcome and its attempts, the feedback,
  /// and every routing round with its inputs and evidence.
  std::string json;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

} // namespace switchyard
