// Feedback rates the answer the caller got: when another model than the
// first one routed wrote it (a fallback, a plan's final step), the stored
// feedback and what learning takes from it name that model.

#include "../storage/temp_dir.hpp"
#include "actor_fixture.hpp"
#include "feedback_helpers.hpp"

using namespace switchyard;
using namespace switchyard::test;
using engine::call_error;

namespace {

constexpr const char* review = "Review this pull request diff for bugs";

/// Reports failure on `id` and returns the model its stored feedback names.
std::string rated_model(actor_fixture& f, std::uint64_t id) {
  engine::feedback_report bad;
  bad.outcome = engine::feedback_report::verdict::failure;
  caf::anon_send(f.graph.learning, feedback_atom::value,
                 feedback_message{id, bad, {}});
  f.run();
  auto stored = f.store->feedback_for(id);
  REQUIRE(stored);
  REQUIRE(stored->size() == 1);
  return stored->front().model;
}

} // namespace

TEST_CASE_METHOD(actor_fixture,
                 "feedback rates the model that answered, not the first one "
                 "routed",
                 "[actors][learning][plan]") {
  temp_dir dir;
  store = open_store_at(dir.path(), [this] { return wall_now_ms(); });
  start();
  // Sonnet takes code reviews; its provider fails every call, so another
  // model answers.
  fake("anthropic").script = [](const engine::call_request& r, std::size_t) {
    return fake_provider::failure(r, call_error::malformed);
  };

  SECTION("a fallback's answer") {
    auto p = execute(task(review));
    run();
    REQUIRE(*p.count == 1);
    const auto& r = **p.slot;
    REQUIRE(r.ok());
    REQUIRE(model(r.decision.model).id == "claude-sonnet-4");
    REQUIRE(model(r.model).provider != "anthropic");
    CHECK(rated_model(*this, r.decision_id) == model(r.model).id);
  }
  SECTION("a plan's final step") {
    auto t = task(review);
    t.plan = engine::plan_kind::chain;
    auto p = execute(std::move(t));
    run();
    REQUIRE(*p.count == 1);
    const auto& r = **p.slot;
    REQUIRE(r.ok());
    REQUIRE(r.plan == engine::plan_kind::chain);
    REQUIRE(model(r.model).provider != "anthropic");
    CHECK(rated_model(*this, r.decision_id) == model(r.model).id);
  }
  SECTION("the routed model's own answer") {
    fake("anthropic").script = {};
    auto p = execute(task(review));
    run();
    REQUIRE(*p.count == 1);
    REQUIRE(model((*p.slot)->model).id == "claude-sonnet-4");
    CHECK(rated_model(*this, (*p.slot)->decision_id) == "claude-sonnet-4");
  }
}
