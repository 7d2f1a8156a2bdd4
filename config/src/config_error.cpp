#include "switchyard/config/config_error.hpp"

#include <charconv>

namespace switchyard::config {

std::string config_error::to_string() const {
  // Built by appends only: GCC 12 reports a bogus -Wrestrict for
  // `":" + std::to_string(line)` (GCC bug 105651).
  char digits[16];
  auto end = digits;
  if (line > 0)
    end = std::to_chars(digits, digits + sizeof(digits), line).ptr;
  std::string result;
  result.reserve(file.size() + 16 + field.size() + message.size() + 4);
  result.append(file);
  if (line > 0)
    result.append(1, ':').append(digits, end);
  result.append(": ");
  if (!field.empty())
    result.append(field).append(": ");
  result.append(message);
  return result;
}

} // namespace switchyard::config
