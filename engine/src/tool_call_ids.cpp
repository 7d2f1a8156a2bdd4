#include "switchyard/engine/tool_call_ids.hpp"

namespace switchyard::engine {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::uint64_t fnv1a64(std::string_view s, std::uint64_t h) noexcept {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

} // namespace

std::uint32_t tool_call_ids::model_tag(std::string_view model_id) noexcept {
  auto h = fnv1a64(model_id, 14695981039346656037ull);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::string tool_call_ids::tag(std::string_view id, std::string_view model_id) {
  std::string out;
  out.reserve(id.size() + tag_size);
  out.append(strip(id));
  out.append(marker);
  auto t = model_tag(model_id);
  for (int shift = 28; shift >= 0; shift -= 4)
    out.push_back(hex_digits[(t >> shift) & 0xf]);
  return out;
}

std::optional<std::uint32_t> tool_call_ids::tag_of(std::string_view id) noexcept {
  if (id.size() < tag_size)
    return std::nullopt;
  auto tail = id.substr(id.size() - tag_size);
  if (tail.substr(0, marker.size()) != marker)
    return std::nullopt;
  std::uint32_t t = 0;
  for (char c : tail.substr(marker.size())) {
    auto v = hex_value(c);
    if (v < 0)
      return std::nullopt;
    t = (t << 4) | static_cast<std::uint32_t>(v);
  }
  return t;
}

std::string_view tool_call_ids::strip(std::string_view id) noexcept {
  return tag_of(id) ? id.substr(0, id.size() - tag_size) : id;
}

std::string tool_call_ids::synthesize(std::uint64_t decision_id,
                                      std::uint32_t position) {
  std::string out = "call_";
  auto h = fnv1a64(std::string_view{reinterpret_cast<const char*>(&position),
                                    sizeof(position)},
                   decision_id ^ 14695981039346656037ull);
  for (int shift = 60; shift >= 0; shift -= 4)
    out.push_back(hex_digits[(h >> shift) & 0xf]);
  return out;
}

std::string tool_call_ids::alnum9(std::string_view id) {
  constexpr char alphabet[]
    = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  bool fits = id.size() == 9;
  for (char c : id)
    fits = fits
           && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
               || (c >= 'A' && c <= 'Z'));
  if (fits)
    return std::string{id};
  auto h = fnv1a64(id, 14695981039346656037ull);
  std::string out(9, '0');
  for (auto& c : out) {
    c = alphabet[h % 62];
    h /= 62;
    if (h == 0)
      h = fnv1a64(id, h + 1099511628211ull);
  }
  return out;
}

} // namespace switchyard::engine
