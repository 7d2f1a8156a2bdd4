#include "switchyard/telemetry/id_generator.hpp"
#include "switchyard/telemetry/sampler.hpp"
#include "switchyard/telemetry/start_context.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <thread>
#include <vector>

using namespace switchyard::telemetry;

namespace {

/// A trace id whose randomness (rightmost 7 bytes) is `r`, other bytes set.
trace_id with_randomness(std::uint64_t r) {
  trace_id id;
  id.bytes.fill(0xab);
  for (int i = 0; i < 7; ++i)
    id.bytes[15 - i] = static_cast<std::uint8_t>(r >> (8 * i));
  return id;
}

constexpr std::uint64_t two_56 = std::uint64_t{1} << 56;

trace_context parent_with(std::uint8_t flags) {
  trace_context p;
  p.trace_id = with_randomness(0);
  p.span_id.bytes.fill(1);
  p.flags = flags;
  return p;
}

} // namespace

TEST_CASE("sampler: a parent's sampled flag decides, whatever the ratio") {
  auto id = with_randomness(0); // the least likely root to be sampled
  auto sampled = parent_with(sampled_flag);
  auto unsampled = parent_with(0);
  for (double ratio : {0.0, 0.5, 1.0}) {
    sampler s{ratio};
    INFO(ratio);
    CHECK(s.should_sample(&sampled, id));
    CHECK_FALSE(s.should_sample(&unsampled, with_randomness(two_56 - 1)));
  }
}

TEST_CASE("sampler: ratio 1 samples every root, ratio 0 none") {
  sampler all{1.0};
  sampler none{0.0};
  CHECK(all.rejection_threshold() == 0);
  CHECK(none.rejection_threshold() == two_56);
  for (auto r : {std::uint64_t{0}, std::uint64_t{1}, two_56 / 2, two_56 - 1}) {
    CHECK(all.should_sample(nullptr, with_randomness(r)));
    CHECK_FALSE(none.should_sample(nullptr, with_randomness(r)));
  }
}

TEST_CASE("sampler: a root is sampled when its randomness reaches the "
          "threshold") {
  // OpenTelemetry's TraceIdRatioBased: T = (1 - ratio) * 2^56, sample R >= T.
  sampler half{0.5};
  CHECK(half.rejection_threshold() == two_56 / 2);
  CHECK(half.sample_root(with_randomness(two_56 / 2)));
  CHECK_FALSE(half.sample_root(with_randomness(two_56 / 2 - 1)));
  sampler quarter{0.25};
  CHECK(quarter.rejection_threshold() == two_56 / 4 * 3);
  CHECK(quarter.sample_root(with_randomness(two_56 / 4 * 3)));
  CHECK_FALSE(quarter.sample_root(with_randomness(two_56 / 4 * 3 - 1)));
  // Only the rightmost 7 bytes count.
  auto id = with_randomness(two_56 - 1);
  id.bytes[0] = 0;
  id.bytes[8] = 0;
  CHECK(quarter.sample_root(id));
}

TEST_CASE("sampler: out-of-range ratios are clamped, NaN samples no root") {
  CHECK(sampler{2.0}.ratio() == 1.0);
  CHECK(sampler{-1.0}.ratio() == 0.0);
  sampler nan{std::nan("")};
  CHECK(nan.ratio() == 0.0);
  CHECK_FALSE(nan.sample_root(with_randomness(two_56 - 1)));
}

TEST_CASE("sampler: decisions are deterministic, consistent across ratios "
          "and close to the ratio") {
  id_generator ids{7};
  std::vector<trace_id> traces;
  for (int i = 0; i < 20000; ++i)
    traces.push_back(ids.next_trace_id());
  sampler low{0.1};
  sampler high{0.3};
  int low_count = 0;
  int high_count = 0;
  for (const auto& id : traces) {
    bool l = low.sample_root(id);
    bool h = high.sample_root(id);
    CHECK(l == sampler{0.1}.sample_root(id));
    // Sampled at 0.1 implies sampled at 0.3.
    if (l)
      CHECK(h);
    low_count += l;
    high_count += h;
  }
  // Seeded, so fixed; the bounds are several standard deviations wide.
  CHECK(low_count > 1800);
  CHECK(low_count < 2200);
  CHECK(high_count > 5700);
  CHECK(high_count < 6300);
}

TEST_CASE("sampler: describes itself as OpenTelemetry samplers do") {
  CHECK(sampler{0.25}.description()
        == "ParentBased{root=TraceIdRatioBased{0.250000}}");
}

TEST_CASE("ids: a seeded generator repeats, ids are never zero") {
  id_generator a{42};
  id_generator b{42};
  for (int i = 0; i < 1000; ++i) {
    auto t = a.next_trace_id();
    CHECK(t == b.next_trace_id());
    CHECK(t.valid());
    auto s = a.next_span_id();
    CHECK(s == b.next_span_id());
    CHECK(s.valid());
  }
}

TEST_CASE("ids: each thread's generator makes its own ids") {
  std::vector<trace_id> here;
  for (int i = 0; i < 100; ++i)
    here.push_back(thread_id_generator().next_trace_id());
  std::vector<trace_id> there;
  std::thread t{[&] {
    for (int i = 0; i < 100; ++i)
      there.push_back(thread_id_generator().next_trace_id());
  }};
  t.join();
  std::set<std::string> seen;
  for (const auto& id : here)
    seen.insert(id.to_hex());
  for (const auto& id : there)
    seen.insert(id.to_hex());
  CHECK(seen.size() == 200);
}

TEST_CASE("start_context: a root gets fresh ids, the random flag and the "
          "sampler's decision") {
  id_generator ids{1};
  auto on = start_root_context(sampler{1.0}, ids);
  CHECK(on.valid());
  CHECK(on.sampled());
  CHECK((on.flags & random_flag) != 0);
  CHECK(on.trace_state.empty());
  auto off = start_root_context(sampler{0.0}, ids);
  CHECK(off.valid());
  CHECK_FALSE(off.sampled());
  CHECK(off.flags == random_flag);
  CHECK(off.trace_id != on.trace_id);
}

TEST_CASE("start_context: a child keeps the trace, flags and tracestate") {
  id_generator ids{2};
  auto incoming = parse_trace_context(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "congo=t61");
  REQUIRE(incoming);
  // Ratio 0: the incoming sampled flag still wins.
  auto ctx = start_context(incoming, sampler{0.0}, ids);
  CHECK(ctx.trace_id == incoming->trace_id);
  CHECK(ctx.span_id != incoming->span_id);
  CHECK(ctx.span_id.valid());
  CHECK(ctx.sampled());
  CHECK(ctx.trace_state == "congo=t61");
  auto unsampled = parse_trace_context(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  CHECK_FALSE(start_context(unsampled, sampler{1.0}, ids).sampled());
  // No incoming context: a root.
  auto root = start_context(std::nullopt, sampler{1.0}, ids);
  CHECK(root.trace_id != incoming->trace_id);
  CHECK(root.sampled());
}
