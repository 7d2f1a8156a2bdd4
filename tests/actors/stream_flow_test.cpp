// Streamed tasks at actor level, submitted as the runtime submits them
// (through the completion handler), on simulated time: the answer arrives
// as events, a failure before the first byte falls back, a failure after it
// fails the task, and a budget cut ends the answer with what was streamed.

#include "actor_fixture.hpp"

#include <string>
#include <utility>
#include <vector>

using namespace switchyard;
using namespace switchyard::test;
using engine::call_error;

namespace {

/// What the caller saw of a stream.
struct seen_events {
  std::vector<std::string> models;
  std::string text;
};

std::function<void(const stream_event&)> collect(seen_events& seen) {
  return [&seen](const stream_event& e) {
    seen.models.emplace_back(e.model);
    seen.text += e.chunk.delta;
  };
}

/// Streams "one ", "two ", "three " (with usage 10, 20, 30) and answers
/// with the whole text.
void stream_three(fake_provider& f) {
  f.chunks = [](const engine::call_request&, std::size_t) {
    return std::vector<fake_provider::scripted_chunk>{
      {"one ", 10}, {"two ", 20}, {"three ", 30}};
  };
  f.script = [](const engine::call_request& r, std::size_t) {
    auto a = fake_provider::answer(r);
    a.text = "one two three ";
    a.output_tokens = 30;
    return a;
  };
}

constexpr const char* review = "Review this pull request diff for bugs";

/// The model the review task is routed to, and its first fallback.
std::pair<engine::model_spec, engine::model_spec>
chosen_and_first_fallback(actor_fixture& f) {
  auto d = f.route(actor_fixture::task(review));
  REQUIRE(d);
  REQUIRE_FALSE(d->decision.fallbacks.empty());
  return {f.model(d->decision.model), f.model(d->decision.fallbacks[0])};
}

} // namespace

TEST_CASE_METHOD(actor_fixture,
                 "a streamed task answers chunk by chunk, then "
                 "once",
                 "[actors][stream]") {
  on_fake = [](const std::string&, fake_provider& f) {
    stream_three(f);
  };
  start();
  seen_events seen;
  auto p = execute(task(review), collect(seen));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(seen.text == "one two three ");
  REQUIRE(seen.models.size() == 3);
  CHECK(seen.models[0] == model(r.model).id);
  CHECK(r.text == "one two three ");
  // The executor was asked for a stream.
  REQUIRE(fake(model(r.model).provider).started.size() == 1);
  CHECK(fake(model(r.model).provider).started[0].request.stream);
}

TEST_CASE_METHOD(actor_fixture,
                 "a stream that fails before its first byte "
                 "falls back",
                 "[actors][stream]") {
  start();
  auto [first, next] = chosen_and_first_fallback(*this);
  REQUIRE(first.provider != next.provider);
  fake(first.provider).script = [](const engine::call_request& r, std::size_t) {
    return fake_provider::failure(r, call_error::malformed);
  };
  stream_three(fake(next.provider));
  seen_events seen;
  auto p = execute(task(review), collect(seen));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(model(r.model).id == next.id);
  CHECK(seen.text == "one two three ");
  for (const auto& m : seen.models)
    CHECK(m == next.id);
  REQUIRE(r.attempts.size() == 2);
  CHECK(r.attempts[0].error == call_error::malformed);
}

TEST_CASE_METHOD(actor_fixture,
                 "a stream that fails after its first byte "
                 "fails the task without a fallback",
                 "[actors][stream]") {
  start();
  auto [first, next] = chosen_and_first_fallback(*this);
  auto& f = fake(first.provider);
  f.chunks = [](const engine::call_request&, std::size_t) {
    return std::vector<fake_provider::scripted_chunk>{{"partial ", {}}};
  };
  f.script = [](const engine::call_request& r, std::size_t) {
    auto out = fake_provider::failure(r, call_error::truncated);
    out.error_message = "the stream ended without its final event";
    return out;
  };
  seen_events seen;
  auto p = execute(task(review), collect(seen));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  CHECK(r.error == error_code::no_candidate);
  CHECK(r.error_message
        == first.id
             + " failed mid-stream: the stream ended without its final event");
  CHECK(seen.text == "partial ");
  // Truncated is retryable, but not once the caller has bytes.
  CHECK(f.started.size() == 1);
  if (next.provider != first.provider)
    CHECK(fake(next.provider).started.empty());
  CHECK(r.attempts.size() == 1);
}

TEST_CASE_METHOD(actor_fixture,
                 "a stream cut at the caller's output cap "
                 "answers with what was streamed",
                 "[actors][stream]") {
  on_fake = [](const std::string&, fake_provider& f) {
    stream_three(f);
  };
  start();
  auto t = task(review);
  t.max_output_tokens = 15;
  seen_events seen;
  auto p = execute(t, collect(seen));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  // The second chunk passed the cap: the cut keeps it, drops the third.
  CHECK(seen.text == "one two ");
  CHECK(r.text == "one two ");
  CHECK(r.finish_reason == "length");
  REQUIRE(r.attempts.size() == 1);
  CHECK(r.attempts[0].error == call_error::budget_exceeded);
}
