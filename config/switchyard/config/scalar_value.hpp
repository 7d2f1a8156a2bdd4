#pragma once

#include <string>

namespace switchyard::config {

/// A scalar as read from a YAML document, after interpolation, with enough
/// about its origin to report on it without leaking an environment value.
struct scalar_value {
  /// The text after `${...}` interpolation.
  std::string text;
  /// The text as written in the file.
  std::string raw;
  /// 1-based line of the scalar (or of its key when the value is empty).
  int line = 0;
  /// Whether `text` took anything from the environment or a default.
  bool interpolated = false;

  /// The value as an error message may quote it: the text as written in the
  /// file (e.g. `'${QUALITY}'`) when it came from the environment, since an
  /// environment value must never appear in an error.
  [[nodiscard]] std::string shown() const {
    return interpolated ? "'" + raw + "' (after interpolation)"
                        : "'" + text + "'";
  }
};

} // namespace switchyard::config
