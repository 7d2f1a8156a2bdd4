#pragma once

#include "switchyard/gateway/gateway_server.hpp"
#include "switchyard/gateway/key_store.hpp"
#include "switchyard/http/response_writer.hpp"
#include "switchyard/http/server_request.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace switchyard {
class runtime_admin;
} // namespace switchyard

namespace switchyard::gateway {

/// How the dashboard keeps sessions. (The runtime samples the learned
/// weights it charts: runtime_config::learned_sampling.)
struct dashboard_options {
  /// A dashboard login lasts this long.
  std::chrono::seconds session_lifetime{12 * 3600};
  std::size_t max_sessions = 64;
};

/// The web dashboard: the embedded /ui files behind a login with the admin
/// key (a session cookie, since a browser cannot send an Authorization
/// header when it navigates), and the API it reads: decision pages,
/// replay, spend over time, learned weights over time and providers with
/// their breaker history. Kept apart from gateway_server.cpp, which calls
/// it through three hooks. Thread-safe.
class dashboard_routes {
public:
  /// Ends the request with its status (for the access log and metrics).
  using finish_fn = std::function<void(int status)>;

  /// `cfg`, `admin` (the runtime's) and `keys` must outlive it.
  dashboard_routes(const gateway_config& cfg, runtime_admin& admin,
                   const key_store& keys, dashboard_options opts = {});
  ~dashboard_routes();

  dashboard_routes(const dashboard_routes&) = delete;
  dashboard_routes& operator=(const dashboard_routes&) = delete;

  /// Stops sampling; call before the runtime shuts down.
  void stop();

  /// GET/POST /ui and /ui/*, before any API authentication: true when it
  /// took the request.
  bool serve_ui(const http::server_request& req,
                const std::shared_ptr<http::response_writer>& w,
                const finish_fn& finish);

  /// Whether the request carries a live dashboard session, which counts as
  /// the admin key.
  [[nodiscard]] bool has_session(const http::server_request& req) const;

  /// The dashboard's API routes, after authentication: true when it took
  /// the request.
  bool serve_api(const http::server_request& req,
                 const std::shared_ptr<http::response_writer>& w, bool admin,
                 const finish_fn& finish);

  /// Counts a finished task's calls per provider.
  void on_task(const task_reply& r);

  class impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::gateway
