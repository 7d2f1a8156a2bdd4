// The internal spans' attributes (internal_spans.hpp) and the root span of
// an untraced task (root_span.hpp), recorded in memory on a manual clock.
#include "span_recorder.hpp"

#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/internal_spans.hpp"
#include "switchyard/telemetry/root_span.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::telemetry;
using switchyard::testing::recorded_tracing;

namespace {

template <class T>
T attr(const span& s, std::string_view key) {
  auto* v = s.find(key);
  REQUIRE(v != nullptr);
  REQUIRE(std::holds_alternative<T>(*v));
  return std::get<T>(*v);
}

engine::registry two_models() {
  engine::registry reg;
  reg.models.resize(2);
  reg.models[0].id = "small";
  reg.models[1].id = "large";
  return reg;
}

} // namespace

TEST_CASE("a routing span names the decision: type, tier, model, "
          "candidates, rule, round, plan",
          "[telemetry][internal_spans]") {
  recorded_tracing t;
  auto reg = two_models();
  engine::decision d;
  d.cls.type = engine::task_type::code_review;
  d.cls.tier = engine::complexity_tier::moderate;
  d.rule = engine::selection_rule::smallest_capable;
  d.model = 1;
  d.fallbacks = {0};
  d.candidates.resize(2);
  {
    auto s = start_span(with_decision(t.tracer->start_root_trace(), 42),
                        std::string{span_names::route});
    describe_route(s, d, reg, 2);
    describe_plan(s, engine::plan_kind::chain);
  }
  auto spans = t.recorder->spans();
  REQUIRE(spans.size() == 1);
  const auto& r = spans.front();
  CHECK(r.name == "switchyard.route");
  CHECK(r.kind == span_kind::internal);
  CHECK(attr<std::string>(r, attrs::decision_id) == "dec_000000000000002a");
  CHECK(attr<std::string>(r, attrs::task_type) == "code_review");
  CHECK(attr<std::string>(r, attrs::tier) == "moderate");
  CHECK(attr<std::string>(r, attrs::chosen_model) == "large");
  CHECK(attr<std::string>(r, attrs::selection_rule) == "smallest_capable");
  CHECK(attr<std::int64_t>(r, attrs::candidates) == 2);
  CHECK(attr<std::int64_t>(r, attrs::route_round) == 2);
  CHECK(attr<std::int64_t>(r, attrs::fallbacks) == 1);
  CHECK(attr<std::string>(r, attrs::plan_kind) == "chain");
  CHECK(r.find(attrs::parallel) == nullptr);
  CHECK(r.status.code == status_code::unset);

  SECTION("a decision without a model fails the span") {
    engine::decision none;
    auto s = start_span(t.tracer->start_root_trace(),
                        std::string{span_names::route});
    describe_route(s, none, reg, 1);
    s.end();
    auto again = t.recorder->spans();
    REQUIRE(again.size() == 2);
    CHECK(attr<std::string>(again[1], attrs::selection_rule) == "none");
    CHECK(again[1].find(attrs::chosen_model) == nullptr);
    CHECK(again[1].status.code == status_code::error);
  }
}

TEST_CASE("a step span says how the step ended: a cut step is not an error",
          "[telemetry][internal_spans]") {
  recorded_tracing t;
  engine::step_outcome o;
  o.role = "review";
  o.route_as = engine::complexity_tier::complex;
  auto end_as = [&](step_end end) {
    auto s = start_span(t.tracer->start_root_trace(),
                        plan_step_span_name(o.role));
    describe_step(s, 2, o, engine::plan_kind::specialists);
    describe_step_end(s, end);
    s.end();
    return t.recorder->spans().back();
  };
  auto cut = end_as({"cut", "large", 1'500'000, "cancelled"});
  CHECK(cut.name == "switchyard.plan_step review");
  CHECK(attr<std::int64_t>(cut, attrs::step_index) == 2);
  CHECK(attr<std::string>(cut, attrs::step_role) == "review");
  CHECK(attr<std::string>(cut, attrs::step_route_as) == "complex");
  CHECK(attr<std::string>(cut, attrs::plan_kind) == "specialists");
  CHECK(attr<std::string>(cut, attrs::step_outcome) == "cut");
  CHECK(attr<bool>(cut, attrs::step_cut));
  CHECK(attr<std::string>(cut, attrs::step_model) == "large");
  CHECK(attr<double>(cut, attrs::cost_usd) == Approx(0.0015));
  CHECK(cut.status.code == status_code::unset);
  auto failed = end_as({"failed", {}, 0, "upstream_error"});
  CHECK(failed.find(attrs::step_cut) == nullptr);
  CHECK(failed.find(attrs::step_model) == nullptr);
  CHECK(failed.status.code == status_code::error);
  CHECK(failed.status.message == "upstream_error");
}

TEST_CASE("an ensemble span: its plan, then its winner and cut members",
          "[telemetry][internal_spans]") {
  recorded_tracing t;
  auto reg = two_models();
  engine::ensemble_plan e;
  e.members = {0, 1};
  e.has_judge = true;
  e.judge = 0;
  e.quorum = 1;
  e.deadline_ms = 4'500;
  std::vector<std::uint16_t> cut{1};
  {
    auto s = start_span(t.tracer->start_root_trace(),
                        std::string{span_names::ensemble});
    describe_ensemble(s, e, reg);
    describe_ensemble_end(s, 0, cut, true, 3'000, {}, reg);
  }
  {
    auto s = start_span(t.tracer->start_root_trace(),
                        std::string{span_names::ensemble});
    describe_ensemble_end(s, std::nullopt, {}, false, 0,
                          "every ensemble member failed", reg);
  }
  auto spans = t.recorder->spans();
  REQUIRE(spans.size() == 2);
  const auto& ok = spans[0];
  CHECK(attr<std::string>(ok, attrs::ensemble_strategy) == "judge");
  CHECK(attr<std::vector<std::string>>(ok, attrs::ensemble_members)
        == std::vector<std::string>{"small", "large"});
  CHECK(attr<std::int64_t>(ok, attrs::ensemble_quorum) == 1);
  CHECK(attr<double>(ok, attrs::ensemble_deadline) == Approx(4.5));
  CHECK(attr<std::string>(ok, attrs::judge_model) == "small");
  CHECK(attr<std::string>(ok, attrs::ensemble_winner) == "small");
  CHECK(attr<std::vector<std::string>>(ok, attrs::ensemble_cut)
        == std::vector<std::string>{"large"});
  CHECK(attr<bool>(ok, attrs::judge_fallback));
  CHECK(ok.status.code == status_code::unset);
  CHECK(spans[1].status.code == status_code::error);
  CHECK(spans[1].status.message == "every ensemble member failed");
  CHECK(model_id(reg, 7) == "#7");
}

TEST_CASE("untraced or unsampled: the internal spans build nothing",
          "[telemetry][internal_spans]") {
  recorded_tracing t{tracer_options{0.0, false, false}};
  auto reg = two_models();
  engine::decision d;
  auto none = start_span(nullptr, std::string{span_names::route});
  describe_route(none, d, reg, 1);
  describe_plan(none, engine::plan_kind::chain);
  none.end();
  // Ratio 0: a root is never sampled.
  auto unsampled = start_span(t.tracer->start_root_trace(),
                              std::string{span_names::route});
  CHECK(unsampled.active());
  CHECK_FALSE(unsampled.recording());
  describe_route(unsampled, d, reg, 1);
  unsampled.end();
  auto root = root_span::start(t.tracer, std::string{span_names::task});
  CHECK(root.active());
  CHECK_FALSE(root.recording());
  REQUIRE(root.parent());
  CHECK_FALSE(root.parent()->context.sampled());
  root.set(attrs::decision_id, "dec_1").fail("x").end();
  CHECK(t.recorder->spans().empty());
  auto off = root_span::start(nullptr, std::string{span_names::task});
  CHECK_FALSE(off.active());
  CHECK(off.parent() == nullptr);
}

TEST_CASE("a root span starts a trace, parents the work under it and "
          "records once",
          "[telemetry][root_span]") {
  recorded_tracing t;
  auto root = root_span::start(t.tracer, std::string{span_names::task});
  REQUIRE(root.recording());
  auto parent = root.parent();
  REQUIRE(parent);
  CHECK(parent->context.sampled());
  CHECK(parent->decision_id == 0);
  auto child = start_span(parent, std::string{span_names::route});
  t.time->advance(std::chrono::milliseconds{2});
  child.end();
  root.set(attrs::decision_id, "dec_000000000000002a");
  auto moved = std::move(root);
  CHECK_FALSE(root.active());
  t.time->advance(std::chrono::milliseconds{1});
  moved.fail("no_model").end();
  moved.end();
  CHECK(moved.parent() == nullptr);
  auto spans = t.recorder->spans();
  REQUIRE(spans.size() == 2);
  const auto& r = spans[1];
  CHECK(r.name == "switchyard.task");
  CHECK(r.kind == span_kind::internal);
  CHECK_FALSE(r.parent_span_id.valid());
  CHECK(r.span_id == parent->context.span_id);
  CHECK(r.trace_id == parent->context.trace_id);
  CHECK(spans[0].parent_span_id == r.span_id);
  CHECK(r.end_unix_nanos - r.start_unix_nanos == 3'000'000u);
  CHECK(attr<std::string>(r, attrs::decision_id) == "dec_000000000000002a");
  CHECK(r.status.code == status_code::error);
  CHECK(r.status.message == "no_model");
}
