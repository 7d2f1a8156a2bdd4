#pragma once

#include "switchyard/engine/provider_call.hpp"
#include "switchyard/providers/provider_client.hpp"

#include <simdjson.h>
#include <string_view>

namespace switchyard::providers::detail {

/// Where a stream's events go as a format reads them: into the call's
/// result, which builds up the whole answer, and out to the caller, one
/// chunk per piece, at once.
struct stream_output {
  engine::call_result& result;
  const chunk_callback& on_chunk;

  /// Passes `chunk` on, when anyone listens.
  void emit(const engine::stream_chunk& chunk) const;

  /// Passes on text and reasoning pieces, when there are any.
  void emit_text(std::string_view delta, std::string_view reasoning) const;

  /// Records an error event the upstream sent in the stream: fails the call
  /// with `error` and "error event in stream: <kind>: <message>" (`kind` is
  /// the provider's error type or status, when it sends one). Returns
  /// SUCCESS: the event itself was read.
  simdjson::error_code error_event(engine::call_error error,
                                   std::string_view kind,
                                   std::string_view message) const;

  /// Passes on the chunk that closes an event: `finish_reason` when it is
  /// not empty and, when `with_usage`, the usage so far. Nothing goes out
  /// when it would carry neither.
  void emit_finish(std::string_view finish_reason, bool with_usage) const;
};

} // namespace switchyard::providers::detail
