#include "switchyard/telemetry/span_id.hpp"

#include "hex.hpp"

namespace switchyard::telemetry {

bool span_id::valid() const noexcept {
  return !detail::all_zero(bytes.data(), bytes.size());
}

std::string span_id::to_hex() const {
  std::string out;
  out.reserve(2 * bytes.size());
  append_hex(out);
  return out;
}

void span_id::append_hex(std::string& out) const {
  detail::append_hex(out, bytes.data(), bytes.size());
}

std::optional<span_id> span_id::from_hex(std::string_view hex) noexcept {
  span_id id;
  if (!detail::parse_lower_hex(hex, id.bytes.data(), id.bytes.size()))
    return std::nullopt;
  return id;
}

} // namespace switchyard::telemetry
