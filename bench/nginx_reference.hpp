#pragma once

#include "child_process.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace switchyard::bench {

/// How the reference proxy is set up (issue 18, "how to measure against
/// nginx"): one worker, as the gateway shares the same 2 cores; upstream
/// keepalive, as the gateway keeps its upstream connections; access log
/// off, as the gateway writes none per request.
struct nginx_settings {
  std::string binary = "/usr/sbin/nginx";
  std::uint16_t upstream_port = 0;
  /// SSE responses: pass each event on at once (proxy_buffering off).
  bool stream = false;
  /// Connections the bench may hold open to it at once (sizes
  /// worker_connections: each takes one client and one upstream slot).
  std::size_t max_connections = 64;
};

/// The directives of the proxy's configuration, in nginx's syntax: what a
/// reader needs to judge the reference (printed with every report that
/// uses it). The file nginx runs adds only where its pid, logs and
/// temporary files go.
[[nodiscard]] std::string nginx_proxy_directives(const nginx_settings& s,
                                                 std::uint16_t listen_port);

/// Debian's nginx as a reverse proxy in front of the bench's upstream,
/// with its own prefix and configuration in a temporary folder and a free
/// port: the practical limit for an HTTP/1.1 proxy on this machine,
/// measured in the same run as the gateway. Stopped (SIGTERM: a fast
/// shutdown) and its folder removed when destroyed.
class nginx_reference {
 public:
  /// Starts it and waits until it accepts connections. Null and `why`
  /// (what to install, or what nginx said) on failure.
  static std::unique_ptr<nginx_reference> start(const nginx_settings& s,
                                                std::string& why);

  ~nginx_reference();
  nginx_reference(const nginx_reference&) = delete;
  nginx_reference& operator=(const nginx_reference&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// `nginx -v`'s answer, e.g. "nginx/1.22.1".
  [[nodiscard]] const std::string& version() const noexcept { return version_; }
  /// nginx_proxy_directives() for this instance.
  [[nodiscard]] const std::string& directives() const noexcept {
    return directives_;
  }
  /// Its master process (the one worker is its child).
  [[nodiscard]] const child_process* process() const noexcept {
    return process_.get();
  }

 private:
  nginx_reference() = default;

  std::string dir_;
  std::uint16_t port_ = 0;
  std::string version_;
  std::string directives_;
  std::unique_ptr<child_process> process_;
};

} // namespace switchyard::bench
