#include "switchyard/engine/analytics.hpp"

#include "routing_fixture.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::engine;

namespace {

/// `n` code reviews by `model`, `successes` of which succeeded, each
/// costing `cost` nanos.
void add_tasks(std::vector<task_summary>& out, const std::string& model,
               const std::string& provider, int n, int successes,
               usd_nanos cost, std::int64_t day_s = 1'700'000'000) {
  for (int i = 0; i < n; ++i) {
    task_summary t;
    t.decision_id = out.size() + 1;
    t.created_unix_s = day_s;
    t.type = task_type::code_review;
    t.budget_key = i % 2 == 0 ? "key_a" : "";
    bool ok = i < successes;
    t.attempts.push_back({model, provider, ok, cost, 100.0});
    if (ok) {
      t.answered_by = model;
      t.input_tokens = 1000;
      t.output_tokens = 500;
    }
    out.push_back(std::move(t));
  }
}

} // namespace

TEST_CASE("a cheap model that matches a costly one is recommended",
          "[analytics]") {
  std::vector<task_summary> tasks;
  // 91.5% vs 92%: not worse by more than 5 points, at 4% of the cost.
  add_tasks(tasks, "gpt-4o-mini", "openai", 600, 549, 400'000);
  add_tasks(tasks, "claude-sonnet-4", "anthropic", 600, 552, 10'000'000);
  auto recs = recommend(tasks);
  REQUIRE(recs.size() == 1);
  const auto& r = recs.front();
  CHECK(r.model == "gpt-4o-mini");
  CHECK(r.instead_of == "claude-sonnet-4");
  CHECK(r.cost_share == Approx(0.04));
  CHECK(r.sample == 1'200);
  CHECK(r.text
        == "code_review: gpt-4o-mini matches claude-sonnet-4's success (92% "
           "vs 92%) at 4% of the cost over 1,200 tasks");
}

TEST_CASE("no recommendation without the sample or the success",
          "[analytics]") {
  std::vector<task_summary> small;
  add_tasks(small, "gpt-4o-mini", "openai", 60, 55, 400'000);
  add_tasks(small, "claude-sonnet-4", "anthropic", 60, 55, 10'000'000);
  CHECK(recommend(small).empty()); // under 100 calls each

  std::vector<task_summary> worse;
  add_tasks(worse, "gpt-4o-mini", "openai", 600, 480, 400'000);  // 80%
  add_tasks(worse, "claude-sonnet-4", "anthropic", 600, 552, 10'000'000);
  CHECK(recommend(worse).empty());
}

TEST_CASE("costs by model, provider, key and day, against always-best",
          "[analytics]") {
  auto reg = switchyard::test::routing_fixture::load();
  std::vector<task_summary> tasks;
  add_tasks(tasks, "gpt-4o-mini", "openai", 10, 10, 1'000, 1'700'000'000);
  add_tasks(tasks, "claude-sonnet-4", "anthropic", 4, 2, 50'000,
            1'700'000'000 + 86'400);
  auto c = cost_analysis(tasks, reg);
  CHECK(c.tasks == 14);
  CHECK(c.calls == 14);
  CHECK(c.total == 10 * 1'000 + 4 * 50'000);
  REQUIRE(c.by_model.size() == 2);
  CHECK(c.by_model[0].name == "claude-sonnet-4"); // most spent first
  CHECK(c.by_model[0].spent == 200'000);
  CHECK(c.by_provider[1].name == "openai");
  REQUIRE(c.by_day.size() == 2);
  CHECK(c.by_day[0].name == "2023-11-14");
  CHECK(c.by_day[1].name == "2023-11-15");
  REQUIRE(c.by_key.size() == 2);
  CHECK(c.answered_tasks == 12);
  // Every answered task priced at the strongest model's list price.
  const model_spec* best = nullptr;
  for (const auto& m : reg.models)
    if (m.enabled && !m.experimental
        && (best == nullptr || m.quality > best->quality))
      best = &m;
  REQUIRE(best != nullptr);
  CHECK(c.always_best_model == best->id);
  auto per_task = usd_to_nanos_ceil(best->cost_per_1k_input)
                  + usd_to_nanos_ceil(best->cost_per_1k_output * 0.5);
  CHECK(static_cast<double>(c.always_best)
        == Approx(12.0 * static_cast<double>(per_task)).epsilon(1e-6));
}

TEST_CASE("the performance report reads learned cells", "[analytics]") {
  learning_params p;
  std::vector<learned_entry> cells(2);
  cells[0].model = "gpt-4o-mini";
  cells[0].type = task_type::code_review;
  cells[1].model = "claude-sonnet-4";
  cells[1].type = task_type::code_review;
  for (int i = 0; i < 50; ++i) {
    apply_outcome(cells[0].cell, i % 10 != 0, 200, 400'000, 1'000.0, p);
    apply_outcome(cells[1].cell, true, 900, 10'000'000, 1'000.0, p);
  }
  auto lines = performance_report(cells, 1'000.0, p);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].model == "claude-sonnet-4"); // best success first
  CHECK(lines[0].cost_usd == Approx(0.01));
  CHECK(lines[0].samples == Approx(50));
  CHECK(lines[0].confidence == Approx(50.0 / 70.0));
  CHECK(lines[1].latency_ms == Approx(200));
  // A week later the evidence counts half.
  auto later = performance_report(cells, 1'000.0 + p.half_life_s, p);
  CHECK(later[0].samples == Approx(25));
  CHECK(utc_date(0) == "1970-01-01");
  CHECK(utc_date(951'782'400) == "2000-02-29");
}
