#pragma once

// The dashboard's state and handlers, private to the gateway library and
// split by concern: dashboard_routes.cpp (the public class and the learned
// weights sampler), dashboard_session.cpp (login, sessions and the /ui
// files), dashboard_api.cpp (decisions, replay, spend and providers) and
// dashboard_support.cpp (form, cookie and query parsing).

#include "switchyard/engine/learning.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/dashboard_routes.hpp"
#include "switchyard/http/header.hpp"
#include "switchyard/runtime_admin.hpp"
#include "switchyard/storage/learned_sample.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace switchyard::gateway {

namespace dashboard_detail {

using clock_type = std::chrono::steady_clock;
using http::header_list;

inline constexpr std::string_view session_cookie = "switchyard_session";

[[nodiscard]] double usd(std::int64_t nanos);

[[nodiscard]] header_list json_headers();

/// What every dashboard page is served with: no framing, no sniffing, no
/// script or style from anywhere else, no referrer leaving the node.
[[nodiscard]] header_list page_headers(std::string_view content_type);

[[nodiscard]] std::string with_charset(std::string_view type);

[[nodiscard]] int hex_digit(char c);

/// application/x-www-form-urlencoded and query-string decoding.
[[nodiscard]] std::string url_decode(std::string_view s);

/// The value of `name` in a query string or form body.
[[nodiscard]] std::optional<std::string> form_value(std::string_view form,
                                                    std::string_view name);

[[nodiscard]] std::optional<std::string_view>
cookie_value(std::string_view header, std::string_view name);

[[nodiscard]] std::string random_token();

[[nodiscard]] std::string_view phase_name(breaker_phase p);

[[nodiscard]] std::optional<std::uint64_t> query_number(std::string_view query,
                                                        std::string_view name);

/// A decision cursor: dec_... or a plain number.
[[nodiscard]] std::optional<std::uint64_t>
query_decision(std::string_view query, std::string_view name);

/// Calls seen per provider since the process started.
struct provider_calls {
  std::uint64_t calls = 0;
  std::uint64_t failed = 0;
  /// Failed calls after which the task went on to another model.
  std::uint64_t fell_back = 0;
  std::uint64_t breaker_refusals = 0;
  /// Retries on the same model inside attempts.
  std::uint64_t retries = 0;
  std::map<std::string_view, std::uint64_t> errors;
};

} // namespace dashboard_detail

class dashboard_routes::impl {
 public:
  using clock_type = dashboard_detail::clock_type;
  using provider_calls = dashboard_detail::provider_calls;

  impl(const gateway_config& c, runtime_admin& a, const key_store& k,
       dashboard_options o)
      : cfg(c), rt(a), keys(k), opts(o) {
    calls.resize(cfg.registry.providers.size());
  }

  const gateway_config& cfg;
  /// The runtime's queries.
  runtime_admin& rt;
  const key_store& keys;
  dashboard_options opts;

  // -- sessions ---------------------------------------------------------------

  mutable std::mutex session_mutex;
  /// Hash of the session token -> when it expires. Only hashes are kept,
  /// so a memory dump holds no usable cookie.
  std::map<std::string, clock_type::time_point> sessions;

  // Sessions, login and the /ui files (dashboard_session.cpp).

  bool valid_session(std::string_view token) const;

  std::string open_session();

  void close_session(std::string_view token);

  std::optional<std::string_view>
  session_token(const http::server_request& req) const;

  bool logged_in(const http::server_request& req) const;

  static void error(const std::shared_ptr<http::response_writer>& w,
                    const finish_fn& finish, const api_error& e);

  static api_error admin_required();

  void login_page(const std::shared_ptr<http::response_writer>& w,
                  const finish_fn& finish, int status,
                  std::string_view message);

  bool serve_ui(const http::server_request& req,
                const std::shared_ptr<http::response_writer>& w,
                const finish_fn& finish);

  void login(const http::server_request& req,
             const std::shared_ptr<http::response_writer>& w,
             const finish_fn& finish);

  void redirect_with_session(const std::shared_ptr<http::response_writer>& w,
                             const finish_fn& finish);

  // -- learned weights over time (dashboard_routes.cpp) -------------------------

  /// GET /v1/analytics/learned?since=UNIX_MS
  void learned_series(std::string_view query,
                      const std::shared_ptr<http::response_writer>& w,
                      const finish_fn& finish);

  // -- provider calls ---------------------------------------------------------

  // -- provider calls ---------------------------------------------------------

  std::mutex calls_mutex;
  std::vector<provider_calls> calls;

  // -- the API (dashboard_api.cpp)
  // ----------------------------------------------

  bool serve_api(const http::server_request& req,
                 const std::shared_ptr<http::response_writer>& w, bool admin,
                 const finish_fn& finish);

  /// GET /v1/decisions?limit=N&before=ID&after=ID
  void decisions(std::string_view query,
                 const std::shared_ptr<http::response_writer>& w,
                 const finish_fn& finish);

  /// POST /v1/decisions/{id}/replay
  void replay(std::string_view id_text,
              const std::shared_ptr<http::response_writer>& w,
              const finish_fn& finish);

  /// GET /v1/analytics/spend?bucket=minute|hour|day
  void spend(std::string_view query,
             const std::shared_ptr<http::response_writer>& w,
             const finish_fn& finish);

  std::string spend_json(std::string_view bucket, const spend_report& r,
                         const spend_report& today,
                         const ledger_summary& ledger) const;

  /// GET /v1/providers: breaker states, their recent transitions and the
  /// calls seen per provider.
  void providers(const std::shared_ptr<http::response_writer>& w,
                 const finish_fn& finish);

  void on_task(const task_reply& r);
};

} // namespace switchyard::gateway
