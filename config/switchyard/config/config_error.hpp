#pragma once

#include <string>

namespace switchyard::config {

/// One problem found in a configuration file. Owns all of its text: an error
/// must outlive the document it came from.
struct config_error {
  /// The file as the user named it, or a label such as `<built-in
  /// models.yaml>`.
  std::string file;
  /// 1-based line; 0 when the problem is not tied to a line (unreadable file).
  int line = 0;
  /// Dotted path of the offending field, e.g. `models[3].cost_per_1k.output`
  /// or `policy.breaker.window`; empty for problems with the file as a whole.
  std::string field;
  /// What is wrong and what is allowed. Never holds an environment value.
  std::string message;

  /// Renders `file:line: field: message`, leaving out the line when it is 0
  /// and the field when it is empty.
  [[nodiscard]] std::string to_string() const;
};

} // namespace switchyard::config
