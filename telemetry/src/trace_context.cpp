#include "switchyard/telemetry/trace_context.hpp"

#include "hex.hpp"

#include <vector>

namespace switchyard::telemetry {

namespace {

// -- layout of a version-00 traceparent ---------------------------------------
//   00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
//   ^0 ^3                               ^36              ^53

constexpr std::size_t traceparent_size = 55;
constexpr std::size_t trace_id_at = 3;
constexpr std::size_t span_id_at = 36;
constexpr std::size_t flags_at = 53;
// W3C: list members over this are the first to go when truncating.
constexpr std::size_t long_member_chars = 128;
constexpr std::size_t max_members = 32;

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

std::optional<std::uint8_t> hex_byte(std::string_view two) noexcept {
  std::uint8_t b = 0;
  if (!detail::parse_lower_hex(two, &b, 1))
    return std::nullopt;
  return b;
}

/// The tracestate to carry (see parse_trace_context).
std::string carried_trace_state(std::string_view text) {
  text = trim(text);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u > 0x7e)
      return {};
  }
  if (text.size() <= max_trace_state_chars)
    return std::string{text};
  std::vector<std::string_view> members;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto member = trim(text.substr(0, comma));
    if (!member.empty())
      members.push_back(member);
    text = comma == std::string_view::npos ? std::string_view{}
                                           : text.substr(comma + 1);
  }
  std::size_t total = 0;
  for (auto m : members)
    total += m.size() + 1;
  if (total > max_trace_state_chars + 1) {
    std::erase_if(members, [](std::string_view m) {
      return m.size() > long_member_chars;
    });
  }
  std::string out;
  std::size_t kept = 0;
  for (auto m : members) {
    auto extra = m.size() + (out.empty() ? 0 : 1);
    if (kept == max_members || out.size() + extra > max_trace_state_chars)
      break;
    if (!out.empty())
      out.push_back(',');
    out.append(m);
    ++kept;
  }
  return out;
}

} // namespace

std::string trace_context::traceparent() const {
  std::string out;
  out.reserve(traceparent_size);
  append_traceparent(out);
  return out;
}

void trace_context::append_traceparent(std::string& out) const {
  // Written in place: every traced upstream attempt makes one.
  auto at = out.size();
  out.resize(at + traceparent_size);
  auto* p = out.data() + at;
  p[0] = '0';
  p[1] = '0';
  p[2] = '-';
  detail::write_hex(p + trace_id_at, trace_id.bytes.data(),
                    trace_id.bytes.size());
  p[span_id_at - 1] = '-';
  detail::write_hex(p + span_id_at, span_id.bytes.data(),
                    span_id.bytes.size());
  p[flags_at - 1] = '-';
  detail::write_hex(p + flags_at, &flags, 1);
}

std::optional<trace_context> parse_trace_context(std::string_view traceparent,
                                                 std::string_view tracestate) {
  auto text = trim(traceparent);
  if (text.size() < traceparent_size)
    return std::nullopt;
  auto version = hex_byte(text.substr(0, 2));
  if (!version || *version == 0xff)
    return std::nullopt;
  if (*version == 0 ? text.size() != traceparent_size
                    : text.size() > traceparent_size
                        && text[traceparent_size] != '-')
    return std::nullopt;
  if (text[2] != '-' || text[span_id_at - 1] != '-'
      || text[flags_at - 1] != '-')
    return std::nullopt;
  auto tid = trace_id::from_hex(text.substr(trace_id_at, 32));
  auto sid = span_id::from_hex(text.substr(span_id_at, 16));
  auto flags = hex_byte(text.substr(flags_at, 2));
  if (!tid || !sid || !flags || !tid->valid() || !sid->valid())
    return std::nullopt;
  trace_context ctx;
  ctx.trace_id = *tid;
  ctx.span_id = *sid;
  ctx.flags = static_cast<std::uint8_t>(*flags & known_flags);
  ctx.trace_state = carried_trace_state(tracestate);
  return ctx;
}

} // namespace switchyard::telemetry
