// The prompt model inside the runtime, on the test scheduler: the scorer
// sends each prompt's terms with the decision, feedback adds them to
// learning's history, a re-fit (on the index builder, off learning's
// mailbox) reaches the scorer, and decisions then read the cluster, the
// neighbours and each model's learned cost. With a store the history
// survives a restart.
#include "feedback_helpers.hpp"

#include "../storage/temp_dir.hpp"

#include "switchyard/actors/decision_replay.hpp"

using namespace switchyard;
using namespace switchyard::test;

namespace {

const std::vector<std::string> compiler_prompts{
  "optimise the register allocator in the compiler backend",
  "the compiler backend emits wrong register spills in loops",
  "why does the register allocator spill in this compiler loop",
  "add a peephole pass to the compiler backend for register moves"};

void enable_prompt_model(engine::registry& reg) {
  reg.prompt_model.enabled = true;
  reg.prompt_model.params.min_cluster_prompts = 2;
  reg.prompt_model.params.refit_min_outcomes = 1;
}

} // namespace

TEST_CASE_METHOD(actor_fixture,
                 "feedback teaches the prompt model, whose re-fitted index "
                 "the scorer reads",
                 "[actors][learning][prompt_model]") {
  enable_prompt_model(reg);
  start();
  auto before = route(task(compiler_prompts[0]));
  REQUIRE(before);
  // No feedback yet: no index, nothing read.
  CHECK_FALSE(before->decision.inputs.prompt.used());
  std::uint16_t model = 0;
  for (const auto& text : compiler_prompts)
    model = answer_and_rate(*this, text, true);
  advance(actors::learning_publish_delay);
  run();
  auto d = route(task("the register allocator in my compiler spills"));
  REQUIRE(d);
  const auto& in = d->decision.inputs;
  CHECK(in.prompt.cluster != engine::prompt_evidence::no_cluster);
  CHECK(in.prompt.neighbours >= 1);
  CHECK(in.prompt.mean_similarity > 0.0f);
  REQUIRE(model < in.predicted_success.size());
  // The model that answered has a learned cost (its calls' cost).
  CHECK(std::isfinite(in.predicted_success[model].cost_usd));
  CHECK(in.predicted_success[model].probability > 0.5);
}

TEST_CASE_METHOD(actor_fixture,
                 "without the prompt model, decisions carry no terms and "
                 "read no cluster",
                 "[actors][learning][prompt_model]") {
  start();
  for (const auto& text : compiler_prompts)
    answer_and_rate(*this, text, true);
  advance(actors::learning_publish_delay);
  run();
  auto d = route(task(compiler_prompts[0]));
  REQUIRE(d);
  CHECK_FALSE(d->decision.inputs.prompt.used());
  CHECK(d->decision.prompt_terms.empty());
}

TEST_CASE_METHOD(actor_fixture,
                 "the prompt model's history is stored and read back after a "
                 "restart",
                 "[actors][learning][prompt_model][persistence]") {
  temp_dir dir;
  store = open_store_at(dir.path(), [this] { return wall_now_ms(); });
  enable_prompt_model(reg);
  // The selection that weighs the learned cost, so replay must see it too;
  // no local-first or preferred-list rule gets there before it.
  reg.policy.selection = engine::selection_mode::utility;
  reg.policy.prefer_local = false;
  for (auto& p : reg.preferences)
    p.preferred.clear();
  start();
  for (const auto& text : compiler_prompts)
    answer_and_rate(*this, text, true);
  advance(actors::learning_publish_delay);
  run();
  auto trained = route(task(compiler_prompts[1]));
  REQUIRE(trained);
  REQUIRE(trained->decision.inputs.prompt.neighbours >= 1);
  // A clean stop flushes learning, the history included.
  stop_graph();
  store.reset();
  store = open_store_at(dir.path(), [this] { return wall_now_ms(); });
  // The logged decision kept what the prompt model gave, and replays.
  auto rec = store->get_decision(trained->decision_id);
  INFO("decision " << trained->decision_id << ": "
                   << (rec ? std::string{"found"}
                           : caf::to_string(rec.error())));
  REQUIRE(rec);
  REQUIRE(rec->rounds.size() == 1);
  const auto& logged = rec->rounds[0].decision;
  CHECK(logged.rule == engine::selection_rule::utility);
  CHECK(logged.inputs.prompt == trained->decision.inputs.prompt);
  const auto& costs = logged.inputs.predicted_success;
  REQUIRE(costs.size() == trained->decision.inputs.predicted_success.size());
  for (std::size_t m = 0; m < costs.size(); ++m) {
    auto want = trained->decision.inputs.predicted_success[m].cost_usd;
    if (std::isnan(want))
      CHECK(std::isnan(costs[m].cost_usd));
    else
      CHECK(costs[m].cost_usd == want);
  }
  auto logged_reg = store->get_registry(logged.config_hash);
  REQUIRE(logged_reg);
  engine::keyword_classifier cls;
  auto report = actors::replay_decision(*rec, *logged_reg, cls);
  INFO(report.not_recomputed);
  CHECK(report.identical());
  auto saved = store->load_prompt_history();
  REQUIRE(saved);
  CHECK_FALSE(saved->empty());
  start();
  run();
  auto after = route(task(compiler_prompts[1]));
  REQUIRE(after);
  CHECK(after->decision.inputs.prompt == trained->decision.inputs.prompt);
  const auto& a = after->decision.inputs.predicted_success;
  const auto& b = trained->decision.inputs.predicted_success;
  REQUIRE(a.size() == b.size());
  for (std::size_t m = 0; m < a.size(); ++m)
    CHECK(a[m].probability == Approx(b[m].probability));
}
