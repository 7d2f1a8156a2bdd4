#include "span_recorder.hpp"

#include "switchyard/telemetry/active_span.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::telemetry;
using switchyard::testing::recorded_tracing;

namespace {

constexpr std::string_view caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view caller_span = "00f067aa0ba902b7";

std::string traceparent(std::string_view flags) {
  return "00-" + std::string{caller_trace} + "-" + std::string{caller_span}
         + "-" + std::string{flags};
}

template <class T>
T attr(const span& s, std::string_view key) {
  auto* v = s.find(key);
  REQUIRE(v != nullptr);
  REQUIRE(std::holds_alternative<T>(*v));
  return std::get<T>(*v);
}

} // namespace

TEST_CASE("a request's trace continues the caller's and follows its "
          "sampled flag",
          "[telemetry][tracer]") {
  recorded_tracing t{tracer_options{0.0, false, false}};
  span_id remote;
  SECTION("a sampled traceparent is sampled even at ratio 0") {
    auto p = t.tracer->start_request_trace(traceparent("01"), "vendor=x",
                                           remote);
    REQUIRE(p);
    CHECK(p->context.trace_id.to_hex() == caller_trace);
    CHECK(p->context.span_id.to_hex() != caller_span);
    CHECK(remote.to_hex() == caller_span);
    CHECK(p->context.sampled());
    CHECK(p->context.trace_state == "vendor=x");
    CHECK(p->tracer == t.tracer);
    CHECK(p->decision_id == 0);
  }
  SECTION("an unsampled traceparent is not sampled") {
    auto p = t.tracer->start_request_trace(traceparent("00"), {}, remote);
    CHECK(p->context.trace_id.to_hex() == caller_trace);
    CHECK_FALSE(p->context.sampled());
  }
  SECTION("without one (or a malformed one) a root is sampled at the "
          "ratio") {
    auto p = t.tracer->start_request_trace("00-nonsense", "a=b", remote);
    CHECK(p->context.valid());
    CHECK(p->context.trace_id.to_hex() != caller_trace);
    CHECK_FALSE(remote.valid());
    CHECK(p->context.trace_state.empty());
    CHECK_FALSE(p->context.sampled()); // ratio 0
    recorded_tracing all;
    CHECK(all.tracer->start_request_trace({}, {}, remote)->context.sampled());
    CHECK(all.tracer->start_root_trace()->context.sampled());
  }
}

TEST_CASE("the tracer dates spans by the wall clock read once plus "
          "monotonic time",
          "[telemetry][tracer]") {
  recorded_tracing t;
  CHECK(t.tracer->now_unix_nanos() == 1'000'000'000'000ull);
  t.time->advance(std::chrono::milliseconds{250});
  // A wall clock step does not move span times.
  t.time->set_wall_ms(5);
  CHECK(t.tracer->now_unix_nanos() == 1'000'250'000'000ull);
}

TEST_CASE("active_span records once, on end, with its parent and decision",
          "[telemetry][active_span]") {
  recorded_tracing t;
  span_id remote;
  auto server = t.tracer->start_request_trace(traceparent("01"), {}, remote);
  auto decided = with_decision(server, 42);
  REQUIRE(decided != server);
  CHECK(decided->decision_id == 42);
  CHECK(with_decision(decided, 42) == decided);
  CHECK(with_decision(nullptr, 42) == nullptr);

  auto s = start_span(decided, "route");
  REQUIRE(s.active());
  CHECK(s.recording());
  s.set(attrs::task_type, "code_generation").set(attrs::candidates, 7);
  t.time->advance(std::chrono::milliseconds{3});
  auto child = s.as_parent();
  REQUIRE(child);
  CHECK(child == s.as_parent());
  CHECK(child->context.span_id == s.context()->span_id);
  CHECK(child->decision_id == 42);
  auto moved = std::move(s);
  CHECK_FALSE(s.active());
  moved.fail("no model fits");
  moved.end();
  moved.end();
  CHECK_FALSE(moved.active());
  auto spans = t.recorder->spans();
  REQUIRE(spans.size() == 1);
  const auto& r = spans.front();
  CHECK(r.name == "route");
  CHECK(r.kind == span_kind::internal);
  CHECK(r.trace_id == server->context.trace_id);
  CHECK(r.parent_span_id == server->context.span_id);
  CHECK(r.end_unix_nanos - r.start_unix_nanos == 3'000'000u);
  CHECK(attr<std::string>(r, attrs::decision_id) == "dec_000000000000002a");
  CHECK(decision_id_text(~0ull) == "dec_ffffffffffffffff");
  CHECK(attr<std::string>(r, attrs::task_type) == "code_generation");
  CHECK(attr<std::int64_t>(r, attrs::candidates) == 7);
  CHECK(r.status.code == status_code::error);
  CHECK(r.status.message == "no model fits");
}

TEST_CASE("active_span: a destroyed one ends, an untraced or unsampled one "
          "records nothing",
          "[telemetry][active_span]") {
  recorded_tracing t;
  span_id remote;
  {
    auto s = start_span(t.tracer->start_root_trace(), "plan_step critic");
  }
  CHECK(t.recorder->spans().size() == 1);
  auto none = start_span(nullptr, "route");
  CHECK_FALSE(none.active());
  CHECK(none.context() == nullptr);
  CHECK(none.as_parent() == nullptr);
  none.set(attrs::tier, "complex").end();
  auto unsampled = start_span(
    t.tracer->start_request_trace(traceparent("00"), {}, remote), "route");
  CHECK(unsampled.active());
  CHECK_FALSE(unsampled.recording());
  // Its context still travels (upstreams get an unsampled traceparent).
  REQUIRE(unsampled.as_parent());
  CHECK_FALSE(unsampled.as_parent()->context.sampled());
  unsampled.end();
  CHECK(t.recorder->spans().size() == 1);
}
