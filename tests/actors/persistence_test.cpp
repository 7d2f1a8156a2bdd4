// The embedding API with a data directory, on CAF's real scheduler: what a
// runtime learns, spends, decides and tests survives a restart, and every
// logged decision replays identically afterwards.

#include "runtime_helpers.hpp"
#include "../storage/temp_dir.hpp"
#include "answering_provider.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace switchyard;

namespace {


/// A fixed wall clock: decay and days come out the same in both runs.
constexpr std::int64_t wall_now_ms = 1'750'000'000'000;

std::unique_ptr<runtime> start_runtime(const std::string& dir) {
  auto cfg = test::stored_runtime_config(dir, wall_now_ms);
  cfg.global_budget_usd = 100.0;
  return test::start_runtime(std::move(cfg));
}

task_spec review_task() {
  task_spec t;
  t.text = "Review this pull request diff for bugs";
  t.plan = engine::plan_kind::single;
  return t;
}

bool send_feedback(runtime& rt, std::uint64_t id,
                   engine::feedback_report::verdict v) {
  engine::feedback_report f;
  f.outcome = v;
  std::promise<bool> stored;
  auto ack = stored.get_future();
  rt.feedback(id, f, [&stored](bool ok) { stored.set_value(ok); });
  return ack.get();
}

std::int64_t spent_nanos(runtime& rt) {
  auto summary = rt.admin().budget_summary().get();
  REQUIRE(summary);
  return summary->spent_nanos;
}

void require_identical_replay(runtime& rt, std::uint64_t id) {
  auto r = rt.admin().replay(id).get();
  if (!r)
    FAIL("decision " << id << ": " << error_message(r.error()));
  REQUIRE_FALSE(r->rounds.empty());
  if (auto d = r->first_divergence())
    FAIL("differs at " << d->difference->path << ": logged "
                       << d->difference->logged << ", recomputed "
                       << d->difference->recomputed);
  CHECK(r->identical());
  CHECK_FALSE(r->config_differs());
  for (const auto& round : r->rounds)
    CHECK(round.inputs_recorded);
}

} // namespace

TEST_CASE("learned state, spend and the decision log survive a restart, and "
          "decisions replay identically after it",
          "[runtime][persistence]") {
  test::temp_dir dir;
  std::vector<std::uint64_t> ids;
  std::string first_model;
  // Learning publishes to the scorer on its own schedule (50 ms of real
  // time), so the later tasks may already avoid Sonnet.
  std::uint64_t sonnet_tasks = 0;
  {
    auto rt = start_runtime(dir.path());
    // Sonnet answers code reviews, then users report the answers as failures.
    for (int i = 0; i < 40; ++i) {
      auto reply = rt->execute(review_task()).get();
      REQUIRE(reply.ok());
      if (i == 0)
        first_model = rt->registry().models[reply.model].id;
      if (rt->registry().models[reply.model].id == "claude-sonnet-4")
        ++sonnet_tasks;
      ids.push_back(reply.decision_id);
      REQUIRE(send_feedback(*rt, reply.decision_id,
                            engine::feedback_report::verdict::failure));
    }
    CHECK(first_model == "claude-sonnet-4");
    CHECK(spent_nanos(*rt) == 40 * 1000);
    for (auto id : {ids.front(), ids.back()})
      require_identical_replay(*rt, id);
    rt->shutdown();
  }
  auto rt = start_runtime(dir.path());
  // The ledger counts what was spent before the restart.
  CHECK(spent_nanos(*rt) == 40 * 1000);
  // The learned failures steer the very first decision after the restart.
  auto after = rt->route(review_task()).get();
  REQUIRE(after.ok());
  CHECK(rt->registry().models[after.decision.model].id != first_model);
  CHECK(after.decision_id > ids.back());
  const auto& inputs = after.decision.inputs;
  REQUIRE(inputs.recorded);
  auto sonnet = *rt->registry().model_index(first_model);
  REQUIRE(inputs.performance.size() > sonnet);
  // Every Sonnet task left a call and a feedback sample (how many Sonnet
  // got depends on when learning published, and the success predictor
  // may steer away sooner); all of them are back after the restart.
  REQUIRE(sonnet_tasks > 0);
  CHECK(inputs.performance[sonnet].samples
        == Approx(2.0 * static_cast<double>(sonnet_tasks)).epsilon(1e-3));
  CHECK(inputs.performance[sonnet].confidence > 0.0);
  // Feedback (all failures) weighs three quarters against call success.
  CHECK(inputs.performance[sonnet].success == Approx(0.25));
  // Every decision from before the restart replays identically, and so does
  // the new one.
  for (auto id : ids)
    require_identical_replay(*rt, id);
  require_identical_replay(*rt, after.decision_id);
  // The log keeps the whole story.
  auto logged = rt->admin().logged(ids.front()).get();
  REQUIRE(logged);
  CHECK(logged->registry_logged);
  CHECK(logged->record.execute);
  CHECK(logged->record.answered);
  CHECK(logged->registry.models[logged->record.answered_by].id
        == first_model);
  CHECK(logged->record.cost_nanos == 1000);
  CHECK(logged->record.created_unix_ms == wall_now_ms);
  REQUIRE(logged->feedback.size() == 1);
  CHECK(logged->feedback.front().model == first_model);
  auto missing = rt->admin().logged(after.decision_id + 1'000).get();
  REQUIRE_FALSE(missing);
  CHECK(error_code_of(missing.error()) == error_code::not_found);
  // Analytics read the same store.
  auto analytics = rt->admin().analytics().get();
  REQUIRE(analytics);
  CHECK(analytics->costs.tasks == 40);
  CHECK(analytics->costs.total == 40 * 1000);
  CHECK(analytics->costs.calls == 40);
  bool billed = false;
  for (const auto& line : analytics->costs.by_model)
    if (line.name == first_model) {
      billed = true;
      CHECK(line.calls == sonnet_tasks);
      CHECK(line.spent == static_cast<std::int64_t>(sonnet_tasks) * 1000);
    }
  CHECK(billed);
  bool found = false;
  for (const auto& line : analytics->performance)
    if (line.model == first_model
        && line.type == engine::task_type::code_review) {
      found = true;
      CHECK(line.feedback == 0.0);
      // One call and one feedback per task, undecayed (the clock stands).
      CHECK(line.samples == Approx(2.0 * static_cast<double>(sonnet_tasks)));
    }
  CHECK(found);
}

TEST_CASE("an A/B test splits traffic by hash, picks the planted winner and "
          "survives a restart",
          "[runtime][persistence][experiment]") {
  test::temp_dir dir;
  engine::experiment_spec spec;
  spec.id = "review-mini-vs-sonnet";
  spec.type = engine::task_type::code_review;
  spec.arms = {{"mini", "gpt-4o-mini"}, {"sonnet", "claude-sonnet-4"}};
  spec.seed = 7;
  spec.metric = engine::experiment_metric::feedback;
  spec.min_samples_per_arm = 15;
  std::uint64_t forced_id = 0;
  {
    auto rt = start_runtime(dir.path());
    auto started = rt->admin().start_experiment(spec).get();
    if (!started)
      FAIL(error_message(started.error()));
    // The same task type cannot run two experiments.
    auto twice = spec;
    twice.id = "another";
    auto refused = rt->admin().start_experiment(twice).get();
    REQUIRE_FALSE(refused);
    CHECK(error_code_of(refused.error()) == error_code::invalid_argument);
    for (int i = 0; i < 60; ++i) {
      auto reply = rt->execute(review_task()).get();
      REQUIRE(reply.ok());
      auto arm = engine::assign_arm(spec, reply.decision_id);
      REQUIRE(arm);
      const auto& model = rt->registry().models[reply.model].id;
      CHECK(model == spec.arms[*arm].model);
      if (model == "gpt-4o-mini")
        forced_id = reply.decision_id;
      // Planted: mini's answers are good, sonnet's are not.
      REQUIRE(send_feedback(*rt, reply.decision_id,
                            model == "gpt-4o-mini"
                              ? engine::feedback_report::verdict::success
                              : engine::feedback_report::verdict::failure));
    }
    auto listed = rt->admin().experiments().get();
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    const auto& report = listed->front();
    CHECK(report.state.arms[0].n + report.state.arms[1].n == 60);
    CHECK(report.result.verdict == engine::experiment_verdict::winner);
    CHECK(report.result.leader == 0);
    REQUIRE(forced_id != 0);
    // The forced round replays identically; the log names the experiment.
    require_identical_replay(*rt, forced_id);
    auto logged = rt->admin().logged(forced_id).get();
    REQUIRE(logged);
    CHECK(logged->record.experiment == spec.id);
    CHECK(logged->record.rounds.back().context.force_model == "gpt-4o-mini");
  }
  auto rt = start_runtime(dir.path());
  auto listed = rt->admin().experiments().get();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().state.running);
  CHECK(listed->front().state.arms[0].n + listed->front().state.arms[1].n
        == 60);
  CHECK(listed->front().result.verdict == engine::experiment_verdict::winner);
  auto stopped = rt->admin().stop_experiment(spec.id).get();
  REQUIRE(stopped);
  CHECK_FALSE(stopped->front().state.running);
  auto unknown = rt->admin().stop_experiment("nope").get();
  REQUIRE_FALSE(unknown);
  CHECK(error_code_of(unknown.error()) == error_code::not_found);
  require_identical_replay(*rt, forced_id);
}
