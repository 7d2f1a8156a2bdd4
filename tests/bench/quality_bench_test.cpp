#include "planted_topics.hpp"
#include "quality_bench.hpp"
#include "switchyard/config/registry_loader.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <simdjson.h>
#include <sstream>
#include <string>

using namespace switchyard;

namespace {

constexpr std::string_view registry_yaml = R"(version: 1
providers:
  north: {kind: openai, base_url: "http://127.0.0.1:1/v1"}
  south: {kind: anthropic, base_url: "http://127.0.0.1:2"}
  east: {kind: gemini, base_url: "http://127.0.0.1:3"}
models:
  - id: big
    provider: north
    upstream: big
    quality: 0.9
    cost_per_1k: {input: 0.01, output: 0.03}
    context_window: 100000
    p50_latency_ms: 500
    tokens_per_second: 50
    capabilities: [json, streaming]
  - id: vendor/mid-1
    provider: south
    upstream: mid
    quality: 0.7
    cost_per_1k: {input: 0.001, output: 0.003}
    context_window: 100000
    p50_latency_ms: 300
    tokens_per_second: 80
    capabilities: [json, streaming]
  - id: small
    provider: east
    upstream: small
    quality: 0.5
    cost_per_1k: {input: 0.0001, output: 0.0003}
    context_window: 100000
    p50_latency_ms: 200
    tokens_per_second: 100
    capabilities: [json, streaming]
policy:
  prefer_local: false
  max_cost_per_task_usd: 1.0
  max_latency_per_call_s: 120
)";

engine::registry test_registry() {
  auto r = config::parse_registry(registry_yaml, "test-registry.yaml",
                                  [](std::string_view) {
                                    return std::optional<std::string>{};
                                  });
  if (!r.registry) {
    for (const auto& e : r.errors)
      UNSCOPED_INFO(e.to_string());
    FAIL("the test registry does not load");
  }
  return std::move(*r.registry);
}

std::string data_path(std::string_view name) {
  std::filesystem::path dir{SWITCHYARD_TEST_DATA_DIR};
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  REQUIRE(out.good());
}

/// Three categories, one planted best model each: `big` (the priciest) on
/// math, `vendor/mid-1` on poetry, `small` on trivia. `big` is fair
/// elsewhere, so it is the best single model. Seeded: the same file every
/// time.
std::string synthetic_jsonl(std::size_t per_category, std::uint32_t seed) {
  struct category {
    const char* name;
    std::array<const char*, 6> words;
    std::array<double, 3> success; // big, mid, small
  };
  const std::array<category, 3> categories{{
    {"math",
     {"integral", "derivative", "equation", "solve", "matrix", "prime"},
     {0.95, 0.25, 0.15}},
    {"poetry",
     {"sonnet", "rhyme", "verse", "stanza", "meter", "haiku"},
     {0.6, 0.95, 0.2}},
    {"trivia",
     {"capital", "river", "country", "largest", "founded", "city"},
     {0.6, 0.3, 0.95}},
  }};
  constexpr std::array filler{"please", "the",   "of",    "what",   "is",
                              "a",      "which", "about", "answer", "this"};
  constexpr std::array<double, 3> usd_per_token{2e-5, 2e-6, 2e-7};
  std::mt19937 rng{seed};
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<std::size_t> pick_word(0, 5);
  std::uniform_int_distribution<std::size_t> pick_filler(0, filler.size() - 1);
  std::ostringstream out;
  for (std::size_t i = 0; i < per_category; ++i) {
    for (const auto& c : categories) {
      std::string prompt;
      for (int w = 0; w < 8; ++w) {
        prompt += (w % 2 == 0) ? c.words[pick_word(rng)]
                               : filler[pick_filler(rng)];
        prompt += ' ';
      }
      out << R"({"id": ")" << c.name << '-' << i << R"(", "prompt": ")"
          << prompt << R"(", "category": "synthetic/)" << c.name
          << R"(", "outcomes": {)";
      const std::array<const char*, 3> models{"big", "vendor/mid-1", "small"};
      for (std::size_t m = 0; m < 3; ++m) {
        auto tokens = 40.0 + 10.0 * u(rng);
        out << (m > 0 ? ", " : "") << '"' << models[m] << R"(": {"score": )"
            << (u(rng) < c.success[m] ? "1.0" : "0.0") << R"(, "cost_usd": )"
            << tokens * usd_per_token[m] << R"(, "output_tokens": 30})";
      }
      out << "}}\n";
    }
  }
  return out.str();
}

struct loaded_data {
  engine::registry reg = test_registry();
  std::vector<bench::quality_record> train;
  std::vector<bench::quality_record> test;
};

loaded_data load_synthetic(std::string_view name) {
  loaded_data d;
  auto path = data_path(name);
  write_file(path, synthetic_jsonl(150, 5));
  auto all = bench::read_quality_jsonl(path, d.reg, "test-registry.yaml");
  REQUIRE(all.error.empty());
  REQUIRE(all.records.size() == 450);
  bench::split_by_id(std::move(all.records), 0.8, d.train, d.test);
  return d;
}

void check_bounds(const bench::quality_bench_result& r) {
  REQUIRE(r.error.empty());
  for (const auto& m : r.models) {
    CHECK(m.accuracy >= 0.0);
    CHECK(m.accuracy <= 1.0);
    CHECK(m.accuracy <= r.best_single.accuracy);
    CHECK(m.accuracy <= r.oracle.accuracy);
    CHECK(m.cost_usd >= r.cheapest.cost_usd);
  }
  CHECK(r.best_single.model == "big");
  CHECK(r.cheapest.model == "small");
  CHECK(r.oracle.cost_usd <= r.best_single.cost_usd);
  CHECK(r.router.accuracy >= 0.0);
  CHECK(r.router.accuracy <= r.oracle.accuracy);
  CHECK(r.unrouted == 0);
  REQUIRE(r.curve.size() == 51);
  for (const auto& p : r.curve) {
    CHECK(p.accuracy <= r.oracle.accuracy);
    CHECK(p.accuracy >= r.weakest.accuracy - 0.2);
    CHECK(p.share_of_best >= 0.0);
    CHECK(p.share_of_best <= 1.0);
    CHECK(p.cost_usd >= 0.0);
  }
  REQUIRE(r.apgr);
  CHECK(r.per_category.size() == 3);
}

} // namespace

TEST_CASE("the split is a deterministic hash of the id", "[quality]") {
  std::vector<bench::quality_record> records(1000);
  for (std::size_t i = 0; i < records.size(); ++i)
    records[i].id = "record-" + std::to_string(i);
  std::vector<bench::quality_record> a_train, a_test, b_train, b_test;
  bench::split_by_id(records, 0.8, a_train, a_test);
  // The same ids in another order split the same way.
  std::reverse(records.begin(), records.end());
  bench::split_by_id(records, 0.8, b_train, b_test);
  REQUIRE(a_train.size() == b_train.size());
  CHECK(a_train.size() > 750);
  CHECK(a_train.size() < 850);
  for (const auto& r : a_test)
    CHECK(bench::id_fraction(r.id) >= 0.8);
  CHECK(bench::id_fraction("x") == bench::id_fraction("x"));
  CHECK(bench::id_fraction("x", 1) != bench::id_fraction("x", 2));
}

TEST_CASE("offline replay of planted data reports every figure", "[quality]") {
  auto d = load_synthetic("offline.jsonl");
  bench::quality_bench_options opts;
  auto r = bench::run_quality_bench(d.reg, d.train, d.test, opts);
  check_bounds(r);
  CHECK(r.train_records == d.train.size());
  CHECK(r.test_records == d.test.size());
  // Each category has its own best model and the prompts tell them apart:
  // the router beats every single model at a fraction of the best's cost.
  CHECK(r.router.accuracy > r.best_single.accuracy);
  CHECK(r.router.cost_usd < 0.5 * r.best_single.cost_usd);
  CHECK(*r.apgr > 0.6);
  REQUIRE(r.at_95pct_of_best);
  CHECK(r.at_95pct_of_best->cost_usd < r.best_single.cost_usd);
  // The planted best model gets most of its category.
  for (const auto& c : r.per_category) {
    INFO(c.category);
    CHECK(c.router.accuracy > 0.75);
  }

  // Without the predictor, per-task-type learning cannot tell the
  // categories apart (the classifier sees one task type).
  opts.use_predictor = false;
  auto plain = bench::run_quality_bench(d.reg, d.train, d.test, opts);
  REQUIRE(plain.error.empty());
  CHECK(plain.router.accuracy < r.router.accuracy);

  // The same inputs give the same report.
  opts.use_predictor = true;
  CHECK(bench::to_json(bench::run_quality_bench(d.reg, d.train, d.test, opts))
        == bench::to_json(r));
}

TEST_CASE("online replay learns only from the routed model", "[quality]") {
  auto d = load_synthetic("online.jsonl");
  bench::quality_bench_options opts;
  opts.mode = bench::quality_mode::online;
  auto r = bench::run_quality_bench(d.reg, d.train, d.test, opts);
  check_bounds(r);
  CHECK(r.mode == bench::quality_mode::online);
}

TEST_CASE("the JSON report has the documented fields", "[quality]") {
  auto d = load_synthetic("json.jsonl");
  auto r = bench::run_quality_bench(d.reg, d.train, d.test, {});
  REQUIRE(r.error.empty());
  auto text = bench::to_json(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
  auto number = [&](std::string_view pointer) {
    double v = -1.0;
    INFO(pointer);
    REQUIRE(doc.at_pointer(pointer).get(v) == simdjson::SUCCESS);
    return v;
  };
  auto string = [&](std::string_view pointer) {
    std::string_view v;
    INFO(pointer);
    REQUIRE(doc.at_pointer(pointer).get(v) == simdjson::SUCCESS);
    return std::string{v};
  };
  CHECK(number("/router/accuracy") == Approx(r.router.accuracy));
  CHECK(number("/router/cost_usd") == Approx(r.router.cost_usd));
  CHECK(string("/best_single/model") == "big");
  number("/best_single/accuracy");
  number("/best_single/cost_usd");
  CHECK(string("/cheapest/model") == "small");
  number("/cheapest/accuracy");
  number("/cheapest/cost_usd");
  number("/oracle/accuracy");
  number("/oracle/cost_usd");
  number("/random_mix/accuracy");
  number("/random_mix/cost_usd");
  CHECK(number("/apgr") == Approx(*r.apgr));
  number("/at_95pct_of_best/accuracy");
  number("/at_95pct_of_best/cost_usd");
  simdjson::dom::array curve;
  REQUIRE(doc["curve"].get(curve) == simdjson::SUCCESS);
  CHECK(curve.size() == 51);
  number("/curve/0/quality_requirement");
  number("/curve/50/accuracy");
  number("/curve/50/cost_usd");
  simdjson::dom::object per_category;
  REQUIRE(doc["per_category"].get(per_category) == simdjson::SUCCESS);
  CHECK(per_category.size() == 3);
  number("/per_category/synthetic~1math/router/accuracy");
  number("/per_category/synthetic~1poetry/models/vendor~1mid-1/cost_usd");

  auto svg = bench::to_svg(r);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("random mix") != std::string::npos);
  CHECK(svg.find("</svg>") != std::string::npos);
}

TEST_CASE("a model missing from the registry is named with file:line",
          "[quality]") {
  auto reg = test_registry();
  auto path = data_path("unknown-model.jsonl");
  write_file(path,
             R"({"id": "1", "prompt": "p", "outcomes": {"big": {"score": 1}}})"
             "\n\n"
             R"({"id": "2", "prompt": "p", "outcomes": {"big": {"score": 1}, )"
             R"("gpt-9": {"score": 0, "cost_usd": 0.1}}})"
             "\n");
  auto r = bench::read_quality_jsonl(path, reg, "test-registry.yaml");
  CHECK(r.error.find(path + ":3: ") == 0);
  CHECK(r.error.find("'gpt-9'") != std::string::npos);
  CHECK(r.error.find("test-registry.yaml") != std::string::npos);
}

TEST_CASE("malformed lines are refused with file:line", "[quality]") {
  auto reg = test_registry();
  auto check = [&](std::string_view name, std::string_view second_line,
                   std::string_view expected) {
    auto path = data_path(name);
    std::string text
      = R"({"id": "1", "prompt": "p", "outcomes": {"big": {"score": 1}}})";
    text += '\n';
    text += second_line;
    text += '\n';
    write_file(path, text);
    auto r = bench::read_quality_jsonl(path, reg, "test-registry.yaml");
    INFO(r.error);
    CHECK(r.error.find(path + ":2: ") == 0);
    CHECK(r.error.find(expected) != std::string::npos);
  };
  check("truncated.jsonl", R"({"id": "2", "prompt": "p", "outcomes": {)",
        "malformed JSON");
  check("not-json.jsonl", "id=2 prompt=p", "malformed JSON");
  check("bad-syntax.jsonl", R"({"id": "2", "prompt": "p" "outcomes": {}})",
        "malformed JSON");
  check("no-prompt.jsonl", R"({"id": "2", "outcomes": {"big": {"score": 1}}})",
        "missing \"prompt\"");
  check("bad-score.jsonl",
        R"({"id": "2", "prompt": "p", "outcomes": {"big": {"score": 1.5}}})",
        "score must be within 0-1");
  check("string-score.jsonl",
        R"({"id": "2", "prompt": "p", "outcomes": {"big": {"score": "yes"}}})",
        "score must be a number");
  check("no-models.jsonl", R"({"id": "2", "prompt": "p", "outcomes": {}})",
        "names no model");
  auto missing = bench::read_quality_jsonl(data_path("does-not-exist.jsonl"),
                                           reg, "test-registry.yaml");
  CHECK(missing.error.find("cannot read") != std::string::npos);
}

TEST_CASE("on the planted-topic set the prompt model finds each topic's cheap "
          "specialist from feedback alone",
          "[bench][quality][prompt_model]") {
  // 8 models, 6 topics; on each topic a different cheap model is as good as
  // the strongest, and nothing tells the router a prompt's topic.
  auto set = bench::make_planted_topics();
  auto loaded = config::parse_registry(set.registry_yaml, "planted.yaml",
                                       [](std::string_view) {
                                         return std::optional<std::string>{};
                                       });
  REQUIRE(loaded.registry);
  const auto& reg = *loaded.registry;
  REQUIRE(reg.models.size() >= 8);
  bench::quality_bench_options opts;
  opts.use_prompt_model = true;
  auto r = bench::run_quality_bench(reg, set.train, set.test, opts);
  REQUIRE(r.error.empty());
  INFO("router " << r.router.accuracy << " / $" << r.router.cost_usd
                 << ", oracle " << r.oracle.accuracy << " / $"
                 << r.oracle.cost_usd);
  CHECK(r.router.accuracy >= 0.95 * r.oracle.accuracy);
  // bench/README.md has the figure against issue 19's target (1.3x); here
  // a bound with room for the k-means seeding.
  CHECK(r.router.cost_usd <= 1.5 * r.oracle.cost_usd);
  // Each topic goes mostly to its specialist (model i for topic i): per
  // topic, the router's accuracy is near the specialist's, at a cost far
  // below the strongest model's (20x the specialist's).
  REQUIRE(r.per_category.size() == 6);
  for (std::size_t t = 0; t < r.per_category.size(); ++t) {
    const auto& c = r.per_category[t];
    INFO(c.category);
    REQUIRE(c.category == "topic-" + std::to_string(t));
    const auto& specialist = c.models.at(t);
    CHECK(c.router.accuracy >= 0.9);
    CHECK(c.router.cost_usd <= 3 * specialist.cost_usd);
  }

  // The success predictor alone does not get there: it pays for the
  // strongest model on the prompts it cannot tell apart.
  opts.use_prompt_model = false;
  auto without = bench::run_quality_bench(reg, set.train, set.test, opts);
  REQUIRE(without.error.empty());
  CHECK(without.router.cost_usd > 2 * without.oracle.cost_usd);
}

TEST_CASE("the planted-topic set is the same on every run",
          "[bench][quality][prompt_model]") {
  auto a = bench::make_planted_topics();
  auto b = bench::make_planted_topics();
  REQUIRE(a.train.size() == 1800);
  REQUIRE(a.test.size() == 600);
  CHECK(a.registry_yaml == b.registry_yaml);
  for (std::size_t i = 0; i < a.train.size(); i += 97) {
    CHECK(a.train[i].prompt == b.train[i].prompt);
    CHECK(a.train[i].outcomes.size() == b.train[i].outcomes.size());
  }
}
