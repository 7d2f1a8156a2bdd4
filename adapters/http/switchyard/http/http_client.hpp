#pragma once

#include "switchyard/http/client_request.hpp"
#include "switchyard/http/client_response.hpp"
#include "switchyard/http/io_loop.hpp"
#include "switchyard/http/request_handle.hpp"
#include "switchyard/http/url.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace switchyard::http {

/// Whom a TLS client trusts. The peer is always verified, with SNI and a
/// host-name check (RFC 6125); there is no switch to turn that off.
struct tls_client_config {
  /// Extra trusted CA certificates, PEM.
  std::string ca_pem;
  /// Also trust the system's CA store (`/etc/ssl/certs`).
  bool use_system_store = true;
};

struct client_config {
  /// Threads running the client's I/O; callbacks run on them.
  std::size_t io_threads = 1;
  /// A loop to run on instead of threads of its own (io_threads is then
  /// unused). Its owner stops it before destroying this client; see io_loop.
  std::shared_ptr<io_loop> loop;
  /// Open connections per origin and loop thread (a connection serves the
  /// thread it was opened on), busy or idle; more requests queue.
  std::size_t max_connections_per_origin = 64;
  /// A pooled connection idle for longer is closed rather than reused
  /// (servers drop idle keep-alive connections; OpenAI's after ~60 s).
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds first_byte_timeout{120'000};
  std::chrono::milliseconds total_timeout{600'000};
  /// Response bodies past this size are refused (per request overridable).
  std::size_t max_body_bytes = 8u << 20;
  std::size_t max_header_bytes = 64u << 10;
  tls_client_config tls;
  std::string user_agent = "switchyard/0.1";
};

/// Counters for tests and metrics.
struct client_stats {
  std::uint64_t connections_opened = 0;
  std::uint64_t requests = 0;
  std::uint64_t reused = 0;
};

/// Asynchronous HTTP/1.1 client over TCP or TLS with a keep-alive pool per
/// origin. Owns its I/O threads. `send` may be called from any thread; the
/// callbacks run on the client's I/O threads.
///
/// Destroying the client cancels what is in flight (each `on_done` runs with
/// `cancelled`) and joins its threads; it must not be destroyed from one of
/// its own callbacks.
class http_client {
 public:
  /// Starts the I/O threads. Fails, saying why in `why`, when the TLS
  /// settings cannot be used (an unreadable CA, say).
  [[nodiscard]] static std::unique_ptr<http_client> make(client_config cfg,
                                                         std::string& why);

  ~http_client();

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends `req` to `to`. Never throws and never calls back before
  /// returning.
  request_handle send(const origin& to, client_request req,
                      const request_options& opts, response_callbacks cb);

  /// Runs `fn` on one of the I/O threads, as a callback would run: for
  /// callers that answer some requests without a network exchange but keep
  /// the "callbacks arrive on the I/O thread, never inside the call" rule.
  void post(std::function<void()> fn);

  [[nodiscard]] client_stats stats() const noexcept;

  [[nodiscard]] const client_config& config() const noexcept;

  class impl;

 private:
  explicit http_client(std::shared_ptr<impl> p) noexcept;

  std::shared_ptr<impl> impl_;
};

} // namespace switchyard::http
