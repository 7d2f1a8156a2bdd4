// runtime::start: the scheduler, the store and what it holds, the actor
// graph and the bridge, and the extension that joins them.

#include "switchyard/runtime.hpp"

#include "runtime_state.hpp"

#include "switchyard/actors/loop_scheduler.hpp"
#include "switchyard/clock/system_time.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/messages/message_types.hpp"

#include <caf/atom.hpp>
#include <caf/timespan.hpp>

#include <algorithm>
#include <thread>

namespace switchyard {

namespace {

/// Runs the jobs of callers outside the actors (detail::bridge_job).
caf::behavior bridge(caf::event_based_actor* self, actors::actor_graph graph) {
  return {
    [self, graph](run_atom, detail::bridge_job_ptr& job) {
      job->run(self, graph);
    },
  };
}

/// How CAF's scheduler runs the actors: on the embedder's loop, one shared
/// queue, or work stealing tuned for short hops.
void configure_scheduler(caf::actor_system_config& sys_cfg,
                         runtime_config& cfg, std::size_t threads) {
  // CAF starts 4 workers by default whatever the core count.
  sys_cfg.set("scheduler.max-threads", threads);
  if (cfg.post_actor_job) {
    actors::loop_scheduler::install(sys_cfg, std::move(cfg.post_actor_job));
  } else if (cfg.scheduler == scheduler_policy::work_sharing) {
    sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  } else {
    // A task crosses 3-4 actors; CAF's default lets an idle worker nap 50 us
    // between polls after only 100 quick ones, which put ~50 us under every
    // hop at moderate load (measured with `switchyard bench runtime`).
    // Polling longer and napping 2 us keeps a hop at a few us; idle workers
    // still fall back to CAF's 10 ms naps after ~1,500 empty polls.
    sys_cfg.set("scheduler.policy", caf::atom("stealing"));
    sys_cfg.set("work-stealing.aggressive-poll-attempts",
                static_cast<std::int64_t>(cfg.poll_attempts));
    sys_cfg.set("work-stealing.moderate-sleep-duration",
                caf::timespan{cfg.poll_nap});
  }
}

/// Opens the store in cfg.data_dir, records the registry and reads back the
/// state to start from into `gc`.
caf::error open_store(detail::runtime_state& s, const runtime_config& cfg,
                      actors::actor_graph_config& gc) {
  storage::store_options so;
  so.path = cfg.data_dir;
  so.decision_retention = cfg.decision_retention;
  so.feedback_retention = cfg.feedback_retention;
  so.sync_feedback = cfg.sync_feedback;
  so.sync_ledger = cfg.sync_ledger;
  so.sync_decisions = cfg.sync_decisions;
  so.prompts = cfg.prompts;
  so.max_bytes = cfg.store_max_bytes;
  so.time = cfg.clock;
  auto opened = storage::store::open(std::move(so));
  if (!opened)
    return std::move(opened.error());
  s.store = std::shared_ptr<storage::store>{std::move(*opened)};
  auto persisted = actors::prepare_store(*s.store, *s.registry);
  if (!persisted)
    return caf::make_error(error_code_of(persisted.error()),
                           "cannot read the store in '" + cfg.data_dir
                             + "': " + error_message(persisted.error()));
  gc.store = s.store;
  gc.persisted = std::move(*persisted);
  s.log_queue = std::make_shared<actors::decision_log_queue>(
    std::max<std::size_t>(cfg.decision_log_queue, 1));
  gc.log_queue = s.log_queue;
  return {};
}

/// The graph's settings that come straight from the runtime's.
void configure_graph(actors::actor_graph_config& gc, runtime_config& cfg,
                     detail::runtime_state& s, std::size_t threads) {
  gc.ctx.registry = s.registry;
  gc.ctx.classifier = s.classifier;
  gc.ctx.time = cfg.clock;
  gc.ctx.default_timeouts = cfg.default_timeouts;
  if (cfg.success_predictor) {
    engine::success_predictor_params pp;
    pp.hash_bits = std::clamp<std::uint32_t>(cfg.predictor_hash_bits, 8, 24);
    gc.ctx.predictor = pp;
  } else {
    gc.ctx.predictor.reset();
  }
  gc.budgets = {cfg.global_budget_usd, cfg.daily_budget_usd,
                cfg.per_key_budget_usd};
  gc.make_client = std::move(cfg.make_client);
  gc.classifier_workers = threads;
  gc.coordinator_shards = threads;
  gc.approval_timeout = cfg.approval_timeout;
  gc.breaker_log = s.breaker_log;
  gc.health = cfg.health;
  gc.sampling = cfg.learned_sampling;
  gc.board = s.board;
}

} // namespace

caf::expected<std::unique_ptr<runtime>> runtime::start(runtime_config cfg) {
  if (cfg.registry.models.empty() || cfg.registry.providers.empty())
    return caf::make_error(error_code::invalid_config,
                           "the registry has no models or no providers");
  // One clock for everything below: the caller's, or the system's.
  cfg.clock = time_or_system(std::move(cfg.clock));
  auto s = std::make_unique<detail::runtime_state>();
  s->registry
    = std::make_shared<const engine::registry>(std::move(cfg.registry));
  s->classifier = std::make_shared<const engine::keyword_classifier>();
  s->clock = cfg.clock;
  s->tracer = std::move(cfg.tracer);
  if (cfg.learned_sampling)
    s->learned_interval = cfg.learned_sampling->interval;
  s->breaker_log = std::make_shared<actors::breaker_history>(512, cfg.clock);
  auto threads = cfg.worker_threads != 0
                   ? cfg.worker_threads
                   : std::max(1u, std::thread::hardware_concurrency());
  configure_scheduler(s->sys_cfg, cfg, threads);
  actors::actor_graph_config gc;
  if (!cfg.data_dir.empty())
    if (auto err = open_store(*s, cfg, gc))
      return err;
  add_message_types(s->sys_cfg);
  s->extension = std::move(cfg.extension);
  if (s->extension)
    s->extension->configure(s->sys_cfg);
  s->system = std::make_unique<caf::actor_system>(s->sys_cfg);
  if (s->extension) {
    gc.decision_id_prefix = s->extension->decision_id_prefix();
    gc.wrap_ledger = [ext = s->extension.get(),
                      sys = s->system.get()](ledger_actor local) {
      return ext->wrap_ledger(*sys, std::move(local));
    };
  }
  configure_graph(gc, cfg, *s, threads);
  if (!cfg.health)
    s->board->finish_first_round();
  s->graph = actors::spawn_actor_graph(*s->system, gc);
  s->bridge = s->system->spawn(bridge, s->graph);
  auto extension = s->extension;
  std::unique_ptr<runtime> rt{new runtime(std::move(s))};
  if (extension)
    if (auto why = extension->start(*rt->state_->system, rt->state_->graph);
        !why.empty()) {
      rt->shutdown(std::chrono::milliseconds{0});
      return caf::make_error(error_code::io_failure, std::move(why));
    }
  return rt;
}

caf::expected<std::unique_ptr<runtime>>
runtime::start(const std::string& config_path,
               provider_client_factory make_client) {
  auto reg = config::load_registry(config_path);
  if (!reg)
    return std::move(reg.error());
  runtime_config cfg;
  cfg.registry = std::move(*reg);
  cfg.make_client = std::move(make_client);
  return start(std::move(cfg));
}

} // namespace switchyard
