#pragma once

// The gateway's shared state and its handlers, grouped by concern into one
// file each: gateway_server.cpp (start, stop, logging), gateway_routes.cpp
// (the route table), gateway_auth.cpp, chat_routes.cpp (the chat APIs,
// plain and streamed), admin_routes.cpp (keys, experiments, decisions,
// analytics), task_routes.cpp (models, route, feedback) and
// metrics_routes.cpp. Private to the gateway library.

#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/dashboard_routes.hpp"
#include "switchyard/gateway/gateway_metrics.hpp"
#include "switchyard/gateway/gateway_server.hpp"
#include "switchyard/gateway/key_store.hpp"
#include "switchyard/gateway/log_sink.hpp"
#include "switchyard/gateway/tool_call_stickiness.hpp"
#include "switchyard/http/header.hpp"
#include "switchyard/http/response_writer.hpp"
#include "switchyard/http/server_request.hpp"
#include "switchyard/telemetry/span_id.hpp"
#include "switchyard/telemetry/trace_parent.hpp"
#include "switchyard/telemetry/tracing.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace switchyard {
class runtime;
} // namespace switchyard

namespace switchyard::http {
class http_client;
class http_server;
class io_loop;
} // namespace switchyard::http

namespace switchyard::gateway {

using clock_type = std::chrono::steady_clock;
using writer_ptr = std::shared_ptr<http::response_writer>;

[[nodiscard]] std::string usd_text(std::int64_t nanos);
/// The x-switchyard-steps value: each step that ran as role=model:USD, in
/// order (a failed one with "!" after its model); "answer=<model>:USD" for
/// a single call.
[[nodiscard]] std::string steps_text(const task_reply& r,
                                     const engine::registry& reg);
[[nodiscard]] http::header_list json_headers();
[[nodiscard]] double elapsed_us(clock_type::time_point since);

/// The client-facing APIs: they differ in error shape and in how an answer
/// is written.
enum class api_format : std::uint8_t { chat_completions, messages, responses };

/// Who is calling, as authentication found it.
struct caller {
  bool ok = false;
  bool admin = false;
  std::string key_id;
  api_error error;
  http::header_list extra;
};

/// Ends one request, once: the access log, the metrics, the server span
/// and the count of requests in flight (which drain_and_stop waits on).
struct request_end {
  gateway_server::impl* self = nullptr;
  clock_type::time_point started;
  std::string method;
  std::string path;
  /// The request's trace when tracing is on (see start_trace): the context
  /// of its server span, which parents the task's spans (task_spec::trace
  /// takes it). Null: not traced.
  telemetry::trace_parent_ptr trace{};
  /// The caller's span (from its `traceparent`); all zeros for a root.
  telemetry::span_id remote_parent{};
  std::uint64_t start_unix_nanos = 0;

  void operator()(int status, std::uint64_t decision = 0,
                  std::string_view model = {}, std::string_view key = {}) const;

  /// Records the server span when its trace is sampled.
  void record_span(int status, std::uint64_t decision) const;
};

class gateway_server::impl {
 public:
  gateway_config cfg;
  /// stderr logs, written in batches off the request path; declared early
  /// so that it outlives everything that logs.
  log_sink logs;
  /// OpenTelemetry traces (the `telemetry` section, --otlp-endpoint, the
  /// OTEL_* variables); null members when export is off. Its exporter is
  /// shut down after the runtime, which may still end spans.
  telemetry::tracing tracing;
  /// The I/O loop the server, the client and the actors share (null when
  /// the actors run on CAF's workers); declared before them, so that it is
  /// destroyed after them.
  std::shared_ptr<http::io_loop> loop;
  std::unique_ptr<http::http_client> client;
  std::unique_ptr<runtime> rt;
  key_store keys;
  std::unique_ptr<gateway_metrics> metrics;
  /// Tool-call ids handed out and read back (agent loops stay put).
  std::unique_ptr<tool_call_stickiness> sticky;
  std::unique_ptr<http::http_server> server;
  /// /ui and the API it reads (dashboard_routes.cpp).
  std::unique_ptr<dashboard_routes> dashboard;

  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> in_flight{0};
  std::mutex drain_mutex;
  std::condition_variable drained;
  bool stopped = false;

  impl();
  ~impl();

  /// Seconds since the Unix epoch on the runtime's clock.
  [[nodiscard]] std::int64_t unix_now() const;

  // -- plumbing (gateway_server.cpp)
  // -------------------------------------------

  void log(std::string line);
  void log_request(std::string_view method, std::string_view path, int status,
                   double ms, std::uint64_t decision, std::string_view model,
                   std::string_view key_id,
                   const telemetry::trace_context* trace = nullptr);
  /// Starts the request's trace (server span context) in `finish`, from
  /// its `traceparent`/`tracestate`, when tracing is on and the path is
  /// traced (not the probes, /healthz, /readyz and /metrics, nor the
  /// dashboard's files under /ui).
  void start_trace(const http::server_request& req, request_end& finish) const;
  /// Starts tracing as configured; false with `why` on a bad setting.
  bool start_tracing(std::string& why);
  /// An error in the API's own shape (Anthropic's for /v1/messages).
  void reply_error(const writer_ptr& w, const api_error& e, bool anthropic,
                   http::header_list extra = {});

  // -- the route table (gateway_routes.cpp)
  // ------------------------------------

  void handle(const http::server_request& req, writer_ptr w);

  // -- authentication (gateway_auth.cpp)
  // ---------------------------------------

  /// The keys in the store, with their budgets given to the ledger.
  /// Start-up only.
  bool load_keys(std::string& why);
  caller authenticate(const http::server_request& req);

  // -- the chat APIs (chat_routes.cpp)
  // -----------------------------------------

  void chat(const http::server_request& req, writer_ptr w, api_format api,
            const caller& who, const request_end& finish);

  // -- admin endpoints (admin_routes.cpp)
  // ---------------------------------------

  bool require_admin(const writer_ptr& w, const caller& who,
                     std::string_view what, const request_end& finish);
  void manage_keys(const http::server_request& req, writer_ptr w,
                   const caller& who, std::string_view key_id,
                   const request_end& finish);
  void experiments(const http::server_request& req, writer_ptr w,
                   const caller& who, std::string_view rest,
                   const request_end& finish);
  void analytics(const std::string& report, writer_ptr w, const caller& who,
                 const request_end& finish);
  void decision(const std::string& id_text, writer_ptr w, const caller& who,
                const request_end& finish);
  /// Stores `record` (synced) when the node has a store, then calls
  /// `done(stored, durable)`.
  void persist_key(storage::api_key_record record,
                   std::function<void(bool stored, bool durable)> done);

  // -- task endpoints (task_routes.cpp) ---------------------------------------

  void route(const http::server_request& req, writer_ptr w, const caller& who,
             const request_end& finish);
  void feedback(const http::server_request& req, writer_ptr w,
                const caller& who, const request_end& finish);
  [[nodiscard]] std::string models_body() const;
  /// Whether any enabled model can answer now (health checks).
  [[nodiscard]] bool any_model_routable() const;

  // -- metrics (metrics_routes.cpp)
  // --------------------------------------------

  void serve_metrics(writer_ptr w, const request_end& finish);
  [[nodiscard]] std::string runtime_gauges() const;
  /// GET /readyz's body once providers are known: the store's state.
  [[nodiscard]] std::string readiness_body() const;
};

} // namespace switchyard::gateway
