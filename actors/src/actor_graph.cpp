#include "switchyard/actors/actor_graph.hpp"

#include "switchyard/actors/breaker_actor.hpp"
#include "switchyard/actors/classifier_actor.hpp"
#include "switchyard/actors/executor_actor.hpp"
#include "switchyard/actors/judge_actor.hpp"
#include "switchyard/actors/learning_actor.hpp"
#include "switchyard/actors/ledger_actor.hpp"
#include "switchyard/actors/scorer_actor.hpp"
#include "switchyard/actors/storage_actor.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

namespace switchyard::actors {

caf::expected<persisted_state> prepare_store(storage::store& db,
                                             const engine::registry& reg) {
  if (auto stored = db.put_registry(reg); !stored)
    return std::move(stored.error());
  persisted_state p;
  auto cells = db.load_learned();
  if (!cells)
    return std::move(cells.error());
  p.cells = std::move(*cells);
  auto experiments = db.load_experiments();
  if (!experiments)
    return std::move(experiments.error());
  p.experiments = std::move(*experiments);
  auto ledger = db.load_ledger();
  if (!ledger)
    return std::move(ledger.error());
  p.ledger = std::move(*ledger);
  auto last = db.last_decision_id();
  if (!last)
    return std::move(last.error());
  p.last_decision_id = *last;
  auto predictor = db.load_predictor();
  if (!predictor)
    return std::move(predictor.error());
  p.predictor = std::move(*predictor);
  auto history = db.load_prompt_history();
  if (!history)
    return std::move(history.error());
  p.prompt_history = std::move(*history);
  auto samples = db.load_learned_samples();
  if (!samples)
    return std::move(samples.error());
  p.learned_samples = std::move(*samples);
  return p;
}

actor_graph spawn_actor_graph(caf::actor_system& sys,
                              const actor_graph_config& cfg) {
  actor_graph g;
  const auto& reg = *cfg.ctx.registry;
  auto ctx = cfg.ctx;
  auto log_queue = cfg.log_queue;
  if (cfg.store) {
    ctx.record_inputs = true;
    if (!log_queue)
      log_queue = std::make_shared<decision_log_queue>(
        default_decision_log_capacity);
    g.storage = cfg.detach_storage
                  ? sys.spawn<caf::detached>(storage, cfg.store, log_queue)
                  : sys.spawn(storage, cfg.store, log_queue);
  }
  // The scorer starts from the stored state, so that the first decisions
  // after a restart read what learning knew before it.
  g.scorer = sys.spawn(scorer, ctx,
                       snapshot_of(cfg.persisted.cells, reg,
                                   ctx.wall_now_s()));
  g.classifier = spawn_classifier_pool(sys, ctx, g.scorer,
                                       cfg.classifier_workers);
  g.budget_caps_set = std::make_shared<std::atomic<bool>>(true);
  g.ledger = sys.spawn(ledger, cfg.budgets,
                       ledger_setup{g.storage, cfg.persisted.ledger,
                                    ctx.time, g.budget_caps_set});
  g.learning = sys.spawn(learning, ctx, std::vector<scorer_actor>{g.scorer},
                         learning_setup{g.storage, cfg.persisted.cells,
                                        cfg.persisted.experiments,
                                        cfg.persisted.predictor,
                                        cfg.persisted.prompt_history});
  std::vector<engine::provider_client_ptr> clients;
  for (std::size_t p = 0; p < reg.providers.size(); ++p) {
    auto provider = static_cast<std::uint16_t>(p);
    auto phase_now = std::make_shared<std::atomic<breaker_phase>>(
      breaker_phase::closed);
    g.breakers.push_back(sys.spawn(breaker, provider, reg.policy.breaker,
                                   std::vector<scorer_actor>{g.scorer},
                                   cfg.breaker_log, phase_now));
    engine::provider_client_ptr client;
    if (cfg.make_client)
      client = cfg.make_client(reg.providers[p]);
    clients.push_back(client);
    g.executors.push_back(
      sys.spawn(executor, ctx, provider, client, g.breakers.back(),
                std::shared_ptr<const std::atomic<breaker_phase>>{phase_now}));
  }
  if (cfg.health && cfg.board)
    g.health = sys.spawn(health, ctx, *cfg.health, std::move(clients),
                         g.scorer, g.breakers, cfg.board);
  g.judge = sys.spawn(judge, ctx, g.executors);
  if (cfg.sampling)
    g.sampler = sys.spawn(learned_sampler, ctx, *cfg.sampling, g.learning,
                          g.storage, cfg.persisted.learned_samples);
  auto coordinator_ledger = cfg.wrap_ledger ? cfg.wrap_ledger(g.ledger)
                                            : g.ledger;
  // A ledger behind a cluster's budgets is asked every time.
  coordinator_peers peers{g.classifier, g.scorer,  coordinator_ledger,
                          g.learning,   g.judge,   g.executors,
                          g.storage,    cfg.wrap_ledger ? nullptr
                                                        : g.budget_caps_set,
                          log_queue};
  auto shards = std::max<std::size_t>(cfg.coordinator_shards, 1);
  coordinator_start start{cfg.persisted.last_decision_id,
                          cfg.decision_id_prefix,
                          running_experiments(cfg.persisted.experiments, reg)};
  for (std::size_t i = 0; i < shards; ++i) {
    g.coordinators.push_back(sys.spawn(coordinator, ctx, peers,
                                       cfg.approval_timeout,
                                       static_cast<std::uint64_t>(i),
                                       static_cast<std::uint64_t>(shards),
                                       start));
    // Learning pushes the running A/B tests to every coordinator.
    caf::anon_send(g.learning, experiment_atom::value, g.coordinators.back());
  }
  g.coordinator = g.coordinators.front();
  return g;
}

void actor_graph::stop() {
  auto bye = [](auto& handle) {
    if (handle) {
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
      handle = nullptr;
    }
  };
  bye(coordinator);
  for (auto& c : coordinators)
    bye(c);
  coordinators.clear();
  bye(judge);
  bye(health);
  bye(sampler);
  for (auto& e : executors)
    bye(e);
  for (auto& b : breakers)
    bye(b);
  bye(learning);
  bye(ledger);
  bye(storage);
  bye(scorer);
  bye(classifier);
  executors.clear();
  breakers.clear();
}

} // namespace switchyard::actors
