#include "switchyard/cluster/cluster_settings.hpp"

#include <charconv>

namespace switchyard::cluster {

bool parse_host_port(const std::string& text, std::string& host,
                     std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return false;
  unsigned value = 0;
  auto first = text.data() + colon + 1;
  auto last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || end != last || value > 65535)
    return false;
  host = text.substr(0, colon);
  port = static_cast<std::uint16_t>(value);
  return true;
}

} // namespace switchyard::cluster
