// The per-prompt success predictor inside the runtime, on the test
// scheduler: the scorer featurizes each prompt, feedback trains the
// predictor in the learning actor, refreshed weights reach the scorer, and
// with a store the trained state survives a restart.
#include "feedback_helpers.hpp"

#include "../storage/temp_dir.hpp"

using namespace switchyard;
using namespace switchyard::test;

namespace {

// Two code reviews of the same task type and complexity; users report
// that the chosen model does well on the first kind and badly on the
// second.
const std::string solver_review
  = "Review this pull request diff for bugs in the integral solver";
const std::string poem_review
  = "Review this pull request diff for bugs in the poem formatter";

/// The predicted success of `model` that the decision for `text` read.
template <class Fixture>
double predicted(Fixture& f, const std::string& text, std::uint16_t model) {
  auto d = f.route(f.task(text));
  REQUIRE(d);
  REQUIRE(d->decision.inputs.recorded);
  const auto& p = d->decision.inputs.predicted_success;
  REQUIRE(model < p.size());
  return p[model].probability;
}

} // namespace

TEST_CASE_METHOD(actor_fixture,
                 "feedback trains the success predictor, which routes two "
                 "prompts of one task type to different models",
                 "[actors][learning][predictor]") {
  start();
  auto first = route(task(solver_review));
  auto other = route(task(poem_review));
  REQUIRE(first);
  REQUIRE(other);
  REQUIRE(first->decision.cls.type == other->decision.cls.type);
  REQUIRE(first->decision.cls.tier == other->decision.cls.tier);
  // Before any feedback both go to the same model, and no prediction is
  // read (the predictor is untrained).
  REQUIRE(first->decision.model == other->decision.model);
  auto chosen = first->decision.model;
  for (int i = 0; i < 60; ++i) {
    REQUIRE(answer_and_rate(*this, solver_review, true) == chosen);
    auto m = answer_and_rate(*this, poem_review, false);
    if (m != chosen)
      break; // already routed away
  }
  advance(actors::learning_publish_delay);
  run();
  auto solver = route(task(solver_review));
  auto poem = route(task(poem_review));
  REQUIRE(solver);
  REQUIRE(poem);
  CHECK(solver->decision.model == chosen);
  CHECK(poem->decision.model != chosen);
  // What made the difference is in the logged inputs.
  CHECK(predicted(*this, solver_review, chosen)
        > predicted(*this, poem_review, chosen) + 0.3);
}

TEST_CASE_METHOD(actor_fixture,
                 "the trained success predictor is stored and read back "
                 "after a restart",
                 "[actors][learning][predictor][persistence]") {
  temp_dir dir;
  store = open_store_at(dir.path());
  start();
  std::uint16_t chosen = 0;
  for (int i = 0; i < 30; ++i)
    chosen = answer_and_rate(*this, solver_review, true);
  advance(actors::learning_publish_delay);
  run();
  auto trained = predicted(*this, solver_review, chosen);
  CHECK(trained > 0.6);
  // A clean stop flushes learning, predictor included.
  stop_graph();
  store.reset();
  store = open_store_at(dir.path());
  auto saved = store->load_predictor();
  REQUIRE(saved);
  CHECK_FALSE(saved->empty());
  start();
  run();
  CHECK(predicted(*this, solver_review, chosen) == Approx(trained));
}

TEST_CASE_METHOD(actor_fixture,
                 "without the predictor, decisions read no predictions",
                 "[actors][learning][predictor]") {
  predictor_enabled = false;
  start();
  for (int i = 0; i < 20; ++i)
    answer_and_rate(*this, solver_review, true);
  advance(actors::learning_publish_delay);
  run();
  auto d = route(task(solver_review));
  REQUIRE(d);
  CHECK(d->decision.inputs.predicted_success.empty());
}
