#pragma once

#include "switchyard/http/header.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace switchyard::http {

/// How a handler answers one request, now or later, from any thread. Either
/// `respond` once, or `begin`, any number of `write`s and `end`. Calls after
/// the response is complete, after the connection closed or after the
/// server stopped do nothing. Dropping the last reference before the
/// response is complete closes the connection.
///
/// A writer must not outlive its `http_server`.
class response_writer {
 public:
  virtual ~response_writer() = default;

  /// A complete response with a `Content-Length`.
  virtual void respond(int status, header_list headers, std::string body) = 0;

  /// Starts a streamed response. Without a `Content-Length` among
  /// `headers`, the body goes out chunked; with one, as raw bytes (and
  /// `reset` before that many makes a truncated body).
  virtual void begin(int status, header_list headers) = 0;

  /// Queues body bytes of a streamed response.
  virtual void write(std::string bytes) = 0;

  /// Ends a streamed response (the last chunk).
  virtual void end() = 0;

  /// Drops the connection with a TCP reset once everything queued before
  /// it is written; a crash, as far as the peer can tell.
  virtual void reset() = 0;

  /// Runs `fn` after `delay` on this connection's executor (serialized with
  /// its I/O). Dropped, not run, when the server stops.
  virtual void after(std::chrono::microseconds delay, std::function<void()> fn)
    = 0;

  /// Whether the connection is gone: closed by the peer or by us.
  [[nodiscard]] virtual bool closed() const noexcept = 0;

  /// Runs `fn` once if the connection goes before this response is
  /// complete (before `respond`, `end` or `reset`): the peer closed or reset
  /// it, a write failed or timed out, or the last writer was dropped. While
  /// one is registered the server watches the idle connection for the
  /// peer's close (as nginx does to abort an upstream request), so a client
  /// that gives up is noticed at once, not at the next write. Runs on the
  /// connection's thread, or at once when the connection went already;
  /// never after the server stopped. A second registration replaces the
  /// first. The peer's half-close (shutdown of its sending side) counts as
  /// going; bytes of a pipelined next request end the watch.
  virtual void on_abandon(std::function<void()> fn) = 0;
};

} // namespace switchyard::http
