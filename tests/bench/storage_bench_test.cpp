// `switchyard bench storage` run briefly: the report's structure and sanity,
// never its speed (speed is what the benchmark itself reports).

#include "storage_bench.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <filesystem>
#include <string>

using namespace switchyard;

namespace {

void check_sane(const bench::storage_op_result& o, std::uint64_t expected,
                const char* what) {
  INFO(what);
  CHECK(o.operations == expected);
  CHECK(o.per_second > 0.0);
  CHECK(o.p50_us > 0.0);
  CHECK(o.p50_us <= o.p99_us);
  CHECK(o.p99_us <= o.p999_us);
  CHECK(o.p999_us <= o.max_us);
}

} // namespace

TEST_CASE("a short storage benchmark reports every phase",
          "[bench][storage]") {
  auto parent = std::filesystem::temp_directory_path();
  bench::storage_bench_options opts;
  opts.parent_dir = parent.string();
  opts.sequential_feedback = 20;
  opts.group_feedback = 300;
  opts.in_flight = 16;
  opts.decisions = 200;
  opts.synced_decisions = 20;
  opts.reads = 200;
  auto r = bench::run_storage_bench(opts);
  REQUIRE(r.error.empty());
  CHECK(r.decision_bytes > 100);
  CHECK(r.in_flight == 16);
  check_sane(r.feedback_sequential, 20, "feedback one at a time");
  check_sane(r.feedback_group, 300, "feedback in flight");
  check_sane(r.decisions_unsynced, 200, "decision writes");
  check_sane(r.decisions_synced, 20, "synced decision writes");
  check_sane(r.decision_reads, 200, "decision reads");

  // The temporary store is gone afterwards.
  CHECK_FALSE(r.directory.empty());
  CHECK_FALSE(std::filesystem::exists(r.directory));

  // The JSON has every phase with its figures.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(bench::to_json(r)).get(doc) == simdjson::SUCCESS);
  std::string_view name;
  REQUIRE(doc["benchmark"].get(name) == simdjson::SUCCESS);
  CHECK(name == "storage");
  for (auto phase : {"feedback_synced_sequential", "decision_writes_unsynced",
                     "decision_writes_synced", "decision_reads_by_id"}) {
    INFO(phase);
    double v = 0;
    CHECK(doc[phase]["per_second"].get(v) == simdjson::SUCCESS);
    CHECK(v > 0);
    CHECK(doc[phase]["latency_us"]["p999"].get(v) == simdjson::SUCCESS);
  }
  auto group = doc["feedback_synced_group_commit"];
  std::uint64_t in_flight = 0;
  double acked = 0;
  CHECK(group["in_flight"].get(in_flight) == simdjson::SUCCESS);
  CHECK(in_flight == 16);
  CHECK(group["acknowledged_per_second"].get(acked) == simdjson::SUCCESS);
  CHECK(acked > 0);
}

TEST_CASE("a storage benchmark in a directory it cannot write fails clearly",
          "[bench][storage]") {
  bench::storage_bench_options opts;
  opts.parent_dir = "/nonexistent/switchyard-bench-parent";
  auto r = bench::run_storage_bench(opts);
  CHECK_FALSE(r.error.empty());
}
