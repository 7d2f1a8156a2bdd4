#pragma once

#include "switchyard/http/header.hpp"
#include "switchyard/http/transfer_error.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace switchyard::http {

/// The status line and headers of a response, as soon as they arrive.
struct response_head {
  int status = 0;
  header_list headers;
};

/// How an exchange ended.
struct client_response {
  transfer_error error = transfer_error::none;
  /// What went wrong, e.g. `certificate verify failed: hostname mismatch`.
  /// Built from the transport's state only: never holds request headers.
  std::string error_detail;
  /// 0 when no response head arrived.
  int status = 0;
  header_list headers;
  /// The whole body, unless it was handed out piece by piece (see
  /// `response_callbacks::on_head`).
  std::string body;
  /// Whether the request went out on a pooled keep-alive connection.
  bool reused_connection = false;
  std::chrono::steady_clock::time_point started;
  /// When the first body byte arrived (or the end of an empty body); equal
  /// to `started` when none did.
  std::chrono::steady_clock::time_point first_byte;
  std::chrono::steady_clock::time_point finished;

  [[nodiscard]] bool ok() const noexcept {
    return error == transfer_error::none;
  }
};

/// What the client calls back, always on one of its I/O threads. Callbacks
/// must be short: they hold up every connection served by that thread.
struct response_callbacks {
  /// Optional. Called once the head is in; returns whether the body goes to
  /// `on_body` piece by piece (true) or is collected into
  /// `client_response::body` (false). Without it, the body is collected.
  std::function<bool(const response_head&)> on_head;
  /// Receives body bytes (already de-chunked) as they arrive, when `on_head`
  /// asked for it.
  std::function<void(std::string_view)> on_body;
  /// Called exactly once, last, whatever happens, including cancellation
  /// and the client's destruction.
  std::function<void(client_response)> on_done;
};

} // namespace switchyard::http
