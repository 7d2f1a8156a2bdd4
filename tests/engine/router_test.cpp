#include "routing_fixture.hpp"

#include "switchyard/engine/decision_report.hpp"

#include <algorithm>
#include <set>

using namespace switchyard;
using namespace switchyard::engine;
using switchyard::test::routing_fixture;

namespace {

bool has_reason(const decision& d, std::uint16_t model, filter_reason r) {
  return std::any_of(d.filtered_out.begin(), d.filtered_out.end(),
                     [&](const filtered_model& f) {
                       return f.model == model && f.reason == r;
                     });
}

} // namespace

// -- the named scenarios ------------------------------------------------------

TEST_CASE_METHOD(routing_fixture, "fibonacci is a moderate task for a local "
                                  "model",
                 "[router]") {
  auto d = route("Write a fibonacci function");
  CHECK(d.cls.tier == complexity_tier::moderate);
  CHECK(d.cls.type == task_type::code_generation);
  CHECK(chosen(d).local);
  CHECK_FALSE(d.parallel);
}

TEST_CASE_METHOD(routing_fixture, "a production security audit is critical "
                                  "and runs a commercial ensemble",
                 "[router]") {
  auto d = route("Audit production deployment for security vulnerabilities");
  CHECK(d.cls.tier == complexity_tier::critical);
  CHECK(d.cls.type == task_type::security_audit);
  CHECK_FALSE(chosen(d).local);
  REQUIRE(d.parallel);
  CHECK(d.rule == selection_rule::ensemble);
  CHECK(d.ensemble.members.size() == 3);
  REQUIRE(d.ensemble.has_judge);
  CHECK(std::find(d.ensemble.members.begin(), d.ensemble.members.end(),
                  d.ensemble.judge)
        == d.ensemble.members.end());
  // The whole ensemble, judge included, fits the per-task budget.
  CHECK(d.ensemble.max_cost <= d.budget_cap);
  for (auto m : d.ensemble.members)
    CHECK_FALSE(model(m).local);
}

TEST_CASE_METHOD(routing_fixture, "say hello goes to the cheapest local model",
                 "[router]") {
  auto d = route("say hello");
  CHECK(d.cls.tier == complexity_tier::simple);
  CHECK(chosen(d).local);
  CHECK(d.rule == selection_rule::local_first);
  // Every local model is free, so the cheapest is the smallest.
  for (const auto& m : reg.models)
    if (m.local && m.enabled)
      CHECK(chosen(d).quality <= m.quality);
  CHECK(chosen(d).id == "qwen3:1.7b");
}

TEST_CASE_METHOD(routing_fixture, "a spent budget forces a local model and "
                                  "says so",
                 "[router][budget]") {
  state.budget_remaining = 0;
  auto d = route("Review this pull request diff for bugs and style issues");
  CHECK(chosen(d).local);
  CHECK(d.rule == selection_rule::budget_local);
  CHECK(d.has_note(decision_note::budget_exhausted));
  CHECK(has_reason(d, index("claude-sonnet-4"), filter_reason::budget_exhausted));
  CHECK_THAT(rationale(d, reg, classifier),
             Catch::Contains("Budget exhausted: forced to a local model"));
}

TEST_CASE_METHOD(routing_fixture, "a spent budget with no local model is a "
                                  "clear refusal",
                 "[router][budget]") {
  state.budget_remaining = 0;
  auto open = local_breakers_open();
  state.breaker_open = open;
  auto d = route("Write a fibonacci function");
  CHECK_FALSE(d.has_model());
  CHECK(d.has_note(decision_note::no_local_model));
  CHECK_THAT(rationale(d, reg, classifier),
             Catch::Contains("budget is exhausted and no local model"));
}

TEST_CASE_METHOD(routing_fixture, "force_model wins over every rule",
                 "[router]") {
  route_request req;
  req.text = "say hello";
  req.force_model = "claude-opus-4";
  auto d = route(req);
  CHECK(chosen(d).id == "claude-opus-4");
  CHECK(d.rule == selection_rule::forced);
  CHECK_THAT(rationale(d, reg, classifier), Catch::Contains("force_model"));

  SECTION("even over a filter, which is recorded") {
    req.budget_usd = 0.0000001;
    auto forced = route(req);
    CHECK(chosen(forced).id == "claude-opus-4");
    CHECK(forced.has_note(decision_note::forced_despite_filter));
  }
  SECTION("an unknown id is an explicit none") {
    req.force_model = "gpt-7";
    auto unknown = route(req);
    CHECK_FALSE(unknown.has_model());
    CHECK(unknown.has_note(decision_note::unknown_forced_model));
  }
}

TEST_CASE_METHOD(routing_fixture, "complexity <= 3 goes local",
                 "[router]") {
  for (auto text : {"say hello", "What is the capital of France?",
                    "Translate this paragraph into German", "hi there",
                    "thanks!"}) {
    INFO(text);
    auto d = route(text);
    CHECK(d.cls.score <= 3);
    CHECK(chosen(d).local);
  }
  route_request req;
  req.text = "Explain the difference between TCP and UDP";
  req.complexity_score = 3;
  auto d = route(req);
  CHECK(d.cls.score == 3);
  CHECK(chosen(d).local);
}

TEST_CASE_METHOD(routing_fixture, "after 2 local failures the task goes to a "
                                  "commercial model",
                 "[router][escalation]") {
  route_request req;
  req.text = "Write a fibonacci function";
  req.local_failures = 1;
  CHECK(chosen(route(req)).local);
  req.local_failures = 2;
  auto d = route(req);
  CHECK_FALSE(chosen(d).local);
  CHECK(d.has_note(decision_note::escalated));
  CHECK(has_reason(d, index("mistralai/devstral-small-2507"),
                   filter_reason::escalated));
}

TEST_CASE_METHOD(routing_fixture, "a local primary keeps a commercial model "
                                  "among its fallbacks",
                 "[router][escalation]") {
  auto d = route("Write a fibonacci function");
  REQUIRE(chosen(d).local);
  REQUIRE_FALSE(d.fallbacks.empty());
  CHECK(d.fallbacks.size() <= 3);
  CHECK(std::any_of(d.fallbacks.begin(), d.fallbacks.end(),
                    [&](auto f) { return !model(f).local; }));
}

TEST_CASE_METHOD(routing_fixture, "complexity >= 7 reasoning goes to the "
                                  "strongest reasoning model",
                 "[router]") {
  route_request req;
  req.text = "Prove that the halting problem is undecidable, step by step";
  req.type = task_type::reasoning;
  req.complexity_score = 8;
  SECTION("within the default budget and latency") {
    auto d = route(req);
    CHECK(d.rule == selection_rule::top_reasoning);
    CHECK(chosen(d).capabilities.has(capability::reasoning));
    for (const auto& c : d.candidates)
      if (c.capable && model(c.model).capabilities.has(capability::reasoning))
        CHECK(c.predicted_quality <= chosen(d).quality);
  }
  SECTION("with room for the top models") {
    req.budget_usd = 1.0;
    req.max_latency_s = 120;
    auto d = route(req);
    CHECK(chosen(d).id == "claude-opus-4");
  }
}

TEST_CASE_METHOD(routing_fixture, "otherwise the first preferred model of the "
                                  "task type",
                 "[router]") {
  auto d = route("Review this pull request diff for bugs and style issues");
  CHECK(d.cls.type == task_type::code_review);
  CHECK(d.cls.tier == complexity_tier::moderate);
  CHECK(d.rule == selection_rule::preferred);
  const auto& prefs
    = reg.preferences[static_cast<std::size_t>(task_type::code_review)];
  REQUIRE_FALSE(prefs.preferred.empty());
  CHECK(d.model == prefs.preferred.front());
}

TEST_CASE_METHOD(routing_fixture, "a tiny code_generation budget picks a "
                                  "capable model within it",
                 "[router][budget]") {
  route_request req;
  req.text = "Write a function that parses ISO 8601 dates";
  req.type = task_type::code_generation;
  req.budget_usd = 0.001;
  auto check = [&](const decision& d) {
    REQUIRE(d.has_model());
    auto c = d.find_candidate(d.model);
    REQUIRE(c);
    CHECK(c->capable);
    CHECK(c->predicted_quality >= d.quality_required);
    CHECK(nanos_to_usd(c->cost.max) <= 0.001);
  };
  check(route(req));
  SECTION("also when no local model is available") {
    auto open = local_breakers_open();
    state.breaker_open = open;
    auto d = route(req);
    CHECK_FALSE(chosen(d).local);
    check(d);
    CHECK(has_reason(d, index("claude-opus-4"), filter_reason::over_budget));
  }
}

TEST_CASE_METHOD(routing_fixture, "reasoning at quality >= 0.95 within $0.15",
                 "[router]") {
  route_request req;
  req.text = "Which of these two scheduling algorithms starves fewer jobs, "
             "and why?";
  req.type = task_type::reasoning;
  req.min_quality = 0.95;
  req.budget_usd = 0.15;
  auto d = route(req);
  CHECK(chosen(d).quality >= 0.95);
  if (d.parallel)
    CHECK(d.ensemble.max_cost <= usd_to_nanos_ceil(0.15));
  else
    CHECK(nanos_to_usd(d.find_candidate(d.model)->cost.max) <= 0.15);
}

TEST_CASE_METHOD(routing_fixture, "security_audit at quality >= 0.95 runs 3 "
                                  "models from 2+ providers and a judge",
                 "[router][ensemble]") {
  route_request req;
  req.text = "Review the authentication module for injection flaws";
  req.type = task_type::security_audit;
  req.min_quality = 0.95;
  req.budget_usd = 0.5;
  auto d = route(req);
  REQUIRE(d.parallel);
  REQUIRE(d.ensemble.members.size() == 3);
  std::set<std::string> providers;
  for (auto m : d.ensemble.members)
    providers.insert(model(m).provider);
  CHECK(providers.size() >= 2);
  REQUIRE(d.ensemble.has_judge);
  CHECK(std::count(d.ensemble.members.begin(), d.ensemble.members.end(),
                   d.ensemble.judge)
        == 0);
  CHECK(d.ensemble.max_cost <= usd_to_nanos_ceil(0.5));
  CHECK(chosen(d).quality >= 0.95);
}

TEST_CASE_METHOD(routing_fixture, "150k tokens of context need a window that "
                                  "holds them",
                 "[router]") {
  route_request req;
  req.text = "Summarize these documents and list every open question";
  req.type = task_type::long_context;
  req.context_tokens = 150'000;
  SECTION("default budget") {
    auto d = route(req);
    CHECK(chosen(d).context_window >= d.tokens.input + d.tokens.output);
    CHECK(has_reason(d, index("gpt-4o"), filter_reason::context_too_small));
  }
  SECTION("with the budget for it, gemini-pro-1.5 is preferred") {
    req.budget_usd = 1.0;
    auto d = route(req);
    CHECK(chosen(d).id == "gemini-pro-1.5");
    CHECK(d.rule == selection_rule::preferred);
  }
}

TEST_CASE_METHOD(routing_fixture, "vision under 3 s picks a fast vision model",
                 "[router]") {
  route_request req;
  req.text = "What is shown in this screenshot?";
  req.required.add(capability::vision);
  req.max_latency_s = 3.0;
  auto d = route(req);
  CHECK(d.cls.type == task_type::multimodal);
  CHECK(chosen(d).capabilities.has(capability::vision));
  CHECK(chosen(d).p50_latency_ms < 3000.0);
  CHECK(d.find_candidate(d.model)->latency_s <= 3.0);
  CHECK(has_reason(d, index("qwen3:1.7b"), filter_reason::missing_capability));
}

// -- properties of every decision -------------------------------------------

TEST_CASE_METHOD(routing_fixture, "points stay within each factor's maximum "
                                  "and add up to the total",
                 "[router][scoring]") {
  for (auto text : {"say hello", "Write a fibonacci function",
                    "Audit production deployment for security vulnerabilities",
                    "Design a distributed rate limiter architecture"}) {
    auto d = route(text);
    for (const auto& c : d.candidates) {
      const auto& p = c.points;
      CHECK(p.quality <= factor_points::quality_max);
      CHECK(p.cost <= factor_points::cost_max);
      CHECK(p.history <= factor_points::history_max);
      CHECK(p.learned <= factor_points::learned_max);
      CHECK(p.preference <= factor_points::preference_max);
      CHECK(p.diversity <= factor_points::diversity_max);
      CHECK(p.vendor <= factor_points::vendor_max);
      CHECK(c.total == Approx(p.total()));
      CHECK(c.total <= 100.0);
    }
    CHECK(std::is_sorted(d.candidates.begin(), d.candidates.end(),
                         [](const candidate& a, const candidate& b) {
                           return a.total > b.total;
                         }));
  }
}

TEST_CASE_METHOD(routing_fixture, "the same inputs give the same decision",
                 "[router]") {
  auto a = route("Design a distributed rate limiter architecture");
  decision b;
  // Reuse a dirty decision object: nothing may leak from the previous use.
  b = route("Audit production deployment for security vulnerabilities");
  route_request req;
  req.text = "Design a distributed rate limiter architecture";
  router.route(req, state, b);
  CHECK(a.model == b.model);
  CHECK(a.rule == b.rule);
  CHECK(a.fallbacks == b.fallbacks);
  CHECK(a.notes == b.notes);
  REQUIRE(a.candidates.size() == b.candidates.size());
  for (std::size_t i = 0; i < a.candidates.size(); ++i) {
    CHECK(a.candidates[i].model == b.candidates[i].model);
    CHECK(a.candidates[i].total == b.candidates[i].total);
  }
}

TEST_CASE_METHOD(routing_fixture, "an open breaker removes its provider's "
                                  "models",
                 "[router]") {
  std::vector<std::uint8_t> open(reg.providers.size(), 0);
  open[*reg.provider_index("anthropic")] = 1;
  state.breaker_open = open;
  auto d = route("Review this pull request diff for bugs and style issues");
  CHECK(model(d.model).provider != "anthropic");
  CHECK(has_reason(d, index("claude-sonnet-4"), filter_reason::breaker_open));
  for (auto f : d.fallbacks)
    CHECK(model(f).provider != "anthropic");
}

TEST_CASE_METHOD(routing_fixture, "learned failure moves a task off the "
                                  "preferred model",
                 "[router][learning]") {
  performance_table perf;
  perf.resize(reg.models.size());
  auto& cell = perf.at(index("claude-sonnet-4"), task_type::code_review);
  cell.success = 0.2;
  cell.confidence = 0.9;
  cell.samples = 500;
  cell.feedback_weight = 0.1;
  state.performance = &perf;
  auto d = route("Review this pull request diff for bugs and style issues");
  CHECK(model(d.model).id != "claude-sonnet-4");
  CHECK(has_reason(d, index("claude-sonnet-4"), filter_reason::below_quality));
}

TEST_CASE_METHOD(routing_fixture, "a caller quality nothing meets is an "
                                  "explicit none",
                 "[router]") {
  route_request req;
  req.text = "Write a fibonacci function";
  req.min_quality = 0.999;
  auto d = route(req);
  CHECK_FALSE(d.has_model());
  CHECK(d.has_note(decision_note::quality_unmet));
}

TEST_CASE_METHOD(routing_fixture, "the decision JSON carries the contract's "
                                  "fields",
                 "[router][json]") {
  auto d = route("Audit production deployment for security vulnerabilities");
  std::string out;
  json_writer w{out};
  write_decision_json(w, d, reg, classifier, "dec_1");
  for (auto field :
       {"\"decision_id\":\"dec_1\"", "\"model\":", "\"provider\":",
        "\"is_local\":false", "\"complexity\":\"critical\"",
        "\"complexity_score\":", "\"task_type\":\"security_audit\"",
        "\"fallbacks\":[", "\"ensemble\":{\"models\":[", "\"judge\":",
        "\"estimated_cost_usd\":{\"min\":", "\"candidates\":[",
        "\"factors\":{\"quality\":", "\"filtered_out\":[", "\"rationale\":"})
    CHECK_THAT(out, Catch::Contains(field));
}

// -- conversations -------------------------------------------------------------

TEST_CASE_METHOD(routing_fixture, "a field a wire format cannot carry filters "
                                  "its models out, named in the decision",
                 "[router][conversation]") {
  route_request req;
  req.text = "Summarise this article in three sentences";
  req.fields.add(request_field::seed);
  auto d = route(req);
  REQUIRE(d.has_model());
  CHECK(reg.providers[chosen(d).provider_index].kind
        != provider_kind::anthropic);
  auto opus = index("claude-opus-4");
  REQUIRE(has_reason(d, opus, filter_reason::cannot_express));
  for (const auto& f : d.filtered_out)
    if (f.model == opus)
      CHECK(describe_filter(f).find("`seed`") != std::string::npos);
  for (auto m : d.fallbacks)
    CHECK(reg.providers[model(m).provider_index].kind
          != provider_kind::anthropic);
}

TEST_CASE_METHOD(routing_fixture, "a forced model that cannot take the "
                                  "request is refused, never sent without "
                                  "the field",
                 "[router][conversation]") {
  route_request req;
  req.text = "Give me JSON";
  req.force_model = "claude-sonnet-4";
  req.fields.add(request_field::json_schema);
  auto d = route(req);
  CHECK_FALSE(d.has_model());
  CHECK(d.has_note(decision_note::forced_cannot_express));
  auto why = forced_refusal(d, reg);
  CHECK(why.find("claude-sonnet-4") != std::string::npos);
  CHECK(why.find("response_format.json_schema") != std::string::npos);

  // A missing capability is refused the same way: o1-mini has no tools.
  req.force_model = "o1-mini";
  req.fields = {};
  req.required.add(capability::tools);
  d = route(req);
  CHECK(d.has_note(decision_note::forced_cannot_express));
  CHECK(forced_refusal(d, reg).find("lacks tools") != std::string::npos);
}

TEST_CASE_METHOD(routing_fixture, "an agent loop stays on the model that made "
                                  "its tool calls, and moves when it fails",
                 "[router][conversation]") {
  route_request req;
  req.text = "thanks, what next?";
  req.required.add(capability::tools);
  req.fields.add(request_field::tools);
  auto free = route(req);
  REQUIRE(free.has_model());
  // Stay on a model the router would not have chosen by itself.
  std::string_view sticky
    = chosen(free).id == "gpt-4o" ? "claude-sonnet-4" : "gpt-4o";
  req.sticky_model = sticky;
  auto kept = route(req);
  REQUIRE(kept.has_model());
  CHECK(chosen(kept).id == sticky);
  CHECK(kept.rule == selection_rule::agent_loop);
  CHECK_FALSE(kept.has_note(decision_note::agent_loop_moved));
  CHECK(rationale(kept, reg, classifier).find("Agent loop") != std::string::npos);

  // That model failed: it is excluded and the conversation moves.
  std::vector<std::uint16_t> tried{index(sticky)};
  req.exclude = tried;
  auto moved = route(req);
  REQUIRE(moved.has_model());
  CHECK(chosen(moved).id != sticky);
  CHECK(moved.rule != selection_rule::agent_loop);
  CHECK(moved.has_note(decision_note::agent_loop_moved));
}
