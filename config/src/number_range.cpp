#include "switchyard/config/number_range.hpp"

#include <charconv>
#include <cmath>

namespace switchyard::config {

namespace {

std::string format(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  if (ec != std::errc{})
    return "?";
  return std::string(buf, end);
}

} // namespace

std::string number_range::describe() const {
  const bool has_min = std::isfinite(min);
  const bool has_max = std::isfinite(max);
  if (has_min && has_max)
    return std::string{"in "} + (min_exclusive ? "(" : "[") + format(min) + ", "
           + format(max) + (max_exclusive ? ")" : "]");
  if (has_min)
    return (min_exclusive ? "> " : ">= ") + format(min);
  if (has_max)
    return (max_exclusive ? "< " : "<= ") + format(max);
  return "a number";
}

} // namespace switchyard::config
