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
  g.classifier = spawn_classifier_pool(sys, cfg.ctx, cfg.classifier_workers);
  g.scorer = sys.spawn(scorer, cfg.ctx);
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
  g.coordinator = sys.spawn(coordinator, cfg.ctx, std::move(peers),
                            cfg.approval_timeout);
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
