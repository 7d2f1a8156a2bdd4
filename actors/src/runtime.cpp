#include "switchyard/runtime.hpp"

#include "switchyard/actors/task_routing.hpp"

#include "switchyard/actors/actor_graph.hpp"
#include "switchyard/actors/loop_scheduler.hpp"
#include "switchyard/actors/runtime_extension.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/storage/task_history.hpp"
#include "switchyard/messages/message_types.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace switchyard {

namespace {

/// Completion callbacks travel inside the process only.
struct flag_done {
  std::function<void(bool)> fn;
};
struct ack_done {
  std::function<void(error_code)> fn;
};
using ack_done_ptr = std::shared_ptr<ack_done>;
struct ids_done {
  std::function<void(std::vector<std::uint64_t>)> fn;
};
struct ledger_done {
  std::function<void(ledger_summary)> fn;
};
struct experiment_done {
  std::function<void(experiment_reply)> fn;
};
using ledger_done_ptr = std::shared_ptr<ledger_done>;
using experiment_done_ptr = std::shared_ptr<experiment_done>;
using flag_done_ptr = std::shared_ptr<flag_done>;
using ids_done_ptr = std::shared_ptr<ids_done>;
struct breakers_done {
  std::function<void(std::vector<breaker_change>)> fn;
};
using breakers_done_ptr = std::shared_ptr<breakers_done>;
struct learned_done {
  std::function<void(engine::performance_table)> fn;
};
using learned_done_ptr = std::shared_ptr<learned_done>;

} // namespace

} // namespace switchyard

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::flag_done_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::ack_done_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::ids_done_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::breakers_done_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::ledger_done_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::experiment_done_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::learned_done_ptr)

namespace switchyard {

namespace {

/// Turns the replies of rarely used requests (approvals, ledger figures)
/// into callbacks, so that no thread ever blocks on a receive. Tasks skip it:
/// coordinators answer them through completions.
caf::behavior bridge(caf::event_based_actor* self, actors::actor_graph graph) {
  auto ledger = graph.ledger;
  auto learning = graph.learning;
  auto on_experiment = [](experiment_done_ptr done) {
    return std::make_pair(
      [done](experiment_reply& r) { done->fn(std::move(r)); },
      [done](caf::error& e) {
        experiment_reply r;
        r.error = error_code::invalid_argument;
        r.error_message = "learning did not answer: " + caf::to_string(e);
        done->fn(std::move(r));
      });
  };
  return {
    [self, learning](feedback_atom, feedback_message& f, ack_done_ptr done) {
      self->request(learning, caf::infinite, feedback_atom::value, f)
        .then([done](feedback_ack& ack) { done->fn(ack.result); },
              [done](caf::error&) { done->fn(error_code::storage_failure); });
    },
    [self, learning, on_experiment](start_atom, engine::experiment_spec& spec,
                                    experiment_done_ptr done) {
      auto [ok, err] = on_experiment(done);
      self->request(learning, caf::infinite, start_atom::value, spec)
        .then(ok, err);
    },
    [self, learning, on_experiment](stop_atom, std::string& id,
                                    experiment_done_ptr done) {
      auto [ok, err] = on_experiment(done);
      self->request(learning, caf::infinite, stop_atom::value, id)
        .then(ok, err);
    },
    [self, learning, on_experiment](experiment_atom, experiment_done_ptr done) {
      auto [ok, err] = on_experiment(done);
      self->request(learning, caf::infinite, experiment_atom::value)
        .then(ok, err);
    },
    [self, ledger, learning](flush_atom, flag_done_ptr done) {
      // Learning's cells and experiments, then the ledger's spend: each
      // answers once the store has everything it sent.
      auto all_ok = std::make_shared<bool>(true);
      auto left = std::make_shared<int>(2);
      auto one_done = [done, all_ok, left](bool ok) {
        *all_ok = *all_ok && ok;
        if (--*left == 0)
          done->fn(*all_ok);
      };
      self->request(learning, caf::infinite, flush_atom::value)
        .then([one_done](bool ok) { one_done(ok); },
              [one_done](caf::error&) { one_done(false); });
      self->request(ledger, caf::infinite, flush_atom::value)
        .then([one_done](bool ok) { one_done(ok); },
              [one_done](caf::error&) { one_done(false); });
    },
    [self, ledger](stats_atom, ledger_done_ptr done) {
      self->request(ledger, caf::infinite, stats_atom::value)
        .then([done](ledger_summary& s) { done->fn(s); },
              [done](caf::error&) { done->fn({}); });
    },
    [self, graph](approve_atom, std::uint64_t id, bool yes, flag_done_ptr done) {
      self->request(graph.owner_of(id), caf::infinite, approve_atom::value, id,
                    yes)
        .then([done](bool found) { done->fn(found); },
              [done](caf::error&) { done->fn(false); });
    },
    [self, graph](state_atom, breakers_done_ptr done) {
      // Every provider's breaker, in provider order.
      auto states = std::make_shared<std::vector<breaker_change>>(
        graph.breakers.size());
      auto left = std::make_shared<std::size_t>(graph.breakers.size());
      if (*left == 0)
        return done->fn({});
      for (std::size_t i = 0; i < graph.breakers.size(); ++i) {
        auto one_done = [states, left, done] {
          if (--*left == 0)
            done->fn(std::move(*states));
        };
        (*states)[i].provider = static_cast<std::uint16_t>(i);
        self->request(graph.breakers[i], caf::infinite, state_atom::value)
          .then(
            [states, i, one_done](breaker_change& c) {
              (*states)[i] = c;
              one_done();
            },
            [one_done](caf::error&) { one_done(); });
      }
    },
    [self, learning](snapshot_atom, learned_done_ptr done) {
      self->request(learning, caf::infinite, snapshot_atom::value)
        .then([done](engine::performance_table& t) { done->fn(std::move(t)); },
              [done](caf::error&) { done->fn({}); });
    },
    [self, graph](pending_atom, ids_done_ptr done) {
      // Ask every coordinator and merge.
      auto merged = std::make_shared<std::vector<std::uint64_t>>();
      auto left = std::make_shared<std::size_t>(graph.coordinators.size());
      auto one_done = [merged, left, done] {
        if (--*left == 0) {
          std::sort(merged->begin(), merged->end());
          done->fn(std::move(*merged));
        }
      };
      for (const auto& c : graph.coordinators)
        self->request(c, caf::infinite, pending_atom::value)
          .then(
            [merged, one_done](std::vector<std::uint64_t>& ids) {
              merged->insert(merged->end(), ids.begin(), ids.end());
              one_done();
            },
            [one_done](caf::error&) { one_done(); });
    },
  };
}

} // namespace

struct runtime::impl {
  std::shared_ptr<const engine::registry> registry;
  std::shared_ptr<const engine::keyword_classifier> classifier;
  /// Null without a data_dir.
  std::shared_ptr<storage::store> store;
  std::shared_ptr<actors::decision_log_queue> log_queue;
  std::function<std::int64_t()> wall_clock_ms;
  caf::actor_system_config sys_cfg;
  std::shared_ptr<actors::runtime_extension> extension;
  std::unique_ptr<caf::actor_system> system;
  actors::actor_graph graph;
  std::vector<caf::actor> bridges;
  std::atomic<std::size_t> next_bridge{0};
  std::atomic<std::size_t> next_coordinator{0};
  std::shared_ptr<actors::breaker_history> breaker_log;
  std::shared_ptr<actors::availability_board> board
    = std::make_shared<actors::availability_board>();

  const coordinator_actor& pick_coordinator() {
    return graph.coordinators[next_coordinator.fetch_add(
                                1, std::memory_order_relaxed)
                              % graph.coordinators.size()];
  }

  std::atomic<bool> closing{false};
  std::atomic<std::uint64_t> submitted{0};
  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::int64_t> spent_nanos{0};
  std::mutex drain_mutex;
  std::condition_variable drained;
  std::atomic<std::uint64_t> in_flight{0};
  bool stopped = false;

  const caf::actor& pick_bridge() {
    return bridges[next_bridge.fetch_add(1, std::memory_order_relaxed)
                   % bridges.size()];
  }

  /// Counts a task in; false when shutting down.
  bool admit() {
    in_flight.fetch_add(1, std::memory_order_acq_rel);
    if (closing.load(std::memory_order_acquire)) {
      leave();
      return false;
    }
    submitted.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void leave() {
    if (in_flight.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> guard{drain_mutex};
      drained.notify_all();
    }
  }
};

runtime::runtime(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

runtime::~runtime() {
  shutdown();
}

std::unique_ptr<runtime> runtime::start(runtime_config cfg,
                                        std::string* error) {
  if (cfg.registry.models.empty() || cfg.registry.providers.empty()) {
    if (error)
      *error = "the registry has no models or no providers";
    return nullptr;
  }
  auto p = std::make_unique<impl>();
  p->registry = std::make_shared<const engine::registry>(std::move(cfg.registry));
  auto threads = cfg.worker_threads != 0
                   ? cfg.worker_threads
                   : std::max(1u, std::thread::hardware_concurrency());
  // CAF starts 4 workers by default whatever the core count.
  p->sys_cfg.set("scheduler.max-threads", threads);
  if (cfg.post_actor_job) {
    actors::loop_scheduler::install(p->sys_cfg, std::move(cfg.post_actor_job));
  } else if (cfg.scheduler == scheduler_policy::work_sharing) {
    p->sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  } else {
    // A task crosses 3-4 actors; CAF's default lets an idle worker nap 50 us
    // between polls after only 100 quick ones, which put ~50 us under every
    // hop at moderate load (measured with `switchyard bench runtime`).
    // Polling longer and napping 2 us keeps a hop at a few us; idle workers
    // still fall back to CAF's 10 ms naps after ~1,500 empty polls.
    p->sys_cfg.set("scheduler.policy", caf::atom("stealing"));
    p->sys_cfg.set("work-stealing.aggressive-poll-attempts",
                   static_cast<std::int64_t>(cfg.poll_attempts));
    p->sys_cfg.set("work-stealing.moderate-sleep-duration",
                   caf::timespan{cfg.poll_nap});
  }
  actors::actor_graph_config gc;
  if (!cfg.data_dir.empty()) {
    storage::store_options so;
    so.path = cfg.data_dir;
    so.decision_retention = cfg.decision_retention;
    so.feedback_retention = cfg.feedback_retention;
    so.sync_feedback = cfg.sync_feedback;
    so.sync_ledger = cfg.sync_ledger;
    so.sync_decisions = cfg.sync_decisions;
    so.prompts = cfg.prompts;
    so.max_bytes = cfg.store_max_bytes;
    so.now_unix_ms = cfg.wall_clock_ms;
    auto opened = storage::store::open(std::move(so));
    if (!opened) {
      if (error)
        *error = error_message(opened.error());
      return nullptr;
    }
    p->store = std::shared_ptr<storage::store>{std::move(*opened)};
    auto persisted = actors::prepare_store(*p->store, *p->registry);
    if (!persisted) {
      if (error)
        *error = "cannot read the store in '" + cfg.data_dir
                 + "': " + error_message(persisted.error());
      return nullptr;
    }
    gc.store = p->store;
    gc.persisted = std::move(*persisted);
    p->log_queue = std::make_shared<actors::decision_log_queue>(
      std::max<std::size_t>(cfg.decision_log_queue, 1));
    gc.log_queue = p->log_queue;
  }
  p->wall_clock_ms = cfg.wall_clock_ms;
  p->classifier = std::make_shared<const engine::keyword_classifier>();
  add_message_types(p->sys_cfg);
  p->extension = std::move(cfg.extension);
  if (p->extension)
    p->extension->configure(p->sys_cfg);
  p->system = std::make_unique<caf::actor_system>(p->sys_cfg);
  if (p->extension)
    gc.decision_id_prefix = p->extension->decision_id_prefix();
  if (p->extension)
    gc.wrap_ledger = [ext = p->extension.get(),
                      sys = p->system.get()](ledger_actor local) {
      return ext->wrap_ledger(*sys, std::move(local));
    };
  gc.ctx.registry = p->registry;
  gc.ctx.classifier = p->classifier;
  gc.ctx.wall_clock_ms = cfg.wall_clock_ms;
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
  p->breaker_log = std::make_shared<actors::breaker_history>(
    512, cfg.wall_clock_ms);
  gc.breaker_log = p->breaker_log;
  gc.health = cfg.health;
  gc.board = p->board;
  if (!cfg.health)
    p->board->finish_first_round();
  p->graph = actors::spawn_actor_graph(*p->system, gc);
  p->bridges.push_back(p->system->spawn(bridge, p->graph));
  if (p->extension) {
    if (auto why = p->extension->start(*p->system, p->graph); !why.empty()) {
      if (error)
        *error = why;
      std::unique_ptr<runtime> failed{new runtime(std::move(p))};
      failed->shutdown(std::chrono::milliseconds{0});
      return nullptr;
    }
  }
  return std::unique_ptr<runtime>{new runtime(std::move(p))};
}

std::unique_ptr<runtime> runtime::start(const std::string& config_path,
                                        provider_client_factory make_client,
                                        std::string* error) {
  auto reg = config::load_registry(config_path);
  if (!reg) {
    if (error)
      *error = error_message(reg.error());
    return nullptr;
  }
  runtime_config cfg;
  cfg.registry = std::move(*reg);
  cfg.make_client = std::move(make_client);
  return start(std::move(cfg), error);
}

void runtime::route(task_spec task, route_callback done) {
  if (!impl_->admit()) {
    route_result r;
    r.error = error_code::invalid_argument;
    r.error_message = "the runtime is shutting down";
    done(std::move(r));
    return;
  }
  actors::complete_task(task);
  auto cb = std::make_shared<route_completion>();
  cb->fn = [p = impl_.get(), done = std::move(done)](route_result r) {
    (r.ok() ? p->succeeded : p->failed).fetch_add(1, std::memory_order_relaxed);
    done(std::move(r));
    p->leave();
  };
  caf::anon_send(impl_->pick_coordinator(), route_atom::value, std::move(task),
                 std::move(cb));
}

std::future<route_result> runtime::route(task_spec task) {
  auto promise = std::make_shared<std::promise<route_result>>();
  auto future = promise->get_future();
  route(std::move(task),
        [promise](route_result r) { promise->set_value(std::move(r)); });
  return future;
}

void runtime::execute(task_spec task, task_callback done) {
  execute_streaming(std::move(task), {}, std::move(done));
}

void runtime::execute_streaming(
  task_spec task, std::function<void(const stream_event&)> on_event,
  task_callback done) {
  if (!impl_->admit()) {
    task_reply r;
    r.error = error_code::invalid_argument;
    r.error_message = "the runtime is shutting down";
    done(std::move(r));
    return;
  }
  actors::complete_task(task);
  auto cb = std::make_shared<task_completion>();
  cb->on_event = std::move(on_event);
  cb->fn = [p = impl_.get(), done = std::move(done)](task_reply r) {
    (r.ok() ? p->succeeded : p->failed).fetch_add(1, std::memory_order_relaxed);
    p->spent_nanos.fetch_add(r.cost_nanos, std::memory_order_relaxed);
    done(std::move(r));
    p->leave();
  };
  caf::anon_send(impl_->pick_coordinator(), execute_atom::value,
                 std::move(task), std::move(cb));
}

std::future<task_reply> runtime::execute(task_spec task) {
  auto promise = std::make_shared<std::promise<task_reply>>();
  auto future = promise->get_future();
  execute(std::move(task),
          [promise](task_reply r) { promise->set_value(std::move(r)); });
  return future;
}

void runtime::set_key_budget(const std::string& budget_key,
                             std::optional<double> budget_usd) {
  if (impl_->stopped || !impl_->graph.ledger)
    return;
  std::int64_t cap = budget_usd ? engine::usd_to_nanos_ceil(*budget_usd) : -1;
  // Calls reserve from now on; the ledger clears the flag again if no cap
  // is left.
  if (budget_usd && impl_->graph.budget_caps_set)
    impl_->graph.budget_caps_set->store(true, std::memory_order_release);
  caf::anon_send(impl_->graph.ledger, key_cap_atom::value, budget_key, cap);
}

void runtime::feedback(std::uint64_t decision_id,
                       engine::feedback_report report) {
  if (impl_->graph.learning)
    caf::anon_send(impl_->graph.learning, feedback_atom::value,
                   feedback_message{decision_id, report, {}});
}

void runtime::feedback(std::uint64_t decision_id,
                       engine::feedback_report report,
                       std::function<void(bool)> done) {
  feedback(decision_id, report, std::string{},
           [done = std::move(done)](error_code e) {
             done(e == error_code::none);
           });
}

void runtime::feedback(std::uint64_t decision_id,
                       engine::feedback_report report, std::string key_id,
                       std::function<void(error_code)> done) {
  if (impl_->stopped || impl_->bridges.empty()) {
    done(error_code::storage_failure);
    return;
  }
  auto cb = std::make_shared<ack_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), feedback_atom::value,
                 feedback_message{decision_id, report, std::move(key_id)},
                 std::move(cb));
}

namespace {

/// A future for a callback-style call.
template <class T, class Start>
std::future<T> as_future(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  return future;
}

template <class Result>
Result failure(error_code code, std::string message) {
  Result r;
  r.error = code;
  r.error_message = std::move(message);
  return r;
}

constexpr std::string_view no_store
  = "the runtime keeps no store: start it with a data_dir to log decisions";

} // namespace

bool runtime::run_on_store(std::function<void(storage::store&)> job) {
  if (impl_->stopped || !impl_->graph.storage)
    return false;
  auto j = std::make_shared<storage_job>();
  j->run = std::move(job);
  caf::anon_send(impl_->graph.storage, run_atom::value, std::move(j));
  return true;
}

void runtime::logged(std::uint64_t decision_id,
                     std::function<void(logged_decision)> done) {
  auto reg = impl_->registry;
  auto shared_done
    = std::make_shared<std::function<void(logged_decision)>>(std::move(done));
  auto queued = run_on_store([decision_id, reg, shared_done](storage::store& db) {
    logged_decision out;
    auto rec = db.get_decision(decision_id);
    if (!rec) {
      (*shared_done)(failure<logged_decision>(
        error_code_of(rec.error()),
        error_message(rec.error())));
      return;
    }
    out.record = std::move(*rec);
    if (auto fb = db.feedback_for(decision_id))
      out.feedback = std::move(*fb);
    auto hash = out.record.rounds.empty()
                  ? reg->config_hash
                  : out.record.rounds.front().decision.config_hash;
    if (auto logged_reg = db.get_registry(hash)) {
      out.registry = std::move(*logged_reg);
      out.registry_logged = true;
      // A compact record stores inputs, not evidence: recompute it.
      static const engine::keyword_classifier classifier;
      actors::restore_evidence(out.record, out.registry, classifier);
    } else {
      out.registry = *reg;
    }
    (*shared_done)(std::move(out));
  });
  if (!queued)
    (*shared_done)(
      failure<logged_decision>(error_code::not_found, std::string{no_store}));
}

std::future<logged_decision> runtime::logged(std::uint64_t decision_id) {
  return as_future<logged_decision>(
    [&](auto done) { logged(decision_id, std::move(done)); });
}

void runtime::replay(std::uint64_t decision_id,
                     std::function<void(replay_result)> done) {
  auto reg = impl_->registry;
  auto cls = impl_->classifier;
  auto shared_done
    = std::make_shared<std::function<void(replay_result)>>(std::move(done));
  auto queued = run_on_store([decision_id, reg, cls,
                              shared_done](storage::store& db) {
    auto rec = db.get_decision(decision_id);
    if (!rec) {
      (*shared_done)(failure<replay_result>(
        error_code_of(rec.error()),
        error_message(rec.error())));
      return;
    }
    replay_result out;
    out.report = actors::replay_decision(*rec, *reg, *cls);
    (*shared_done)(std::move(out));
  });
  if (!queued)
    (*shared_done)(
      failure<replay_result>(error_code::not_found, std::string{no_store}));
}

std::future<replay_result> runtime::replay(std::uint64_t decision_id) {
  return as_future<replay_result>(
    [&](auto done) { replay(decision_id, std::move(done)); });
}

void runtime::start_experiment(engine::experiment_spec spec,
                               std::function<void(experiment_reply)> done) {
  if (impl_->stopped) {
    done(failure<experiment_reply>(error_code::invalid_argument,
                                   "the runtime is shut down"));
    return;
  }
  auto cb = std::make_shared<experiment_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), start_atom::value, std::move(spec),
                 std::move(cb));
}

std::future<experiment_reply>
runtime::start_experiment(engine::experiment_spec spec) {
  return as_future<experiment_reply>(
    [&](auto done) { start_experiment(std::move(spec), std::move(done)); });
}

void runtime::stop_experiment(std::string id,
                              std::function<void(experiment_reply)> done) {
  if (impl_->stopped) {
    done(failure<experiment_reply>(error_code::invalid_argument,
                                   "the runtime is shut down"));
    return;
  }
  auto cb = std::make_shared<experiment_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), stop_atom::value, std::move(id),
                 std::move(cb));
}

std::future<experiment_reply> runtime::stop_experiment(std::string id) {
  return as_future<experiment_reply>(
    [&](auto done) { stop_experiment(std::move(id), std::move(done)); });
}

void runtime::experiments(std::function<void(experiment_reply)> done) {
  if (impl_->stopped) {
    done(failure<experiment_reply>(error_code::invalid_argument,
                                   "the runtime is shut down"));
    return;
  }
  auto cb = std::make_shared<experiment_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), experiment_atom::value, std::move(cb));
}

std::future<experiment_reply> runtime::experiments() {
  return as_future<experiment_reply>(
    [&](auto done) { experiments(std::move(done)); });
}

void runtime::analytics(std::function<void(analytics_result)> done) {
  auto reg = impl_->registry;
  auto clock = impl_->wall_clock_ms;
  auto shared_done
    = std::make_shared<std::function<void(analytics_result)>>(std::move(done));
  auto queued = run_on_store([reg, clock, shared_done](storage::store& db) {
    using namespace std::chrono;
    auto now = clock ? clock()
                     : duration_cast<milliseconds>(
                         system_clock::now().time_since_epoch())
                         .count();
    auto report = storage::build_analytics_report(db, *reg, now);
    if (!report) {
      (*shared_done)(failure<analytics_result>(
        error_code_of(report.error()),
        error_message(report.error())));
      return;
    }
    analytics_result out;
    out.report = std::move(*report);
    (*shared_done)(std::move(out));
  });
  if (!queued)
    (*shared_done)(
      failure<analytics_result>(error_code::not_found, std::string{no_store}));
}

std::future<analytics_result> runtime::analytics() {
  return as_future<analytics_result>(
    [&](auto done) { analytics(std::move(done)); });
}

std::future<bool> runtime::approve(std::uint64_t decision_id, bool approved) {
  auto promise = std::make_shared<std::promise<bool>>();
  auto future = promise->get_future();
  if (impl_->stopped) {
    promise->set_value(false);
    return future;
  }
  auto cb = std::make_shared<flag_done>();
  cb->fn = [promise](bool found) { promise->set_value(found); };
  caf::anon_send(impl_->pick_bridge(), approve_atom::value, decision_id,
                 approved, std::move(cb));
  return future;
}

std::future<std::vector<std::uint64_t>> runtime::pending_approvals() {
  auto promise = std::make_shared<std::promise<std::vector<std::uint64_t>>>();
  auto future = promise->get_future();
  if (impl_->stopped) {
    promise->set_value({});
    return future;
  }
  auto cb = std::make_shared<ids_done>();
  cb->fn = [promise](std::vector<std::uint64_t> ids) {
    promise->set_value(std::move(ids));
  };
  caf::anon_send(impl_->pick_bridge(), pending_atom::value, std::move(cb));
  return future;
}

void runtime::breaker_states(
  std::function<void(std::vector<breaker_change>)> done) {
  if (impl_->stopped) {
    done({});
    return;
  }
  auto cb = std::make_shared<breakers_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), state_atom::value, std::move(cb));
}

std::future<std::vector<breaker_change>> runtime::breaker_states() {
  auto promise
    = std::make_shared<std::promise<std::vector<breaker_change>>>();
  auto future = promise->get_future();
  breaker_states([promise](std::vector<breaker_change> states) {
    promise->set_value(std::move(states));
  });
  return future;
}

void runtime::budget_summary(std::function<void(ledger_summary)> done) {
  if (impl_->stopped) {
    done({});
    return;
  }
  auto cb = std::make_shared<ledger_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), stats_atom::value, std::move(cb));
}

std::future<ledger_summary> runtime::budget_summary() {
  auto promise = std::make_shared<std::promise<ledger_summary>>();
  auto future = promise->get_future();
  budget_summary([promise](ledger_summary s) { promise->set_value(s); });
  return future;
}

runtime_stats runtime::stats() const {
  runtime_stats s;
  s.submitted = impl_->submitted.load(std::memory_order_relaxed);
  s.succeeded = impl_->succeeded.load(std::memory_order_relaxed);
  s.failed = impl_->failed.load(std::memory_order_relaxed);
  s.in_flight = impl_->in_flight.load(std::memory_order_relaxed);
  s.spent_usd = engine::nanos_to_usd(
    impl_->spent_nanos.load(std::memory_order_relaxed));
  if (const auto& q = impl_->log_queue) {
    s.decisions_queued = q->queued();
    s.decisions_logged = q->written();
    s.decisions_dropped = q->dropped();
    s.decisions_failed = q->failed();
    s.decisions_evicted = q->evicted();
    s.decision_queue_capacity = q->capacity();
    s.store_error = q->last_error();
  }
  return s;
}

const engine::registry& runtime::registry() const noexcept {
  return *impl_->registry;
}

// -- what the dashboard reads -------------------------------------------------

void runtime::decisions(std::uint64_t before, std::uint64_t after,
                        std::size_t limit,
                        std::function<void(decision_list)> done) {
  auto reg = impl_->registry;
  auto shared_done
    = std::make_shared<std::function<void(decision_list)>>(std::move(done));
  auto queued = run_on_store(
    [before, after, limit, reg, shared_done](storage::store& db) {
      auto page = storage::list_decisions(db, *reg, before, after, limit);
      if (!page) {
        (*shared_done)(failure<decision_list>(error_code_of(page.error()),
                                              error_message(page.error())));
        return;
      }
      decision_list out;
      out.page = std::move(*page);
      (*shared_done)(std::move(out));
    });
  if (!queued)
    (*shared_done)(
      failure<decision_list>(error_code::not_found, std::string{no_store}));
}

void runtime::spend(spend_query q, std::function<void(spend_result)> done) {
  auto reg = impl_->registry;
  auto shared_done
    = std::make_shared<std::function<void(spend_result)>>(std::move(done));
  auto queued = run_on_store([q, reg, shared_done](storage::store& db) {
    spend_result out;
    // The store's per-minute or per-hour rollups, not the decisions: a
    // record per bucket whatever the traffic. The window starts at the
    // start of the rollup bucket it falls in.
    auto width = q.bucket_s % 3600 == 0 ? storage::rollup_width::hour
                                        : storage::rollup_width::minute;
    auto step = storage::seconds_of(width);
    auto from_s = q.since_unix_ms / 1000;
    from_s -= ((from_s % step) + step) % step;
    auto to_s = q.until_unix_ms / 1000;
    auto tasks = storage::load_spend_rollups(db, *reg, width, from_s, to_s,
                                             out.tasks);
    if (!tasks) {
      (*shared_done)(failure<spend_result>(error_code_of(tasks.error()),
                                           error_message(tasks.error())));
      return;
    }
    out.series = engine::spend_over_time(*tasks, *reg, from_s, to_s,
                                         q.bucket_s);
    (*shared_done)(std::move(out));
  });
  if (!queued)
    (*shared_done)(
      failure<spend_result>(error_code::not_found, std::string{no_store}));
}

void runtime::learned(std::function<void(engine::performance_table)> done) {
  if (impl_->stopped || impl_->bridges.empty()) {
    done({});
    return;
  }
  auto cb = std::make_shared<learned_done>();
  cb->fn = std::move(done);
  caf::anon_send(impl_->pick_bridge(), snapshot_atom::value, std::move(cb));
}

void runtime::save_learned_sample(storage::learned_sample_record sample,
                                  std::uint64_t slot) {
  auto shared = std::make_shared<storage::learned_sample_record>(
    std::move(sample));
  run_on_store([shared, slot](storage::store& db) {
    // A lost sample is a gap in a chart: nothing to report it to.
    static_cast<void>(db.put_learned_sample(*shared, slot));
  });
}

void runtime::learned_samples(
  std::function<void(std::vector<storage::learned_sample_record>)> done) {
  auto shared_done = std::make_shared<
    std::function<void(std::vector<storage::learned_sample_record>)>>(
    std::move(done));
  auto queued = run_on_store([shared_done](storage::store& db) {
    auto samples = db.load_learned_samples();
    (*shared_done)(samples ? std::move(*samples)
                           : std::vector<storage::learned_sample_record>{});
  });
  if (!queued)
    (*shared_done)({});
}

actors::availability_board::snapshot runtime::availability() const {
  return impl_->board->read();
}

bool runtime::discovery_done() const {
  return impl_->board->first_round_done();
}

std::vector<actors::breaker_transition> runtime::breaker_history() const {
  return impl_->breaker_log ? impl_->breaker_log->snapshot()
                            : std::vector<actors::breaker_transition>{};
}

void runtime::shutdown(std::chrono::milliseconds deadline) {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.closing.store(true, std::memory_order_release);
  {
    std::unique_lock<std::mutex> guard{p.drain_mutex};
    p.drained.wait_for(guard, deadline, [&] {
      return p.in_flight.load(std::memory_order_acquire) == 0;
    });
  }
  if (p.store && !p.bridges.empty()) {
    // Everything learning and the ledger still hold goes to the store
    // before the actors stop.
    auto flushed = std::make_shared<std::promise<bool>>();
    auto future = flushed->get_future();
    auto cb = std::make_shared<flag_done>();
    cb->fn = [flushed](bool ok) { flushed->set_value(ok); };
    caf::anon_send(p.bridges.front(), flush_atom::value, std::move(cb));
    future.wait_for(deadline);
  }
  p.stopped = true;
  if (p.extension)
    p.extension->stop();
  for (auto& b : p.bridges)
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  p.bridges.clear();
  p.graph.stop();
  p.system.reset(); // joins the scheduler once every actor is gone
  p.store.reset();
}

} // namespace switchyard
