#include "switchyard/telemetry/span_queue.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace switchyard::telemetry;

namespace {

span named(int i) {
  span s;
  s.name = "s" + std::to_string(i);
  return s;
}

} // namespace

TEST_CASE("span queue: bounded, first in first out, across the wrap") {
  span_queue q{3};
  CHECK(q.capacity() == 3);
  CHECK(q.empty());
  CHECK(q.push(named(1)));
  CHECK(q.push(named(2)));
  CHECK(q.push(named(3)));
  CHECK(q.full());
  auto extra = named(4);
  CHECK_FALSE(q.push(std::move(extra)));
  CHECK(extra.name == "s4"); // refused: left untouched
  std::vector<span> out;
  CHECK(q.pop_into(out, 2) == 2);
  CHECK(q.push(named(4)));
  CHECK(q.push(named(5)));
  CHECK_FALSE(q.push(named(6)));
  CHECK(q.pop_into(out, 10) == 3);
  CHECK(q.empty());
  REQUIRE(out.size() == 5);
  for (int i = 0; i < 5; ++i)
    CHECK(out[static_cast<std::size_t>(i)].name == "s" + std::to_string(i + 1));
  CHECK(q.pop_into(out, 10) == 0);
}

TEST_CASE("span queue: a zero capacity holds one span") {
  span_queue q{0};
  CHECK(q.capacity() == 1);
  CHECK(q.push(named(1)));
  CHECK_FALSE(q.push(named(2)));
}
