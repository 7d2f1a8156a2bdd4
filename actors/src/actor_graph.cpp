#include "switchyard/actors/actor_graph.hpp"

#include "switchyard/actors/breaker_actor.hpp"
#include "switchyard/actors/classifier_actor.hpp"
#include "switchyard/actors/executor_actor.hpp"
#include "switchyard/actors/judge_actor.hpp"
#include "switchyard/actors/learning_actor.hpp"
#include "switchyard/actors/ledger_actor.hpp"
#include "switchyard/actors/scorer_actor.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

namespace switchyard::actors {

actor_graph spawn_actor_graph(caf::actor_system& sys,
                              const actor_graph_config& cfg) {
  actor_graph g;
  const auto& reg = *cfg.ctx.registry;
  g.scorer = sys.spawn(scorer, cfg.ctx);
  g.classifier = spawn_classifier_pool(sys, cfg.ctx, g.scorer,
                                       cfg.classifier_workers);
  g.ledger = sys.spawn(ledger, cfg.budgets);
  g.learning = sys.spawn(learning, cfg.ctx, std::vector<scorer_actor>{g.scorer});
  for (std::size_t p = 0; p < reg.providers.size(); ++p) {
    auto provider = static_cast<std::uint16_t>(p);
    g.breakers.push_back(sys.spawn(breaker, provider, reg.policy.breaker,
                                   std::vector<scorer_actor>{g.scorer}));
    engine::provider_client_ptr client;
    if (cfg.make_client)
      client = cfg.make_client(reg.providers[p]);
    g.executors.push_back(
      sys.spawn(executor, cfg.ctx, provider, client, g.breakers.back()));
  }
  g.judge = sys.spawn(judge, cfg.ctx, g.executors);
  coordinator_peers peers{g.classifier, g.scorer,   g.ledger,
                          g.learning,   g.judge,    g.executors};
  auto shards = std::max<std::size_t>(cfg.coordinator_shards, 1);
  for (std::size_t i = 0; i < shards; ++i)
    g.coordinators.push_back(sys.spawn(coordinator, cfg.ctx, peers,
                                       cfg.approval_timeout,
                                       static_cast<std::uint64_t>(i),
                                       static_cast<std::uint64_t>(shards)));
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
  for (auto& e : executors)
    bye(e);
  for (auto& b : breakers)
    bye(b);
  bye(learning);
  bye(ledger);
  bye(scorer);
  bye(classifier);
  executors.clear();
  breakers.clear();
}

} // namespace switchyard::actors
