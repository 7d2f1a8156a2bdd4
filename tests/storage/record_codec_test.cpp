// Versioned value encodings: every record survives encode -> decode ->
// encode byte for byte; damaged values and unknown versions are errors.
#include "sample_records.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/engine/execution_plan.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/storage/record_codec.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace switchyard;
using namespace switchyard::storage;

namespace {

engine::registry test_registry() {
  auto r = config::parse_registry(config::default_registry_yaml(),
                                  "config/models.yaml", [](std::string_view) {
                                    return std::optional<std::string>{};
                                  });
  REQUIRE(r.registry);
  return std::move(*r.registry);
}

decision_record full_record(const engine::registry& reg) {
  engine::keyword_classifier cls;
  engine::router router{reg, cls};
  engine::performance_table table;
  table.resize(reg.models.size());
  table.at(3, engine::task_type::code_review) = {0.7, 420.0, 0.6, 33.0, 0.62};
  std::vector<std::uint8_t> open(reg.providers.size(), 0);
  open[1] = 1;
  std::vector<engine::success_estimate> predicted(reg.models.size());
  predicted[5] = {0.3, 0.7};
  engine::routing_state state;
  state.performance = &table;
  state.breaker_open = open;
  state.budget_remaining = 123'456'789;
  state.predicted_success = predicted;
  decision_record rec;
  rec.decision_id = 0x1234567890ull;
  rec.created_unix_ms = 1'700'000'000'123;
  rec.execute = true;
  rec.task = test::full_task();
  route_context ctx;
  ctx.exclude = {2, 7};
  ctx.local_failures = 1;
  ctx.budget_remaining = 123'456'789;
  ctx.force_model = "gpt-4o-mini";
  auto req = to_route_request(rec.task);
  auto d = router.route(req, state);
  engine::record_inputs(state, d.cls.type, reg.models.size(), d.inputs);
  rec.rounds.push_back({ctx, d});
  rec.rounds.push_back({route_context{}, router.route(req, {})});
  rec.seed = 0x5eed;
  rec.experiment = "review-ab";
  rec.experiment_arm = 1;
  rec.error = error_code::none;
  rec.answered = true;
  rec.answered_by = 4;
  rec.input_tokens = 1500;
  rec.output_tokens = 640;
  rec.cost_nanos = 4'200'000;
  rec.latency_ms = 812.5;
  rec.attempts = {{3, engine::call_error::server_error, 30.0, 0},
                  {4, engine::call_error::none, 780.0, 4'200'000}};
  return rec;
}

/// A task of `kind` as the coordinator logs it: the task's own round, then
/// each step routed as a task of its own (the step's tier and the task's
/// type), with its inputs recorded, and its outcome and attempts. A single
/// plan is one with quality escalation: answer, judge, escalation.
decision_record plan_record(const engine::registry& reg, engine::plan_kind kind,
                            bool execute) {
  engine::keyword_classifier cls;
  engine::router router{reg, cls};
  engine::performance_table table;
  table.resize(reg.models.size());
  table.at(3, engine::task_type::code_review) = {0.7, 420.0, 0.6, 33.0, 0.62};
  engine::routing_state state;
  state.performance = &table;
  state.budget_remaining = 50'000'000;
  auto rec = full_record(reg);
  rec.execute = execute;
  rec.rounds.resize(1);
  rec.plan = kind;
  engine::plan_request req;
  req.requested = kind;
  req.tier = engine::complexity_tier::complex;
  req.type = engine::task_type::code_review;
  req.max_revisions = 1;
  auto plan = engine::build_plan(req);
  std::vector<engine::plan_step> steps = plan.steps;
  if (kind == engine::plan_kind::single) {
    steps.push_back({"judge", engine::complexity_tier::simple, false, false});
    steps.push_back(
      {"escalation", engine::complexity_tier::complex, false, true});
  }
  if (kind == engine::plan_kind::critic) {
    // A revision round, and a specialist the budget dropped.
    steps.push_back({"synthesis", engine::complexity_tier::complex, false,
                     true});
    steps.push_back({"critic", engine::complexity_tier::complex, false,
                     false});
    rec.plan_dropped = {steps[steps.size() - 5].role};
  }
  std::uint32_t revision = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    plan_step_record step;
    auto& o = step.outcome;
    o.role = s.role;
    o.route_as = s.route_as;
    o.final = s.final;
    if (s.role == "synthesis" && i + 2 == steps.size())
      revision = 1;
    o.revision = revision;
    o.ran = execute;
    o.worst_cost_nanos = 1'000'000 + static_cast<std::int64_t>(i);
    task_spec t;
    t.text = s.final ? rec.task.text : "step input " + s.role;
    t.type = engine::task_type::code_review;
    t.tier = s.route_as;
    t.budget_usd = 0.01;
    if (s.role == "escalation")
      t.force_model = reg.models[3].id;
    route_context ctx;
    if (s.specialist)
      ctx.exclude = {static_cast<std::uint16_t>(i)};
    auto d = router.route(to_route_request(t), state);
    engine::record_inputs(state, d.cls.type, reg.models.size(), d.inputs);
    o.has_model = d.has_model();
    o.model = d.model;
    if (execute) {
      o.ok = i != 1;
      o.error = o.ok ? error_code::none : error_code::model_unavailable;
      o.note = o.ok ? "" : "every attempt failed";
      o.cost_nanos = 10'000 * static_cast<std::int64_t>(i + 1);
      o.started_ms = 100.0 * static_cast<double>(i);
      o.latency_ms = 50.5;
      o.input_tokens = 200;
      o.output_tokens = 100 + static_cast<std::uint32_t>(i);
      if (s.role == "critic" || s.role == "judge")
        o.score = 0.25;
      step.attempts.push_back({d.model,
                               o.ok ? engine::call_error::none
                                    : engine::call_error::server_error,
                               50.5, o.cost_nanos, 0});
    }
    step.rounds.push_back({ctx, d, 0});
    rec.steps.push_back(std::move(step));
  }
  return rec;
}

} // namespace

TEST_CASE("a plan's steps round-trip in both decision encodings, for every "
          "plan kind",
          "[storage][codec][plan]") {
  auto reg = test_registry();
  for (auto kind : {engine::plan_kind::single, engine::plan_kind::chain,
                    engine::plan_kind::specialists,
                    engine::plan_kind::critic}) {
    for (bool execute : {true, false}) {
      INFO(to_string(kind) << (execute ? ", executed" : ", route only"));
      auto rec = plan_record(reg, kind, execute);
      REQUIRE(rec.steps.size() >= 2);
      auto check_steps = [&](const decision_record& back, bool evidence) {
        CHECK(back.plan == kind);
        CHECK(back.plan_dropped == rec.plan_dropped);
        REQUIRE(back.steps.size() == rec.steps.size());
        for (std::size_t i = 0; i < rec.steps.size(); ++i) {
          INFO("step " << i << " (" << rec.steps[i].outcome.role << ")");
          const auto& s = back.steps[i];
          const auto& o = rec.steps[i];
          CHECK(s.outcome == o.outcome);
          REQUIRE(s.rounds.size() == 1);
          CHECK(s.rounds[0].context.exclude == o.rounds[0].context.exclude);
          auto logged = o.rounds[0].decision;
          if (!evidence) {
            logged.candidates.clear();
            logged.filtered_out.clear();
            CHECK(s.rounds[0].evidence_hash
                  == engine::evidence_hash(o.rounds[0].decision));
          }
          CHECK_FALSE(engine::first_difference(logged, s.rounds[0].decision,
                                               reg));
          CHECK(s.rounds[0].decision.inputs.recorded);
          CHECK(s.rounds[0].decision.inputs.budget_remaining == 50'000'000);
          CHECK(s.rounds[0].decision.inputs.performance.size()
                == reg.models.size());
          REQUIRE(s.attempts.size() == o.attempts.size());
          for (std::size_t a = 0; a < o.attempts.size(); ++a) {
            CHECK(s.attempts[a].model == o.attempts[a].model);
            CHECK(s.attempts[a].error == o.attempts[a].error);
            CHECK(s.attempts[a].cost_nanos == o.attempts[a].cost_nanos);
          }
        }
      };
      {
        INFO("version 1");
        auto bytes = encode_decision(rec);
        auto back = decode_decision(bytes);
        REQUIRE(back);
        CHECK(encode_decision(*back) == bytes);
        check_steps(*back, true);
      }
      {
        // Version 2, as the store writes it: each round's shared inputs
        // once per distinct content.
        INFO("version 2");
        std::map<std::uint64_t, std::string> inputs;
        std::vector<std::uint64_t> hashes;
        for_each_round(rec, [&](const decision_round& round) {
          auto shared = encode_shared_inputs(round.decision.inputs);
          inputs[shared.hash] = shared_inputs_value(shared, 0);
          hashes.push_back(shared.hash);
        });
        CHECK(inputs.size() < hashes.size());
        auto bytes = encode_decision(rec, prompt_retention::full, hashes);
        auto back = decode_decision(
          bytes, [&](std::uint64_t h) -> caf::expected<std::string> {
            if (auto i = inputs.find(h); i != inputs.end())
              return i->second;
            return caf::make_error(error_code::not_found, "none");
          });
        REQUIRE(back);
        check_steps(*back, false);
        CHECK_FALSE(back->evidence_stored);
      }
    }
  }
}

TEST_CASE("a decision record round-trips with its rounds and inputs",
          "[storage][codec]") {
  auto reg = test_registry();
  auto rec = full_record(reg);
  REQUIRE_FALSE(rec.rounds.front().decision.candidates.empty());
  auto bytes = encode_decision(rec);
  auto back = decode_decision(bytes);
  REQUIRE(back);
  CHECK(encode_decision(*back) == bytes);
  CHECK(back->decision_id == rec.decision_id);
  CHECK(back->created_unix_ms == rec.created_unix_ms);
  CHECK(back->task.text == rec.task.text);
  CHECK(back->task.messages == rec.task.messages);
  CHECK(back->task.options == rec.task.options);
  CHECK(back->task.sticky_model == "claude-sonnet-4");
  CHECK(back->task.stop == rec.task.stop);
  CHECK(back->task.temperature == rec.task.temperature);
  CHECK(back->rounds.size() == 2);
  CHECK(back->rounds[0].context.force_model == "gpt-4o-mini");
  CHECK(back->rounds[0].context.exclude == rec.rounds[0].context.exclude);
  const auto& d = back->rounds[0].decision;
  CHECK_FALSE(engine::first_difference(rec.rounds[0].decision, d, reg));
  CHECK(d.config_hash == reg.config_hash);
  CHECK(d.inputs.recorded);
  CHECK(d.inputs.performance.size() == reg.models.size());
  CHECK(d.inputs.performance[3].confidence == 0.62);
  CHECK(d.inputs.breaker_open == rec.rounds[0].decision.inputs.breaker_open);
  CHECK(d.inputs.budget_remaining == 123'456'789);
  REQUIRE(d.inputs.predicted_success.size() == reg.models.size());
  CHECK(d.inputs.predicted_success[5].weight == 0.7);
  CHECK(back->attempts.size() == 2);
  CHECK(back->attempts[0].error == engine::call_error::server_error);
  CHECK(back->experiment == "review-ab");
  CHECK(decision_created_unix_ms(bytes) == rec.created_unix_ms);
}

TEST_CASE("the other records round-trip", "[storage][codec]") {
  auto reg = test_registry();
  SECTION("registry") {
    auto bytes = encode_registry(reg);
    auto back = decode_registry(bytes);
    REQUIRE(back);
    CHECK(encode_registry(*back) == bytes);
    CHECK(back->models.size() == reg.models.size());
    CHECK(back->config_hash == reg.config_hash);
    CHECK(back->policy.breaker.cooldown == reg.policy.breaker.cooldown);
    CHECK(back->policy.selection == engine::selection_mode::smallest_capable);
  }
  SECTION("registry with gain_per_cost selection") {
    reg.policy.selection = engine::selection_mode::gain_per_cost;
    reg.policy.success_value_usd = 0.03;
    auto back = decode_registry(encode_registry(reg));
    REQUIRE(back);
    CHECK(back->policy.selection == engine::selection_mode::gain_per_cost);
    CHECK(back->policy.success_value_usd == 0.03);
  }
  SECTION("a registry written before the selection mode existed") {
    // Such records end after the config hash: they decode as
    // smallest_capable.
    reg.policy.selection = engine::selection_mode::gain_per_cost;
    auto bytes = encode_registry(reg);
    // The trailing section: one enumeration byte and an 8-byte double.
    bytes.resize(bytes.size() - 9);
    auto back = decode_registry(bytes);
    REQUIRE(back);
    CHECK(back->policy.selection == engine::selection_mode::smallest_capable);
    CHECK(back->config_hash == reg.config_hash);
  }
  SECTION("feedback") {
    auto f = test::full_feedback();
    f.report.pr_reverted.reset();
    auto bytes = encode_feedback(f);
    auto back = decode_feedback(bytes);
    REQUIRE(back);
    CHECK(encode_feedback(*back) == bytes);
    CHECK(back->report.rating == 4);
    CHECK_FALSE(back->report.pr_reverted);
  }
  SECTION("learned cell") {
    engine::learned_cell cell;
    engine::learning_params p;
    engine::apply_outcome(cell, true, 250, 1000, 1'700'000'000.5, p);
    engine::apply_feedback(cell, 0.25, 1'700'000'100.0, p);
    auto key = learned_key("qwen3:1.7b", engine::task_type::general);
    auto back = decode_learned(key, encode_learned(cell));
    REQUIRE(back);
    CHECK(back->model == "qwen3:1.7b");
    CHECK(back->type == engine::task_type::general);
    CHECK(encode_learned(back->cell) == encode_learned(cell));
  }
  SECTION("ledger entry") {
    auto back = decode_ledger(ledger_key("key:key_ab", 19'700),
                              encode_ledger(987'654'321));
    REQUIRE(back);
    CHECK(back->scope == "key:key_ab");
    CHECK(back->day == 19'700);
    CHECK(back->spent_nanos == 987'654'321);
  }
  SECTION("experiment") {
    experiment_state s;
    s.spec.id = "review-ab";
    s.spec.type = engine::task_type::code_review;
    s.spec.arms = {{"mini", "gpt-4o-mini"}, {"control", ""}};
    s.spec.seed = 99;
    s.spec.metric = engine::experiment_metric::success;
    s.started_unix_s = 1'700'000'000;
    s.arms.resize(2);
    s.arms[0].add(1.0);
    s.arms[1].add(0.0);
    auto bytes = encode_experiment(s);
    auto back = decode_experiment(bytes);
    REQUIRE(back);
    CHECK(encode_experiment(*back) == bytes);
    CHECK(back->arms[0].n == 1);
  }
  SECTION("API key") {
    auto k = make_api_key("ci", true, 1'700'000'000);
    REQUIRE(k);
    k->record.budget_usd = 12.5;
    k->record.requests_per_minute = 600;
    auto bytes = encode_api_key(k->record);
    auto back = decode_api_key(bytes);
    REQUIRE(back);
    CHECK(encode_api_key(*back) == bytes);
    CHECK(secret_matches(*back, k->secret));
    CHECK_FALSE(secret_matches(*back, k->secret + "x"));
    // The secret itself is nowhere in the stored bytes.
    CHECK(bytes.find(k->secret) == std::string::npos);
  }
}

TEST_CASE("unknown versions and damaged values are clear errors",
          "[storage][codec]") {
  auto reg = test_registry();
  auto bytes = encode_decision(full_record(reg));
  auto newer = bytes;
  newer[0] = 7;
  auto r = decode_decision(newer);
  REQUIRE_FALSE(r);
  CHECK(error_code_of(r.error()) == error_code::corrupt_data);
  CHECK_THAT(error_message(r.error()),
             Catch::Contains("encoding version 7 is unknown to this build"));
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, bytes.size() / 2,
                          bytes.size() - 1}) {
    auto damaged = decode_decision(std::string_view{bytes}.substr(0, cut));
    REQUIRE_FALSE(damaged);
    CHECK(error_code_of(damaged.error()) == error_code::corrupt_data);
  }
  // Bytes after the last section written are read as the next appended
  // section, which they are not; after every section they trail.
  auto junk = decode_decision(bytes + "x");
  REQUIRE_FALSE(junk);
  CHECK(error_code_of(junk.error()) == error_code::corrupt_data);
  auto planned = full_record(reg);
  planned.plan = engine::plan_kind::chain;
  auto trailing = decode_decision(encode_decision(planned) + "x");
  REQUIRE_FALSE(trailing);
  CHECK_THAT(error_message(trailing.error()), Catch::Contains("trailing"));
  // A count far beyond what the value holds is refused, not allocated.
  std::string huge{static_cast<char>(encoding_version)};
  huge += std::string(8, '\0');
  huge += "\x01\x00"; // id 1, route
  huge += "\xff\xff\xff\xff\x0f"; // a text "length" of 4 GiB
  CHECK_FALSE(decode_decision(huge));
}
