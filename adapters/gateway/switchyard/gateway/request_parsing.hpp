#pragma once

// What every ingress format's parser shares: the per-thread JSON parser,
// the switchyard hints, the model and pin lookups and the small conversions
// (data: URLs, raw JSON text). Library-internal: it includes simdjson.

#include "switchyard/engine/registry.hpp"
#include "switchyard/gateway/api_formats.hpp"

#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>

namespace switchyard::gateway {

/// A 400 `invalid_request_error`.
[[nodiscard]] api_error bad_request(std::string message, std::string code = {});

/// A request's document: valid until the next parse_json on this thread.
struct parsed_json {
  simdjson::dom::element root;
};

/// Parses `body` with this thread's reused parser (a DOM parser allocates
/// buffers sized to the document: per request that costs allocations on
/// the hot path). The root must be an object.
[[nodiscard]] std::optional<api_error> parse_json(std::string_view body,
                                                  parsed_json& p);

/// Applies routing hints from the body's `switchyard` object and the
/// X-Switchyard-* headers (headers win; proxies set them per request):
/// task_type, complexity, budget_usd, quality, parallel and pin_model. An
/// unknown pin model is a 404 like an unknown model.
[[nodiscard]] std::optional<api_error>
apply_hints(simdjson::dom::element body, const header_lookup& headers,
            const engine::registry& reg, chat_request& out);

/// `model`: "auto", or a registry id the task is forced to (else a 404
/// `model_not_found`).
[[nodiscard]] std::optional<api_error>
resolve_model(std::string_view model, const engine::registry& reg,
              chat_request& out);

/// Splits `data:<media type>;base64,<data>` into its media type and bytes;
/// false when `url` is not such a URL.
[[nodiscard]] bool split_data_url(std::string_view url, std::string& media_type,
                                  std::string& data);

/// Whether `url` is http:// or https://: the only URLs passed upstream
/// (the gateway never fetches one itself).
[[nodiscard]] bool is_http_url(std::string_view url) noexcept;

/// A JSON value as compact JSON text (schemas, tool arguments).
[[nodiscard]] std::string raw_json(simdjson::dom::element e);

/// Whether `text` is a JSON object (tool arguments an Anthropic `input`
/// can carry).
[[nodiscard]] bool is_json_object(std::string_view text);

/// The optional string field `key` of `obj`: nullopt when absent or null,
/// an error naming `where.key` when it is another type.
[[nodiscard]] std::optional<api_error>
optional_string(simdjson::dom::object obj, std::string_view key,
                std::string_view where, std::string& out);

} // namespace switchyard::gateway
