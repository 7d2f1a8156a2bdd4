#pragma once

#include "switchyard/http/io_loop.hpp"

#include "switchyard/http/response_writer.hpp"
#include "switchyard/http/server_request.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::http {

/// A certificate chain and its key, PEM, for serving HTTPS.
struct tls_server_config {
  std::string certificate_chain_pem;
  std::string private_key_pem;
};

/// An error the server answers by itself, before any handler runs: the
/// request could not be read (400 bad framing, 413 body over the limit, 431
/// headers over the limit), the server holds too many request bodies (429)
/// or too many connections (503).
struct server_error {
  int status = 0;
  /// Short and stable: `bad_request`, `request_too_large`,
  /// `request_headers_too_large`, `server_busy`, `too_many_connections`.
  std::string_view code;
  /// For a person; no trailing newline.
  std::string_view message;
  /// The request target (path and query) when the request line was read,
  /// else empty (431 before it, 503).
  std::string_view target;
};

/// What an error_renderer answers: the body and its content type.
struct rendered_error {
  std::string content_type;
  std::string body;
};

/// Renders a server_error in the API's own format (the owner knows which
/// API a path belongs to; the server does not). Called on an I/O thread:
/// must not block. An exception escaping it falls back to the plain
/// rendering.
using error_renderer = std::function<rendered_error(const server_error&)>;

struct server_config {
  /// An IP literal to bind; port 0 picks a free one (see `port()`).
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t io_threads = 1;
  /// A loop to run on instead of threads of its own (io_threads is then
  /// unused). Its owner stops the loop before calling `stop`; see io_loop.
  std::shared_ptr<io_loop> loop;
  /// Requests with larger bodies get 413; with larger headers, 431.
  /// 32 MiB admits agent traffic: a long-context request (a million-token
  /// window is about 4 MB of text) plus a few base64 images (about 1.4 MB
  /// each for a 1 MB picture), with room to spare.
  std::size_t max_body_bytes = 32u << 20;
  std::size_t max_header_bytes = 16u << 10;
  /// To read one whole request, counted from when the connection is ready
  /// for it: also how long an idle keep-alive connection is kept.
  std::chrono::milliseconds request_timeout{30'000};
  /// For each write of a response to complete.
  std::chrono::milliseconds write_timeout{30'000};
  /// Open connections at most. Over it, a new connection is answered at
  /// once with 503 and a JSON error (code `too_many_connections`) and
  /// closed, as Envoy's overload manager and HAProxy's `maxconn` protect a
  /// proxy from exhausting file descriptors and memory: the client learns
  /// why at once instead of waiting in the accept backlog. 0: no limit.
  std::size_t max_connections = 10'000;
  /// Request-body bytes held at once across the server, so that many large
  /// uploads cannot exhaust memory. A request whose Content-Length would go
  /// over it (or, chunked, whose body once read would) gets 429 with
  /// `Retry-After: 1` (code `server_busy`). A body counts from its
  /// headers until its handler hands over the whole response (or the
  /// connection closes); a request alone is always admitted (up to
  /// max_body_bytes). 0: no limit.
  std::size_t max_body_bytes_in_flight = 256u << 20;
  /// Renders the errors the server answers by itself (server_error). Unset:
  /// a plain-text body (503: a JSON one).
  error_renderer render_error;
  std::optional<tls_server_config> tls;
};

/// Called on an I/O thread for every request; answers through the writer,
/// now or later. Must not block. An exception escaping it becomes a 500.
using request_handler = std::function<void(const server_request&,
                                           std::shared_ptr<response_writer>)>;

/// Asynchronous HTTP/1.1 server (keep-alive, chunked streaming, optional
/// TLS) on its own I/O threads.
class http_server {
 public:
  /// Binds and starts serving. Fails, saying why in `why`, when the address
  /// cannot be bound or the TLS material is unusable.
  [[nodiscard]] static std::unique_ptr<http_server>
  make(server_config cfg, request_handler handler, std::string& why);

  /// Stops (see `stop`).
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The bound port: the one picked when the config said 0.
  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Stops accepting, drops every connection and timer, joins the I/O
  /// threads. Idempotent; must not be called from a handler.
  void stop();

  class impl;

 private:
  explicit http_server(std::shared_ptr<impl> p) noexcept;

  std::shared_ptr<impl> impl_;
};

} // namespace switchyard::http
