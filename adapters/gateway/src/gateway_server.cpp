// `switchyard serve`: the wiring. Start-up and shutdown, the access log and
// error replies; the endpoints live in the files gateway_impl.hpp lists.

#include "gateway_impl.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/http/http_server.hpp"
#include "switchyard/http/io_loop.hpp"
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"
#include "switchyard/clock/system_time.hpp"
#include "switchyard/telemetry/tracer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace switchyard::gateway {

std::int64_t gateway_server::impl::unix_now() const {
  return rt->clock().wall_ms() / 1000;
}

std::string steps_text(const task_reply& r, const engine::registry& reg) {
  if (r.steps.empty())
    return "answer=" + reg.models[r.model].id + ":" + usd_text(r.cost_nanos);
  std::string out;
  for (const auto& s : r.steps) {
    if (!s.ran || !s.has_model)
      continue;
    if (!out.empty())
      out += ',';
    for (char c : s.role)
      out += c == ',' || c == '=' ? ' ' : c;
    out += '=';
    out += reg.models[s.model].id;
    if (!s.ok)
      out += '!';
    out += ':';
    out += usd_text(s.cost_nanos);
  }
  return out;
}

std::string usd_text(std::int64_t nanos) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9f", engine::nanos_to_usd(nanos));
  return buf;
}

http::header_list json_headers() {
  return {{"content-type", "application/json"}};
}

double elapsed_us(clock_type::time_point since) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - since)
    .count();
}

namespace {

/// The route template of a path the gateway serves (OpenTelemetry's
/// `http.route`, low cardinality: ids replaced); empty for an unknown one.
std::string_view route_of(std::string_view path) noexcept {
  for (std::string_view exact :
       {"/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/route",
        "/v1/feedback", "/v1/models", "/v1/keys", "/v1/experiments",
        "/v1/cluster", "/v1/providers", "/v1/decisions"})
    if (path == exact)
      return exact;
  for (auto [prefix, route] :
       {std::pair<std::string_view, std::string_view>{"/v1/keys/",
                                                      "/v1/keys/{id}"},
        {"/v1/experiments/", "/v1/experiments/{id}"},
        {"/v1/decisions/", "/v1/decisions/{id}"},
        {"/v1/analytics/", "/v1/analytics/{report}"}})
    if (path.starts_with(prefix))
      return route;
  return {};
}

} // namespace

void request_end::record_span(int status, std::uint64_t decision) const {
  const auto& tracer = *trace->tracer;
  tracer.record_server({trace->context, remote_parent, method, path,
                        route_of(path), status, decision, start_unix_nanos,
                        tracer.now_unix_nanos()});
}

void request_end::operator()(int status, std::uint64_t decision,
                             std::string_view model,
                             std::string_view key) const {
  self->metrics->on_request(path, status);
  if (trace && trace->context.sampled())
    record_span(status, decision);
  self->log_request(method, path, status,
                    std::chrono::duration<double, std::milli>(
                      clock_type::now() - started)
                      .count(),
                    decision, model, key, trace ? &trace->context : nullptr);
  if (self->in_flight.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> guard{self->drain_mutex};
    self->drained.notify_all();
  }
}

gateway_server::impl::impl() = default;

gateway_server::impl::~impl() {
  // A start that failed half way, or drain_and_stop's end: the runtime's
  // actors need the loop to finish; then the loop stops before the server
  // and the client close their sockets (see http::io_loop).
  if (dashboard)
    dashboard->stop();
  if (rt)
    rt->shutdown(std::chrono::seconds{5});
  if (loop)
    loop->stop();
  if (tracing.exporter)
    tracing.exporter->shutdown();
}

bool gateway_server::impl::start_tracing(std::string& why) {
  const auto& file = cfg.registry.telemetry;
  telemetry::telemetry_config tc;
  tc.otlp_endpoint = file.otlp_endpoint;
  tc.service_name = file.service_name;
  tc.node_id = cfg.registry.cluster.node_id;
  tc.sample_ratio = file.sample_ratio;
  tc.propagate_to_providers = file.propagate_to_providers;
  tc.capture_content = file.capture_content;
  config::env_lookup env = cfg.env;
  if (!env)
    env = config::process_env();
  auto started = telemetry::start_tracing(tc, env, system_time());
  if (!started) {
    why = error_message(started.error());
    return false;
  }
  tracing = std::move(*started);
  if (tracing.exporter) {
    std::string line;
    engine::json_writer w{line};
    w.begin_object();
    w.field("level", "info");
    w.field("msg", "traces");
    w.field("exporter", tracing.exporter->settings().to_string());
    w.field("sampler", tracing.tracer->sampler().description());
    w.field("propagate_to_providers", tc.propagate_to_providers);
    w.field("capture_content", tc.capture_content);
    w.end_object();
    log(std::move(line));
  }
  return true;
}

void gateway_server::impl::start_trace(const http::server_request& req,
                                       request_end& finish) const {
  const auto& tracer = tracing.tracer;
  // Probes, scrapers and the dashboard's static files would only flood
  // the collector.
  if (!tracer || finish.path == "/healthz" || finish.path == "/readyz"
      || finish.path == "/metrics" || finish.path.starts_with("/ui"))
    return;
  finish.start_unix_nanos = tracer->now_unix_nanos();
  auto traceparent = req.header("traceparent").value_or(std::string_view{});
  // `tracestate` counts only beside a `traceparent`.
  auto tracestate = traceparent.empty()
                      ? std::string_view{}
                      : req.header("tracestate").value_or(std::string_view{});
  finish.trace = tracer->start_request_trace(traceparent, tracestate,
                                             finish.remote_parent);
}

void gateway_server::impl::log(std::string line) {
  if (cfg.log)
    cfg.log(line);
  else
    logs.write(line);
}

void gateway_server::impl::log_request(std::string_view method,
                                       std::string_view path, int status,
                                       double ms, std::uint64_t decision,
                                       std::string_view model,
                                       std::string_view key_id,
                                       const telemetry::trace_context* trace) {
  std::string line;
  engine::json_writer w{line};
  w.begin_object();
  w.field("ts", unix_now());
  w.field("level", status >= 500 ? "error" : "info");
  w.field("msg", "request");
  w.field("method", method);
  w.field("path", path);
  w.field("status", status);
  w.field("ms", ms);
  if (decision != 0)
    w.field("decision_id", decision_ref(decision));
  if (!model.empty())
    w.field("model", model);
  if (!key_id.empty())
    w.field("key_id", key_id);
  if (trace) {
    // The id a trace backend finds the request's spans by (also for an
    // unsampled trace: the caller's own spans may be recorded).
    std::string id;
    trace->trace_id.append_hex(id);
    w.field("trace_id", std::string_view{id});
  }
  w.end_object();
  log(std::move(line));
}

void gateway_server::impl::reply_error(const writer_ptr& w, const api_error& e,
                                       bool anthropic,
                                       http::header_list extra) {
  auto headers = json_headers();
  for (auto& h : extra)
    headers.push_back(std::move(h));
  w->respond(e.status, std::move(headers),
             anthropic ? anthropic_error_body(e) : openai_error_body(e));
}

gateway_server::gateway_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

gateway_server::~gateway_server() {
  drain_and_stop(std::chrono::seconds{5});
}

std::unique_ptr<gateway_server> gateway_server::start(gateway_config cfg,
                                                      std::string& why) {
  auto p = std::make_unique<impl>();
  p->cfg = std::move(cfg);
  // Before the runtime: a bad telemetry setting is a start-up error.
  if (!p->start_tracing(why))
    return nullptr;
  auto env = p->cfg.env;
  if (!env)
    env = [](std::string_view name) -> std::optional<std::string> {
      if (auto v = std::getenv(std::string{name}.c_str()))
        return std::string{v};
      return std::nullopt;
    };
  using actor_threads = gateway_config::actor_threads;
  if (p->cfg.io_threads == 0)
    p->cfg.io_threads
      = p->cfg.actors_on == actor_threads::io
          ? std::max<std::size_t>(1, std::thread::hardware_concurrency())
          : 1;
  if (p->cfg.actors_on == actor_threads::io) {
    p->loop = http::io_loop::start(p->cfg.io_threads, why);
    if (!p->loop)
      return nullptr;
  }
  http::client_config cc;
  cc.io_threads = 1;
  cc.loop = p->loop;
  // Each provider's executor already caps its calls at max_concurrency; a
  // lower per-origin pool (64 by default) queued streams behind each other
  // when providers share an origin or allow more (bench gateway --stream).
  for (const auto& provider : p->cfg.registry.providers)
    cc.max_connections_per_origin += provider.max_concurrency;
  p->client = http::http_client::make(cc, why);
  if (!p->client)
    return nullptr;
  // Provider clients first: a bad base_url is a start-up error.
  std::vector<engine::provider_client_ptr> clients;
  for (const auto& provider : p->cfg.registry.providers) {
    auto c = providers::make_provider_client(provider, p->cfg.registry,
                                             *p->client, env);
    if (!c) {
      why = error_message(c.error());
      return nullptr;
    }
    clients.push_back(*c);
  }
  runtime_config rc;
  rc.registry = p->cfg.registry;
  rc.health = p->cfg.health;
  rc.worker_threads = p->cfg.runtime_threads;
  rc.scheduler = p->cfg.actors_on == actor_threads::sharing
                   ? scheduler_policy::work_sharing
                   : scheduler_policy::work_stealing;
  if (p->loop)
    rc.post_actor_job = [loop = p->loop.get()](std::function<void()> job) {
      loop->post(std::move(job));
    };
  if (p->cfg.poll_attempts)
    rc.poll_attempts = *p->cfg.poll_attempts;
  rc.global_budget_usd = p->cfg.global_budget_usd;
  rc.daily_budget_usd = p->cfg.daily_budget_usd;
  rc.per_key_budget_usd = p->cfg.per_key_budget_usd;
  rc.data_dir = p->cfg.data_dir;
  rc.prompts = p->cfg.prompts;
  rc.decision_log_queue = p->cfg.decision_log_queue;
  rc.store_max_bytes = p->cfg.store_max_bytes;
  rc.extension = p->cfg.extension;
  // The dashboard charts the learned weights over time.
  rc.learned_sampling = actors::learned_sampling{};
  rc.make_client = [clients, &reg = p->cfg.registry](
                     const engine::provider_spec& spec) {
    auto i = reg.provider_index(spec.id);
    return i ? clients[*i] : nullptr;
  };
  auto started = runtime::start(std::move(rc));
  if (!started) {
    why = error_message(started.error());
    return nullptr;
  }
  p->rt = std::move(*started);
  if (!p->load_keys(why))
    return nullptr;
  p->metrics = std::make_unique<gateway_metrics>(p->cfg.registry);
  p->sticky = std::make_unique<tool_call_stickiness>(p->cfg.registry);
  p->dashboard
    = std::make_unique<dashboard_routes>(p->cfg, p->rt->admin(), p->keys);
  http::server_config sc;
  sc.host = p->cfg.host;
  sc.port = p->cfg.port;
  sc.io_threads = p->cfg.io_threads;
  sc.loop = p->loop;
  sc.max_body_bytes = p->cfg.max_body_bytes;
  sc.max_header_bytes = p->cfg.max_header_bytes;
  sc.request_timeout = p->cfg.request_timeout;
  sc.max_connections = p->cfg.max_connections;
  // The server's own refusals (413, 431, 400 framing, 429, 503) in the
  // shape of the API the path belongs to, as every other error is.
  sc.render_error = [](const http::server_error& e) {
    auto path = e.target.substr(0, e.target.find('?'));
    bool anthropic = path == "/v1/messages";
    bool overload = e.status == 429 || e.status >= 500;
    api_error err{e.status, overload ? "server_error" : "invalid_request_error",
                  std::string{e.code}, std::string{e.message}};
    if (!anthropic)
      return http::rendered_error{"application/json", openai_error_body(err)};
    if (e.status == 413)
      err.type = "request_too_large";
    else if (e.status == 429)
      err.type = "rate_limit_error";
    else if (overload)
      err.type = "overloaded_error";
    return http::rendered_error{"application/json", anthropic_error_body(err)};
  };
  auto* raw = p.get();
  p->server = http::http_server::make(
    sc,
    [raw](const http::server_request& req,
          std::shared_ptr<http::response_writer> w) {
      raw->handle(req, std::move(w));
    },
    why);
  if (!p->server)
    return nullptr;
  return std::unique_ptr<gateway_server>{new gateway_server(std::move(p))};
}

std::uint16_t gateway_server::port() const noexcept {
  return impl_->server->port();
}

actors::availability_board::snapshot gateway_server::availability() const {
  return impl_->rt->admin().availability();
}

bool gateway_server::discovery_done() const {
  return impl_->rt->admin().discovery_done();
}

key_store& gateway_server::keys() noexcept {
  return impl_->keys;
}

void gateway_server::drain_and_stop(std::chrono::milliseconds deadline) {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.draining.store(true);
  {
    std::unique_lock<std::mutex> guard{p.drain_mutex};
    p.drained.wait_for(guard, deadline, [&] { return p.in_flight.load() == 0; });
  }
  p.stopped = true;
  p.dashboard->stop();
  p.rt->shutdown(deadline);
  if (p.loop)
    p.loop->stop();
  p.server->stop();
  // Last: the spans of the requests drained above go out (for up to its
  // shutdown_timeout), then the export thread ends.
  if (p.tracing.exporter)
    p.tracing.exporter->shutdown();
}

} // namespace switchyard::gateway
