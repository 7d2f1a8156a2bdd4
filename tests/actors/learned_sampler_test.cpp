// The learned state sampled on the actor clock (the dashboard's chart), on
// the test scheduler: one sample per interval, a bounded ring, the samples
// in the store's ring, and the history back after a restart.

#include "../storage/temp_dir.hpp"
#include "actor_fixture.hpp"
#include "feedback_helpers.hpp"

#include <memory>

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;

namespace {

using samples = std::vector<storage::learned_sample_record>;

samples samples_since(actor_fixture& f, std::int64_t since) {
  auto out = std::make_shared<samples>();
  // Spawned with an argument: CAF 0.17's factory dereferences a null
  // pointer (UB) for argument-less function actors.
  f.sys.spawn(
    [=](caf::event_based_actor* self, actors::learned_sampler_actor sampler) {
      self->request(sampler, caf::infinite, snapshot_atom::value, since)
        .then([=](samples& s) { *out = std::move(s); });
    },
    f.graph.sampler);
  f.run();
  return *out;
}

/// Gives learning something to show: one answered, rated task.
void learn_something(actor_fixture& f) {
  auto p = f.execute(actor_fixture::task("Review this pull request diff"));
  f.run();
  REQUIRE(*p.count == 1);
  engine::feedback_report good;
  good.outcome = engine::feedback_report::verdict::success;
  caf::anon_send(f.graph.learning, feedback_atom::value,
                 feedback_message{(*p.slot)->decision_id, good, {}});
  f.run();
  f.advance(actors::learning_publish_delay);
}

} // namespace

TEST_CASE_METHOD(actor_fixture,
                 "the learned state is sampled once per interval into a "
                 "bounded ring",
                 "[actors][sampler]") {
  sampling = actors::learned_sampling{1000ms, 3};
  start();
  REQUIRE(graph.sampler);
  learn_something(*this);
  // The first sample was taken at start, before anything was learned.
  auto first = samples_since(*this, 0);
  REQUIRE(first.size() == 1);
  CHECK(first.front().cells.empty());
  advance(1000ms);
  auto two = samples_since(*this, 0);
  REQUIRE(two.size() == 2);
  // The next sample comes an interval after the last (the fixture's clock
  // moved past it while learning published).
  CHECK(two.back().unix_ms - two.front().unix_ms
        == 1000 + actors::learning_publish_delay.count());
  REQUIRE_FALSE(two.back().cells.empty());
  CHECK(two.back().cells.front().samples > 0);
  // Only samples newer than `since`; the ring keeps the newest three.
  CHECK(samples_since(*this, two.front().unix_ms).size() == 1);
  advance(1000ms);
  advance(1000ms);
  advance(1000ms);
  auto ring = samples_since(*this, 0);
  REQUIRE(ring.size() == 3);
  // Five samples taken: the first two were dropped.
  CHECK(ring.front().unix_ms == two.back().unix_ms + 1000);
  CHECK(ring.back().unix_ms == two.back().unix_ms + 3000);
}

TEST_CASE_METHOD(actor_fixture,
                 "learned samples go to the store and come back after a "
                 "restart",
                 "[actors][sampler][persistence]") {
  temp_dir dir;
  store = open_store_at(dir.path(), [this] { return wall_now_ms(); });
  sampling = actors::learned_sampling{1000ms, 10};
  start();
  learn_something(*this);
  advance(1000ms);
  advance(1000ms);
  auto before = samples_since(*this, 0);
  REQUIRE(before.size() == 3);
  auto stored = store->load_learned_samples();
  REQUIRE(stored);
  CHECK(stored->size() == 3);

  stop_graph();
  wall_epoch_ms += 60'000;
  start();
  auto after = samples_since(*this, 0);
  // The three from before, then the one taken at this start.
  REQUIRE(after.size() == 4);
  for (std::size_t i = 0; i < 3; ++i)
    CHECK(after[i].unix_ms == before[i].unix_ms);
  CHECK(after.back().unix_ms > before.back().unix_ms);
}
