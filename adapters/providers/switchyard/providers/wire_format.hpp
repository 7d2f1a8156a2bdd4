#pragma once

#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/http/client_request.hpp"
#include "switchyard/http/header.hpp"
#include "switchyard/providers/provider_client.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace switchyard::providers {

/// Turns one streamed response body into chunks and a result. One per
/// stream; not thread-safe (the HTTP client feeds it from one strand).
class stream_decoder {
 public:
  virtual ~stream_decoder() = default;

  /// Feeds body bytes as they arrive, split anywhere. Appends the text to
  /// `result.text`, records the finish reason, usage and tool calls, and
  /// calls `on_chunk` for each piece. Returns false when the stream cannot
  /// go on: `result.error` and `result.error_message` then say why (a body
  /// that is not the format, or an error event sent by the upstream).
  virtual bool feed(std::string_view bytes, const chunk_callback& on_chunk,
                    engine::call_result& result)
    = 0;

  /// At the end of the body: completes `result` (tool calls) and returns
  /// whether the stream's final event arrived. False means the stream was
  /// cut, whatever the transport said.
  virtual bool finish(engine::call_result& result) = 0;
};

/// One provider API's request and response formats. Stateless and
/// thread-safe; the same instance serves every call of a provider client.
class wire_format {
 public:
  virtual ~wire_format() = default;

  [[nodiscard]] virtual engine::provider_kind kind() const noexcept = 0;

  /// Fills `out` (method, target under `base_path`, content headers, JSON
  /// body) for `req`; `stream` picks the streaming variant. Returns "" on
  /// success, else why the call cannot be made in this format, naming the
  /// field (e.g. "top_k cannot be sent to OpenAI"): the client then fails the
  /// call with `client_error` and that message, sending nothing. A field is
  /// never silently dropped.
  [[nodiscard]] virtual std::string
  build_request(const engine::call_request& req, bool stream,
                std::string_view base_path,
                http::client_request& out) const = 0;

  /// Adds `key` the way this API expects it.
  virtual void authorize(std::string_view key,
                         http::header_list& headers) const = 0;

  /// Parses a whole 2xx body into `result`: text, finish reason, usage,
  /// tool calls, the upstream's model name is not kept (results name the
  /// registry model). On failure sets `result.error` to `malformed` with a
  /// message and returns false. May pad `body` in place for the parser.
  virtual bool parse_response(std::string& body,
                              engine::call_result& result) const = 0;

  [[nodiscard]] virtual std::unique_ptr<stream_decoder>
  make_stream_decoder() const = 0;

  /// Fills `out` with this API's model listing under `base_path`: a GET
  /// that wants JSON, with the headers the API requires besides the key
  /// (`authorize` adds that, as for calls). Costs no tokens: the health
  /// probe and local model discovery use it.
  virtual void build_models_request(std::string_view base_path,
                                    http::client_request& out) const = 0;

  /// Appends the model names of a whole 2xx listing body to `out.models`,
  /// spelled as a registry model's `upstream` would name them. Returns
  /// false, saying why in `out.error_message` (never quoting more than the
  /// body's shape), when the body is not this API's listing. May pad `body`
  /// in place for the parser.
  virtual bool parse_models(std::string& body,
                            engine::model_listing& out) const = 0;
};

/// The format `kind` names.
[[nodiscard]] std::unique_ptr<wire_format>
make_wire_format(engine::provider_kind kind);

} // namespace switchyard::providers
