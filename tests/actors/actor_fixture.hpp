#pragma once

// Runs the real actor graph on CAF's test coordinator: one thread, simulated
// time that moves only when a test advances it.

#include "fake_provider.hpp"
#include "switchyard/actors/actor_graph.hpp"
#include "switchyard/actors/learning_actor.hpp"
#include "switchyard/clock/function_time.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/messages/message_types.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <optional>

namespace switchyard::test {

struct test_config : caf::actor_system_config {
  test_config() {
    set("scheduler.policy", caf::atom("testing"));
    switchyard::add_message_types(*this);
  }
};

struct actor_fixture {
  /// Edits to the registry before the graph starts.
  static engine::registry default_registry() {
    auto r = config::parse_registry(config::default_registry_yaml(),
                                    "config/models.yaml", [](std::string_view) {
                                      return std::optional<std::string>{};
                                    });
    REQUIRE(r.registry);
    return std::move(*r.registry);
  }

  engine::registry reg = default_registry();
  actors::budget_limits budgets;
  std::chrono::milliseconds approval_timeout{10'000};
  /// A store makes the graph persist (its storage actor then runs on the
  /// test scheduler too).
  std::shared_ptr<storage::store> store;
  /// Wall-clock time at simulated time zero, ms since the Unix epoch; the
  /// wall clock moves with the simulated one.
  std::int64_t wall_epoch_ms = 1'750'000'000'000;
  /// Whether the graph runs the per-prompt success predictor.
  bool predictor_enabled = true;
  /// Health checks and discovery (the health actor); none: off.
  std::optional<actors::health_config> health;
  /// Set: the graph samples the learned state (actors::learned_sampler).
  std::optional<actors::learned_sampling> sampling;
  std::shared_ptr<actors::availability_board> board
    = std::make_shared<actors::availability_board>();
  /// Called for each fake as it is made, before the graph starts.
  std::function<void(const std::string&, fake_provider&)> on_fake;

  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::map<std::string, std::shared_ptr<fake_provider>> fakes;
  actors::actor_graph graph;
  std::shared_ptr<const engine::registry> shared_reg;

  ~actor_fixture() {
    graph.stop();
    sched.run();
  }

  /// Spawns the graph over `reg` with one fake per provider.
  void start() {
    shared_reg = std::make_shared<const engine::registry>(reg);
    actors::actor_graph_config gc;
    gc.ctx.registry = shared_reg;
    gc.ctx.classifier = std::make_shared<const engine::keyword_classifier>();
    gc.budgets = budgets;
    gc.classifier_workers = 2;
    gc.approval_timeout = approval_timeout;
    gc.ctx.time = std::make_shared<function_time>([this] {
      return wall_now_ms();
    });
    if (!predictor_enabled)
      gc.ctx.predictor.reset();
    // Decisions record their inputs, so tests can read what they saw.
    gc.ctx.record_inputs = true;
    // The prompt model's re-fits run on the test scheduler too.
    gc.ctx.detach_background_work = false;
    if (store) {
      auto persisted = actors::prepare_store(*store, reg);
      REQUIRE(persisted);
      gc.store = store;
      gc.persisted = std::move(*persisted);
      gc.detach_storage = false;
    }
    gc.health = health;
    gc.sampling = sampling;
    gc.board = board;
    gc.make_client = [this](const engine::provider_spec& p) {
      auto f = std::make_shared<fake_provider>([this] {
        return now();
      });
      fakes[p.id] = f;
      if (on_fake)
        on_fake(p.id, *f);
      return f;
    };
    graph = actors::spawn_actor_graph(sys, gc);
    sched.run();
  }

  std::chrono::steady_clock::time_point now() {
    return sched.clock().now();
  }

  std::int64_t wall_now_ms() {
    return wall_epoch_ms
           + std::chrono::duration_cast<std::chrono::milliseconds>(
               sched.clock().now().time_since_epoch())
               .count();
  }

  /// Stops the graph as a runtime's shutdown does (learning and the ledger
  /// hand everything to the store first), leaving the actor system up for
  /// another start().
  void stop_graph() {
    if (graph.learning)
      caf::anon_send(graph.learning, flush_atom::value);
    run();
    graph.stop();
    run();
  }

  /// Runs every message, completing due fake calls, until nothing moves.
  void run() {
    for (;;) {
      sched.run();
      std::size_t n = 0;
      for (auto& [id, f] : fakes)
        n += f->complete_due();
      if (n == 0 && sched.jobs.empty())
        return;
    }
  }

  /// Moves simulated time forward (firing due timers) and runs.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    run();
  }

  fake_provider& fake(const std::string& provider) {
    return *fakes.at(provider);
  }

  std::uint16_t index(std::string_view model) const {
    auto i = reg.model_index(model);
    REQUIRE(i);
    return *i;
  }

  const engine::model_spec& model(std::uint16_t i) const {
    return reg.models.at(i);
  }

  /// Sends a task to the coordinator and collects its one reply.
  struct pending_reply {
    std::shared_ptr<std::optional<task_reply>> slot
      = std::make_shared<std::optional<task_reply>>();
    std::shared_ptr<int> count = std::make_shared<int>(0);
  };

  /// Submits as the runtime does, through the completion handler; with
  /// `on_event` set, the task streams.
  pending_reply
  execute(task_spec t,
          std::function<void(const stream_event&)> on_event = nullptr) {
    pending_reply p;
    auto done = std::make_shared<task_completion>();
    done->fn = [slot = p.slot, count = p.count](task_reply r) {
      *slot = std::move(r);
      ++*count;
    };
    done->on_event = std::move(on_event);
    caf::anon_send(graph.coordinator, execute_atom::value, std::move(t),
                   std::move(done));
    sched.run();
    return p;
  }

  /// The decision, or why there is none.
  route_result route_or_error(task_spec t) {
    auto slot = std::make_shared<route_result>();
    auto done = std::make_shared<route_completion>();
    done->fn = [slot](route_result r) {
      *slot = std::move(r);
    };
    caf::anon_send(graph.coordinator, route_atom::value, std::move(t),
                   std::move(done));
    run();
    return std::move(*slot);
  }

  std::optional<route_reply> route(task_spec t) {
    auto r = route_or_error(std::move(t));
    if (!r.ok())
      return std::nullopt;
    return route_reply{r.decision_id, std::move(r.decision)};
  }

  /// A task as one call: the flow rules these tests check are a call's
  /// (plans run their steps through them; plan_flow_test and
  /// plan_run_test cover plans).
  static task_spec task(std::string text) {
    task_spec t;
    t.text = std::move(text);
    t.plan = engine::plan_kind::single;
    return t;
  }
};

} // namespace switchyard::test
