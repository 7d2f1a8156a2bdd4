#include "switchyard/telemetry/trace_id.hpp"

#include "hex.hpp"

namespace switchyard::telemetry {

bool trace_id::valid() const noexcept {
  return !detail::all_zero(bytes.data(), bytes.size());
}

std::string trace_id::to_hex() const {
  std::string out;
  out.reserve(2 * bytes.size());
  append_hex(out);
  return out;
}

void trace_id::append_hex(std::string& out) const {
  detail::append_hex(out, bytes.data(), bytes.size());
}

std::uint64_t trace_id::randomness() const noexcept {
  std::uint64_t r = 0;
  for (std::size_t i = bytes.size() - 7; i < bytes.size(); ++i)
    r = r << 8 | bytes[i];
  return r;
}

std::optional<trace_id> trace_id::from_hex(std::string_view hex) noexcept {
  trace_id id;
  if (!detail::parse_lower_hex(hex, id.bytes.data(), id.bytes.size()))
    return std::nullopt;
  return id;
}

} // namespace switchyard::telemetry
