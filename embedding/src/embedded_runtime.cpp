#include "switchyard/embedded_runtime.hpp"

#include "switchyard/actors/decision_record_json.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/clock/system_time.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"
#include "switchyard/telemetry/tracing.hpp"

#include <atomic>
#include <shared_mutex>
#include <utility>
#include <vector>

namespace switchyard {

struct embedded_runtime::impl {
  embedding_options opts;
  /// Declared before `rt`: the runtime's provider clients call through it,
  /// so it is destroyed after the runtime.
  std::unique_ptr<http::http_client> http;
  /// The span exporter and its tracer (both null without an endpoint);
  /// before `rt` too: spans end until the runtime has stopped.
  telemetry::tracing tracing;
  std::unique_ptr<runtime> rt;
  engine::keyword_classifier classifier;
  /// Submissions hold it shared; shutdown takes it exclusively, so that no
  /// call reaches the runtime while (or after) it stops. A submission that
  /// finds it taken is refused rather than waiting: it may come from a
  /// callback on an actor thread that the drain is waiting for.
  std::shared_mutex lifecycle;
  std::atomic<bool> closed{false};

  /// Holds `lifecycle` shared while the runtime takes tasks; false after
  /// shutdown has begun.
  [[nodiscard]] std::shared_lock<std::shared_mutex> admit() {
    // `closed` is set before shutdown locks, so a failed try while it is
    // still false was spurious (the standard allows that): try again.
    while (!closed.load(std::memory_order_acquire)) {
      std::shared_lock guard{lifecycle, std::try_to_lock};
      if (!guard)
        continue;
      if (closed.load(std::memory_order_acquire))
        break;
      return guard;
    }
    return {};
  }
};

namespace {

caf::error failure(error_code code, std::string message) {
  return caf::make_error(code, std::move(message));
}

/// Every registry error, one per line, as `switchyard config check` says
/// them.
caf::expected<engine::registry> load(const embedding_options& opts) {
  if (opts.registry_yaml.empty())
    return config::load_registry(opts.config_path);
  auto loaded = config::parse_registry(opts.registry_yaml, "<registry yaml>",
                                       config::process_env());
  if (loaded.registry)
    return std::move(*loaded.registry);
  std::string text;
  for (const auto& e : loaded.errors) {
    if (!text.empty())
      text += '\n';
    text += e.to_string();
  }
  return failure(error_code::invalid_config, std::move(text));
}

/// Starts the exporter as `switchyard serve` does: `opts` over the
/// registry's `telemetry:` section over the OTEL_* variables.
caf::expected<telemetry::tracing> start_tracing(const embedding_options& opts,
                                                const engine::registry& reg) {
  const auto& file = reg.telemetry;
  telemetry::telemetry_config tc;
  tc.otlp_endpoint = opts.otlp_endpoint ? opts.otlp_endpoint
                                        : file.otlp_endpoint;
  tc.service_name = opts.service_name ? opts.service_name : file.service_name;
  tc.node_id = reg.cluster.node_id;
  tc.sample_ratio = opts.sample_ratio.value_or(file.sample_ratio);
  tc.propagate_to_providers = file.propagate_to_providers;
  tc.capture_content = file.capture_content;
  return telemetry::start_tracing(tc, config::process_env(), system_time());
}

/// What a task submitted after shutdown gets: the runtime's own answer to a
/// task that arrives while it shuts down.
template <class Reply>
Reply refused() {
  Reply r;
  r.error = error_code::invalid_argument;
  r.error_message = "the runtime is closed: start a new one to submit tasks";
  return r;
}

} // namespace

caf::expected<std::unique_ptr<embedded_runtime>>
embedded_runtime::start(embedding_options opts) {
  auto reg = load(opts);
  if (!reg)
    return std::move(reg.error());
  auto p = std::make_unique<impl>();
  p->opts = std::move(opts);
  auto traced = start_tracing(p->opts, *reg);
  if (!traced)
    return std::move(traced.error());
  p->tracing = std::move(*traced);
  runtime_config rc;
  rc.tracer = p->tracing.tracer;
  rc.worker_threads = p->opts.worker_threads;
  rc.data_dir = p->opts.data_dir;
  std::string why;
  if (p->opts.make_client) {
    rc.make_client = p->opts.make_client;
  } else {
    http::client_config cc;
    cc.io_threads = std::max<std::size_t>(1, p->opts.io_threads);
    // Each provider's executor caps its own calls (max_concurrency): the
    // pool must not queue them a second time (see gateway_server).
    for (const auto& provider : reg->providers)
      cc.max_connections_per_origin += provider.max_concurrency;
    p->http = http::http_client::make(cc, why);
    if (!p->http)
      return failure(error_code::invalid_config, std::move(why));
    // Clients first: a bad base_url is a start-up error, not a failed task.
    std::vector<engine::provider_client_ptr> clients;
    auto env = config::process_env();
    for (const auto& provider : reg->providers) {
      auto c = providers::make_provider_client(provider, *reg, *p->http, env);
      if (!c)
        return std::move(c.error());
      clients.push_back(*c);
    }
    rc.make_client = [clients = std::move(clients),
                      reg = *reg](const engine::provider_spec& spec) {
      auto i = reg.provider_index(spec.id);
      return i ? clients[*i] : nullptr;
    };
  }
  rc.registry = std::move(*reg);
  auto started = runtime::start(std::move(rc));
  if (!started)
    return std::move(started.error());
  p->rt = std::move(*started);
  return std::unique_ptr<embedded_runtime>{new embedded_runtime(std::move(p))};
}

embedded_runtime::embedded_runtime(std::unique_ptr<impl> p)
  : impl_(std::move(p)) {
}

embedded_runtime::~embedded_runtime() {
  shutdown();
}

void embedded_runtime::route(task_spec task, route_callback done) {
  auto admitted = impl_->admit();
  if (!admitted)
    return done(refused<route_result>());
  impl_->rt->route(std::move(task), std::move(done));
}

void embedded_runtime::execute(task_spec task, task_callback done) {
  auto admitted = impl_->admit();
  if (!admitted)
    return done(refused<task_reply>());
  impl_->rt->execute(std::move(task), std::move(done));
}

std::future<task_reply> embedded_runtime::execute(task_spec task) {
  auto promise = std::make_shared<std::promise<task_reply>>();
  auto future = promise->get_future();
  execute(std::move(task),
          [promise](task_reply r) { promise->set_value(std::move(r)); });
  return future;
}

void embedded_runtime::stream(task_spec task, chunk_callback on_chunk,
                              task_callback done) {
  auto admitted = impl_->admit();
  if (!admitted)
    return done(refused<task_reply>());
  impl_->rt->execute_streaming(std::move(task), std::move(on_chunk),
                               std::move(done));
}

void embedded_runtime::feedback(std::uint64_t decision_id,
                                engine::feedback_report report,
                                std::function<void(error_code)> done) {
  auto admitted = impl_->admit();
  if (!admitted)
    return done(error_code::invalid_argument);
  impl_->rt->feedback(decision_id, report, std::string{}, std::move(done));
}

void embedded_runtime::explain(
  std::uint64_t decision_id, std::function<void(decision_explanation)> done) {
  auto admitted = impl_->admit();
  if (!admitted)
    return done(refused<decision_explanation>());
  if (impl_->opts.data_dir.empty()) {
    decision_explanation e;
    e.error = error_code::not_found;
    e.error_message = "no decision log: start the runtime with a data_dir "
                      "to keep decisions";
    return done(std::move(e));
  }
  impl_->rt->admin().logged(
    decision_id, [done = std::move(done)](caf::expected<logged_decision> d) {
      decision_explanation e;
      if (!d) {
        e.error = error_code_of(d.error());
        e.error_message = error_message(d.error());
      } else {
        static const engine::keyword_classifier classifier;
        e.json = actors::decision_record_json(d->record, d->feedback,
                                              d->registry, d->registry_logged,
                                              classifier);
      }
      done(std::move(e));
    });
}

std::string embedded_runtime::decision_json(const engine::decision& d,
                                            std::uint64_t decision_id) const {
  std::string out;
  engine::json_writer w{out};
  engine::write_decision_json(w, d, impl_->rt->registry(), impl_->classifier,
                              format_decision_id(decision_id));
  return out;
}

runtime_stats embedded_runtime::stats() const {
  return impl_->rt->stats();
}

const engine::registry& embedded_runtime::registry() const noexcept {
  return impl_->rt->registry();
}

void embedded_runtime::shutdown() {
  // Closed first, without the lock: submissions that wait for it see the
  // flag and fail at once rather than queue behind the drain.
  if (impl_->closed.exchange(true, std::memory_order_acq_rel))
    return;
  std::unique_lock guard{impl_->lifecycle};
  impl_->rt->shutdown(impl_->opts.drain_deadline);
  // Last, so that the spans of the tasks drained still go out.
  if (impl_->tracing.exporter)
    impl_->tracing.exporter->shutdown();
}

} // namespace switchyard
