#pragma once

#include "switchyard/engine/provider_call.hpp"
#include "switchyard/http/transfer_error.hpp"

#include <string>
#include <string_view>

namespace switchyard::providers {

/// The error class of a non-2xx status: 429 rate_limited, 408 timeout, 5xx
/// server_error, anything else (400, 401, 403, 404, 422, a redirect)
/// client_error.
[[nodiscard]] engine::call_error classify_status(int status) noexcept;

/// The error class of a transport failure. `streaming` says whether the
/// response was being read piece by piece, where a cut is `truncated`.
[[nodiscard]] engine::call_error classify_transfer(http::transfer_error e,
                                                   bool got_response) noexcept;

/// The provider's own message in an error body, whatever the API:
/// `{"error":{"message":...}}` (OpenAI, Anthropic, Gemini), `{"message":...}`
/// (Cohere), `{"error":"..."}` (Ollama), else the body itself when it is
/// short text. At most `max_bytes`, cut on a UTF-8 boundary.
[[nodiscard]] std::string upstream_error_message(std::string_view body,
                                                 std::size_t max_bytes = 500);

/// Replaces every occurrence of `secret` in `text` with `[redacted]`. Keys
/// never leave in a message, even when an upstream echoes one back.
void redact(std::string& text, std::string_view secret);

} // namespace switchyard::providers
