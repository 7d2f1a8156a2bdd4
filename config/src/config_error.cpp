#include "switchyard/config/config_error.hpp"

namespace switchyard::config {

std::string config_error::to_string() const {
  auto line_text = line > 0 ? ":" + std::to_string(line) : std::string{};
  std::string result;
  result.reserve(file.size() + line_text.size() + field.size()
                 + message.size() + 4);
  result.append(file).append(line_text).append(": ");
  if (!field.empty())
    result.append(field).append(": ");
  result.append(message);
  return result;
}

} // namespace switchyard::config
