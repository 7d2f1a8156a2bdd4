#pragma once

// Shared by the learning tests on the actor fixture: executing a task and
// rating its answer, and opening a store on the fixture's wall clock.

#include "switchyard/clock/function_time.hpp"
#include "actor_fixture.hpp"

#include <functional>
#include <memory>
#include <string>

namespace switchyard::test {

/// Executes `text` and reports `good` feedback on the answer; the model
/// that answered.
template <class Fixture>
std::uint16_t answer_and_rate(Fixture& f, const std::string& text, bool good) {
  auto p = f.execute(f.task(text));
  f.run();
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  engine::feedback_report r;
  r.outcome = good ? engine::feedback_report::verdict::success
                   : engine::feedback_report::verdict::failure;
  caf::anon_send(f.graph.learning, feedback_atom::value,
                 feedback_message{(*p.slot)->decision_id, r, {}});
  f.run();
  return (*p.slot)->model;
}

/// A store at `path` whose retention runs on `clock` (the graph's wall
/// clock, so decisions the fixture made are not past retention); the
/// system clock when none is given.
inline std::shared_ptr<storage::store>
open_store_at(const std::string& path,
              std::function<std::int64_t()> clock = {}) {
  storage::store_options o;
  o.path = path;
  if (clock)
    o.time = std::make_shared<function_time>(std::move(clock));
  auto s = storage::store::open(std::move(o));
  REQUIRE(s);
  return std::shared_ptr<storage::store>{std::move(*s)};
}

} // namespace switchyard::test
