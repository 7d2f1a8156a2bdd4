// Learning with a store, on the test scheduler: state rebuilt at start, and
// decay on the wall clock, so a restart two weeks later sees the evidence
// halved twice.
#include "feedback_helpers.hpp"

#include "../storage/temp_dir.hpp"

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;

TEST_CASE_METHOD(actor_fixture,
                 "learned state is rebuilt from the store and decays on wall "
                 "time across a restart",
                 "[actors][learning][persistence]") {
  temp_dir dir;
  store = open_store_at(dir.path(), [this] { return wall_now_ms(); });
  start();
  auto sonnet = index("claude-sonnet-4");
  for (int i = 0; i < 20; ++i) {
    auto p = execute(task("Review this pull request diff for bugs"));
    run();
    REQUIRE(*p.count == 1);
    REQUIRE((*p.slot)->model == sonnet);
    engine::feedback_report bad;
    bad.outcome = engine::feedback_report::verdict::failure;
    caf::anon_send(graph.learning, feedback_atom::value,
                   feedback_message{(*p.slot)->decision_id, bad, {}});
  }
  run();
  advance(actors::learning_publish_delay);
  auto before = route(task("Review this pull request diff for bugs"));
  REQUIRE(before);
  REQUIRE(before->decision.inputs.recorded);
  const auto& fresh = before->decision.inputs.performance.at(sonnet);
  CHECK(fresh.samples == Approx(40.0).epsilon(1e-4)); // 20 calls, 20 feedback
  auto last_id = before->decision_id;

  stop_graph();
  // Two half-lives later, on the wall clock.
  wall_epoch_ms += 14 * 24 * 3600 * 1000ll;
  start();
  auto after = route(task("Review this pull request diff for bugs"));
  REQUIRE(after);
  const auto& aged = after->decision.inputs.performance.at(sonnet);
  CHECK(aged.samples == Approx(fresh.samples / 4).epsilon(1e-4));
  CHECK(aged.confidence < fresh.confidence);
  CHECK(aged.success == Approx(fresh.success));
  // Decision ids continue above the ones logged before the restart.
  CHECK(after->decision_id > last_id);
  auto logged = store->get_decision(last_id);
  REQUIRE(logged);
  CHECK_FALSE(logged->execute);
}
