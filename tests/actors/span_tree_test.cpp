// The spans a traced task makes inside the runtime (docs/telemetry.md), on
// simulated time with spans recorded in memory: a routing span per round,
// a span per plan step with the step's own routing and attempts under it,
// an ensemble with its members and its judge, and a root span for a task
// that an embedding program submits without a trace.
#include "../telemetry/span_recorder.hpp"
#include "actor_fixture.hpp"
#include "runtime_helpers.hpp"

#include "switchyard/clock/system_time.hpp"
#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;
using switchyard::testing::recorded_tracing;
using telemetry::span;
namespace attrs = telemetry::attrs;

namespace {

constexpr const char* review = "Review this pull request diff for bugs";
constexpr const char* audit
  = "Audit production deployment for security vulnerabilities";

/// A string, int or bool attribute's value; a default when absent.
std::string text(const span& s, std::string_view key) {
  auto* v = s.find(key);
  return v != nullptr && std::holds_alternative<std::string>(*v)
           ? std::get<std::string>(*v)
           : std::string{};
}

std::int64_t number(const span& s, std::string_view key) {
  auto* v = s.find(key);
  return v != nullptr && std::holds_alternative<std::int64_t>(*v)
           ? std::get<std::int64_t>(*v)
           : -1;
}

bool flag(const span& s, std::string_view key) {
  auto* v = s.find(key);
  return v != nullptr && std::holds_alternative<bool>(*v)
         && std::get<bool>(*v);
}

std::vector<std::string> texts(const span& s, std::string_view key) {
  auto* v = s.find(key);
  return v != nullptr && std::holds_alternative<std::vector<std::string>>(*v)
           ? std::get<std::vector<std::string>>(*v)
           : std::vector<std::string>{};
}

/// The recorded spans as a tree.
struct span_tree {
  std::vector<span> spans;

  /// Spans whose name is `name` or starts with `name` and a space.
  [[nodiscard]] std::vector<const span*> named(std::string_view name) const {
    std::vector<const span*> out;
    for (const auto& s : spans)
      if (s.name == name
          || (s.name.size() > name.size() && s.name.starts_with(name)
              && s.name[name.size()] == ' '))
        out.push_back(&s);
    return out;
  }

  [[nodiscard]] std::vector<const span*>
  children(const telemetry::span_id& parent) const {
    std::vector<const span*> out;
    for (const auto& s : spans)
      if (s.parent_span_id == parent)
        out.push_back(&s);
    return out;
  }

  [[nodiscard]] std::vector<const span*>
  children(const telemetry::span_id& parent, telemetry::span_kind kind) const {
    auto all = children(parent);
    std::vector<const span*> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [kind](const span* s) { return s->kind == kind; });
    return out;
  }

  [[nodiscard]] std::vector<const span*> clients() const {
    std::vector<const span*> out;
    for (const auto& s : spans)
      if (s.kind == telemetry::span_kind::client)
        out.push_back(&s);
    return out;
  }
};

/// A task traced as the gateway traces one: under a span (the server's)
/// that the test never records.
struct traced_fixture : actor_fixture {
  recorded_tracing tracing;

  task_spec traced(task_spec t) {
    t.trace = tracing.tracer->start_root_trace();
    return t;
  }

  span_tree tree() const {
    return {tracing.recorder->spans()};
  }

  /// Executes `t` until it is answered, once; its reply.
  task_reply executed(task_spec t) {
    auto p = execute(std::move(t));
    run();
    REQUIRE(*p.count == 1);
    return **p.slot;
  }

  /// The step a call serves, read from its instructions.
  static std::string role_of(const engine::call_request& r) {
    std::string all;
    for (const auto& m : r.messages)
      if (m.is_instruction())
        all += m.text();
    for (auto role : {"research", "implementation", "review"})
      if (all.find(std::string{"You are the "} + role + " specialist")
          != std::string::npos)
        return role;
    return "other";
  }
};

} // namespace

TEST_CASE_METHOD(traced_fixture,
                 "a traced task: a routing span, and the attempts of its "
                 "fallbacks beside it, all with the decision id",
                 "[actors][telemetry]") {
  start();
  // Untraced, a task records nothing.
  auto d = route(task(review));
  REQUIRE(d);
  CHECK(tracing.recorder->spans().empty());
  auto chain = d->decision.fallbacks;
  REQUIRE(chain.size() >= 2);
  // The model and its first fallback fail: the second fallback answers, in
  // the same routing round.
  std::set<std::string> bad{model(d->decision.model).provider,
                            model(chain[0]).provider};
  for (auto& [id, fake] : fakes)
    if (bad.count(id) > 0)
      fake->script = [](const engine::call_request& r, std::size_t) {
        return fake_provider::failure(r, engine::call_error::malformed);
      };
  auto t = traced(task(review));
  auto root = t.trace->context;
  auto r = executed(std::move(t));
  REQUIRE(r.ok());
  auto tree = this->tree();
  auto decision = telemetry::decision_id_text(r.decision_id);

  auto routes = tree.named("switchyard.route");
  REQUIRE(routes.size() == 1);
  const auto& route = *routes.front();
  CHECK(route.kind == telemetry::span_kind::internal);
  CHECK(route.trace_id == root.trace_id);
  CHECK(route.parent_span_id == root.span_id);
  CHECK(text(route, attrs::decision_id) == decision);
  CHECK(text(route, attrs::task_type) == to_string(r.decision.cls.type));
  CHECK(text(route, attrs::tier) == to_string(r.decision.cls.tier));
  CHECK(text(route, attrs::chosen_model) == model(d->decision.model).id);
  CHECK(text(route, attrs::selection_rule) == to_string(d->decision.rule));
  CHECK(number(route, attrs::candidates)
        == static_cast<std::int64_t>(d->decision.candidates.size()));
  CHECK(number(route, attrs::route_round) == 1);
  CHECK(route.find(attrs::plan_kind) == nullptr); // a single call
  CHECK(route.status.code != telemetry::status_code::error);

  auto clients = tree.clients();
  REQUIRE(clients.size() == 3);
  for (const auto* c : clients) {
    CHECK(c->parent_span_id == root.span_id);
    CHECK(c->trace_id == root.trace_id);
    CHECK(text(*c, attrs::decision_id) == decision);
    CHECK(c->start_unix_nanos >= route.end_unix_nanos);
  }
  CHECK(tree.spans.size() == 4);
}

TEST_CASE_METHOD(traced_fixture,
                 "a fallback chain that runs out routes again: a routing "
                 "span per round",
                 "[actors][telemetry]") {
  start();
  for (auto& [id, fake] : fakes)
    fake->script = [](const engine::call_request& r, std::size_t) {
      return fake_provider::failure(r, engine::call_error::malformed);
    };
  auto t = traced(task(review));
  auto root = t.trace->context;
  auto r = executed(std::move(t));
  CHECK_FALSE(r.ok());
  auto tree = this->tree();
  auto routes = tree.named("switchyard.route");
  REQUIRE(routes.size() >= 2);
  std::set<std::int64_t> rounds;
  for (const auto* s : routes) {
    CHECK(s->parent_span_id == root.span_id);
    CHECK(text(*s, attrs::decision_id)
          == telemetry::decision_id_text(r.decision_id));
    rounds.insert(number(*s, attrs::route_round));
  }
  CHECK(rounds.size() == routes.size());
  CHECK(*rounds.begin() == 1);
}

TEST_CASE_METHOD(traced_fixture,
                 "a plan's steps are spans of the task, each with its own "
                 "routing and attempts under it",
                 "[actors][telemetry][plan]") {
  start();
  auto t = traced(task(review));
  t.plan = engine::plan_kind::chain;
  auto root = t.trace->context;
  auto r = executed(std::move(t));
  REQUIRE(r.ok());
  REQUIRE(r.steps.size() == 2);
  auto tree = this->tree();
  auto decision = telemetry::decision_id_text(r.decision_id);

  // The task's own routing chose the plan.
  auto own = tree.children(root.span_id, telemetry::span_kind::internal);
  auto task_route
    = std::find_if(own.begin(), own.end(), [](const span* s) {
        return s->name == "switchyard.route";
      });
  REQUIRE(task_route != own.end());
  CHECK(text(**task_route, attrs::plan_kind) == "chain");
  CHECK(number(**task_route, attrs::route_round) == 1);

  auto steps = tree.named("switchyard.plan_step");
  REQUIRE(steps.size() == 2);
  std::sort(steps.begin(), steps.end(), [](const span* a, const span* b) {
    return number(*a, attrs::step_index) < number(*b, attrs::step_index);
  });
  const char* roles[] = {"planner", "executor"};
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("step " << i);
    const auto& step = *steps[i];
    CHECK(step.name == std::string{"switchyard.plan_step "} + roles[i]);
    CHECK(step.parent_span_id == root.span_id);
    CHECK(step.kind == telemetry::span_kind::internal);
    CHECK(number(step, attrs::step_index) == static_cast<std::int64_t>(i));
    CHECK(text(step, attrs::step_role) == roles[i]);
    CHECK(text(step, attrs::step_route_as)
          == to_string(r.steps[i].route_as));
    CHECK(text(step, attrs::step_outcome) == "ok");
    CHECK(text(step, attrs::step_model) == model(r.steps[i].model).id);
    CHECK(text(step, attrs::plan_kind) == "chain");
    // Steps carry the plan's decision id, never a step's own.
    CHECK(text(step, attrs::decision_id) == decision);
    auto routing = tree.children(step.span_id, telemetry::span_kind::internal);
    REQUIRE(routing.size() == 1);
    CHECK(routing.front()->name == "switchyard.route");
    CHECK(text(*routing.front(), attrs::decision_id) == decision);
    CHECK(text(*routing.front(), attrs::chosen_model)
          == model(r.steps[i].model).id);
    auto calls = tree.children(step.span_id, telemetry::span_kind::client);
    REQUIRE(calls.size() == 1);
    CHECK(text(*calls.front(), attrs::decision_id) == decision);
  }
  CHECK(steps[0]->start_unix_nanos <= steps[1]->start_unix_nanos);
  CHECK(tree.clients().size() == 2);
  CHECK(tree.spans.size() == 3 + 2 + 2);
}

TEST_CASE_METHOD(traced_fixture,
                 "a specialist cut at the deadline ends its span as cut, "
                 "not failed",
                 "[actors][telemetry][plan][hedging]") {
  reg.policy.ensemble_member_timeout_s = 2.5;
  reg.policy.hedge_latency_factor = 100.0;
  start();
  for (auto& [id, fake] : fakes)
    fake->latency_for = [](const engine::call_request& r) {
      return role_of(r) == "review" ? std::chrono::steady_clock::duration{1h}
                                    : std::chrono::steady_clock::duration{1s};
    };
  auto t = traced(task(review));
  t.plan = engine::plan_kind::specialists;
  auto p = execute(std::move(t));
  run();
  advance(1s);
  advance(1500ms); // the deadline: the review is cut, the synthesis starts
  advance(1s);
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  auto tree = this->tree();
  auto cut = tree.named("switchyard.plan_step review");
  REQUIRE(cut.size() == 1);
  CHECK(text(*cut.front(), attrs::step_outcome) == "cut");
  CHECK(flag(*cut.front(), attrs::step_cut));
  CHECK(cut.front()->status.code != telemetry::status_code::error);
  for (const char* role : {"research", "implementation", "synthesis"}) {
    INFO(role);
    auto s = tree.named(std::string{"switchyard.plan_step "} + role);
    REQUIRE(s.size() == 1);
    CHECK(text(*s.front(), attrs::step_outcome) == "ok");
    CHECK_FALSE(flag(*s.front(), attrs::step_cut));
  }
}

TEST_CASE_METHOD(traced_fixture,
                 "an ensemble is a span with a span per member and one for "
                 "the judge, each over its attempts",
                 "[actors][telemetry][ensemble]") {
  start();
  auto t = traced(task(audit));
  t.plan = engine::plan_kind::single;
  auto root = t.trace->context;
  auto r = executed(std::move(t));
  REQUIRE(r.ok());
  REQUIRE(r.parallel);
  const auto& e = r.decision.ensemble;
  REQUIRE(e.members.size() == 3);
  REQUIRE(e.has_judge);
  auto tree = this->tree();
  auto decision = telemetry::decision_id_text(r.decision_id);

  auto routes = tree.named("switchyard.route");
  REQUIRE(routes.size() == 1);
  CHECK(flag(*routes.front(), attrs::parallel));
  auto ensembles = tree.named("switchyard.ensemble");
  REQUIRE(ensembles.size() == 1);
  const auto& ensemble = *ensembles.front();
  CHECK(ensemble.parent_span_id == root.span_id);
  CHECK(text(ensemble, attrs::decision_id) == decision);
  CHECK(text(ensemble, attrs::ensemble_strategy) == "judge");
  CHECK(number(ensemble, attrs::ensemble_quorum) == e.quorum);
  CHECK(texts(ensemble, attrs::ensemble_members).size() == 3);
  CHECK(text(ensemble, attrs::ensemble_winner) == model(r.model).id);
  CHECK(text(ensemble, attrs::judge_model) == model(e.judge).id);
  CHECK(ensemble.find(attrs::ensemble_cut) == nullptr);

  auto members = tree.named("switchyard.ensemble_member");
  REQUIRE(members.size() == 3);
  std::set<std::string> member_models;
  for (const auto* m : members) {
    CHECK(m->parent_span_id == ensemble.span_id);
    CHECK(text(*m, attrs::decision_id) == decision);
    CHECK(m->name == "switchyard.ensemble_member "
                       + text(*m, attrs::member_model));
    CHECK_FALSE(flag(*m, attrs::member_cut));
    member_models.insert(text(*m, attrs::member_model));
    auto calls = tree.children(m->span_id);
    REQUIRE(calls.size() == 1);
    CHECK(calls.front()->kind == telemetry::span_kind::client);
    CHECK(text(*calls.front(), attrs::decision_id) == decision);
  }
  CHECK(member_models.size() == 3);
  auto judges = tree.named("switchyard.judge");
  REQUIRE(judges.size() == 1);
  const auto& judge = *judges.front();
  CHECK(judge.parent_span_id == ensemble.span_id);
  CHECK(text(judge, attrs::judge_model) == model(e.judge).id);
  CHECK(text(judge, attrs::ensemble_winner) == model(r.model).id);
  auto verdict = tree.children(judge.span_id);
  REQUIRE(verdict.size() == 1);
  CHECK(verdict.front()->kind == telemetry::span_kind::client);
  // Routing, the ensemble, its 3 members and judge, and 4 attempts.
  CHECK(tree.spans.size() == 1 + 1 + 3 + 1 + 4);
  for (const auto& s : tree.spans)
    CHECK(s.trace_id == root.trace_id);
}

TEST_CASE("a runtime with a tracer roots an untraced task in a task span, "
          "and a task that brings its trace keeps it",
          "[actors][telemetry][runtime]") {
  // The runtime's threads and the executor's clock run in real time: so
  // does the tracer here, so that spans nest in time as they do in a
  // process.
  auto recorder = std::make_shared<switchyard::testing::span_recorder>();
  auto tracer = std::make_shared<const telemetry::tracer>(
    telemetry::tracer_options{}, recorder, system_time());
  auto cfg = stored_runtime_config("");
  cfg.tracer = tracer;
  auto rt = start_runtime(std::move(cfg));
  task_spec t;
  t.text = review;
  t.plan = engine::plan_kind::single;
  auto r = rt->execute(t).get();
  REQUIRE(r.ok());
  auto own = tracer->start_root_trace();
  auto brought = t;
  brought.trace = own;
  REQUIRE(rt->execute(std::move(brought)).get().ok());
  rt->shutdown();
  span_tree tree{recorder->spans()};

  auto roots = tree.named("switchyard.task");
  REQUIRE(roots.size() == 1);
  const auto& root = *roots.front();
  CHECK_FALSE(root.parent_span_id.valid());
  CHECK(root.kind == telemetry::span_kind::internal);
  CHECK(text(root, attrs::decision_id)
        == telemetry::decision_id_text(r.decision_id));
  CHECK(root.status.code != telemetry::status_code::error);
  auto under = tree.children(root.span_id);
  REQUIRE(under.size() == 2);
  std::set<std::string> names;
  for (const auto* s : under) {
    names.insert(s->name);
    CHECK(s->trace_id == root.trace_id);
    CHECK(s->start_unix_nanos >= root.start_unix_nanos);
    CHECK(s->end_unix_nanos <= root.end_unix_nanos);
  }
  CHECK(names.count("switchyard.route") == 1);
  CHECK(tree.children(root.span_id, telemetry::span_kind::client).size() == 1);
  // The task that brought a trace got no root of its own: its spans hang
  // under the trace it brought.
  CHECK(tree.children(own->context.span_id).size() == 2);
  CHECK(tree.spans.size() == 5);
}
