#include "switchyard/providers/provider_errors.hpp"

#include "json_object_parser.hpp"
#include "json_support.hpp"

namespace switchyard::providers {

using namespace detail;

engine::call_error classify_status(int status) noexcept {
  if (status == 429)
    return engine::call_error::rate_limited;
  if (status == 408)
    return engine::call_error::timeout;
  if (status >= 500 && status <= 599)
    return engine::call_error::server_error;
  return engine::call_error::client_error;
}

engine::call_error classify_transfer(http::transfer_error e,
                                     bool got_response) noexcept {
  using http::transfer_error;
  switch (e) {
    case transfer_error::none: return engine::call_error::none;
    case transfer_error::connect_timeout:
    case transfer_error::first_byte_timeout:
    case transfer_error::total_timeout: return engine::call_error::timeout;
    case transfer_error::resolve:
    case transfer_error::connect:
    case transfer_error::tls: return engine::call_error::connection;
    case transfer_error::connection:
      return got_response ? engine::call_error::truncated
                          : engine::call_error::connection;
    case transfer_error::truncated: return engine::call_error::truncated;
    case transfer_error::body_too_large:
    case transfer_error::header_too_large:
    case transfer_error::protocol: return engine::call_error::malformed;
    case transfer_error::cancelled: return engine::call_error::cancelled;
  }
  return engine::call_error::connection;
}

namespace {

/// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string clip(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes)
    return std::string{text};
  auto n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n;
  return std::string{text.substr(0, n)} + "...";
}

bool looks_like_text(std::string_view body) {
  for (char c : body) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t')
      return false;
  }
  return true;
}

} // namespace

std::string upstream_error_message(std::string_view body,
                                   std::size_t max_bytes) {
  std::string message;
  json_object_parser parser;
  od::object root;
  if (!parser.parse(body, root)) {
    // Error bodies vary: a field of another shape is passed over.
    std::string_view top_message;
    std::string_view nested;
    auto e = for_each_field(
      root, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "message")
          return read_string_only(v, top_message);
        return key == "error" ? read_error_message(v, nested)
                              : simdjson::SUCCESS;
      });
    if (!e)
      message = nested.empty() ? top_message : nested;
  }
  if (message.empty()) {
    auto trimmed = body;
    while (!trimmed.empty()
           && (trimmed.back() == '\n' || trimmed.back() == ' '
               || trimmed.back() == '\r'))
      trimmed.remove_suffix(1);
    if (!trimmed.empty() && looks_like_text(trimmed))
      message = std::string{trimmed};
  }
  return clip(message, max_bytes);
}

void redact(std::string& text, std::string_view secret) {
  if (secret.empty())
    return;
  constexpr std::string_view mask = "[redacted]";
  std::size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), mask);
    pos += mask.size();
  }
}

} // namespace switchyard::providers
