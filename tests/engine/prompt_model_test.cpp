// The prompt model (engine/prompt_*): terms of a prompt, the capped history
// of prompts with feedback, the index built from it (TF-IDF clusters and
// nearest neighbours), how its estimates join the success predictor's, and
// the `utility` selection that weighs each model's learned cost.

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/prompt_index.hpp"
#include "switchyard/engine/router.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace switchyard;
using namespace switchyard::engine;

namespace {

std::vector<prompt_term> terms_of(std::string_view text) {
  std::vector<prompt_term> t;
  extract_prompt_terms(text, t);
  return t;
}

/// Two topics with vocabularies of their own: model 0 answers the first
/// well and the second badly, model 1 the other way round.
const std::vector<std::string> compiler_prompts{
  "optimise the register allocator in the compiler backend",
  "the compiler backend emits wrong register spills in loops",
  "why does the register allocator spill in this compiler loop",
  "add a peephole pass to the compiler backend for register moves",
  "the loop optimiser in the compiler drops a register spill",
  "compiler backend register pressure is too high in this loop"};
const std::vector<std::string> garden_prompts{
  "when should I prune the roses in my garden",
  "my garden tomatoes have yellow leaves after rain",
  "which roses grow well in a shady garden bed",
  "how deep should garden tomatoes be planted in spring",
  "the roses in the garden bed have black spots on leaves",
  "water the garden tomatoes in the morning or evening"};

prompt_history two_topic_history(prompt_model_params p = {}) {
  p.min_cluster_prompts = 6;
  prompt_history h{p};
  for (const auto& text : compiler_prompts) {
    h.add(terms_of(text), 0, 1.0, 0.001, 0.0);
    h.add(terms_of(text), 1, 0.0, 0.01, 0.0);
  }
  for (const auto& text : garden_prompts) {
    h.add(terms_of(text), 0, 0.0, 0.001, 0.0);
    h.add(terms_of(text), 1, 1.0, 0.01, 0.0);
  }
  return h;
}

} // namespace

TEST_CASE("a prompt's terms are its words and word pairs, counted",
          "[engine][prompt_model]") {
  auto t = terms_of("Red fish, blue fish");
  // 4 words (fish twice) and 3 pairs.
  REQUIRE(t.size() == 6);
  std::size_t twice = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i > 0)
      CHECK(t[i - 1].id < t[i].id);
    if (t[i].count == 2)
      ++twice;
  }
  CHECK(twice == 1);
  CHECK(terms_of("RED fish, blue FISH") == t);
  CHECK(prompt_terms_key(terms_of("red fish blue fish")) == prompt_terms_key(t));
  CHECK(prompt_terms_key(terms_of("blue fish red fish"))
        != prompt_terms_key(t));
  CHECK(terms_of("  ,,  ").empty());
}

TEST_CASE("the history merges one prompt's outcomes and forgets the oldest "
          "prompt past its cap",
          "[engine][prompt_model]") {
  prompt_model_params p;
  p.max_prompts = 2;
  prompt_history h{p};
  auto a = terms_of("alpha beta");
  auto b = terms_of("gamma delta");
  auto c = terms_of("epsilon beta");
  h.add(a, 0, 1.0, 0.5, 0.0);
  h.add(a, 0, 0.0, 0.5, 0.0);
  h.add(a, 1, 1.0, std::nan(""), 0.0);
  REQUIRE(h.size() == 1);
  const auto& e = h.entries().front();
  REQUIRE(e.outcomes.size() == 2);
  CHECK(e.outcomes[0].weight == Approx(2.0));
  CHECK(e.outcomes[0].score_sum == Approx(1.0));
  CHECK(e.outcomes[0].cost_weight == Approx(2.0));
  // An unknown cost counts the outcome, not a cost of zero.
  CHECK(e.outcomes[1].cost_weight == 0.0f);
  h.add(b, 0, 1.0, 0.1, 1.0);
  CHECK(h.document_frequency(terms_of("beta").front().id) == 1);
  h.add(c, 0, 1.0, 0.1, 2.0);
  REQUIRE(h.size() == 2);
  // "alpha beta" went first; "beta" is now in "epsilon beta" alone.
  CHECK(h.entries().front().key == prompt_terms_key(b));
  CHECK(h.document_frequency(terms_of("alpha").front().id) == 0);
  CHECK(h.document_frequency(terms_of("beta").front().id) == 1);
  // Non-finite scores and empty prompts teach nothing.
  auto v = h.version();
  h.add(a, 0, std::nan(""), 0.1, 3.0);
  h.add({}, 0, 1.0, 0.1, 3.0);
  CHECK(h.version() == v);
}

TEST_CASE("the history keeps a long prompt's most telling terms",
          "[engine][prompt_model]") {
  prompt_model_params p;
  p.max_terms_per_prompt = 4;
  prompt_history h{p};
  h.add(terms_of("the one two three four five six seven"), 0, 1.0, 0.0, 0.0);
  CHECK(h.entries().front().terms.size() == 4);
}

TEST_CASE("the history saves and loads by model id, and refuses garbage",
          "[engine][prompt_model]") {
  auto h = two_topic_history();
  std::vector<std::string> ids{"fast", "strong"};
  std::string bytes;
  h.save(ids, bytes);
  // Loaded under a registry that lists the models the other way round.
  std::vector<std::string> swapped{"strong", "fast", "new"};
  prompt_history back{h.params()};
  REQUIRE(back.load(bytes, swapped) == prompt_history_load_error::none);
  REQUIRE(back.size() == h.size());
  for (std::size_t i = 0; i < h.size(); ++i) {
    const auto& x = h.entries()[i];
    const auto& y = back.entries()[i];
    CHECK(x.terms == y.terms);
    REQUIRE(y.outcomes.size() == 2);
    CHECK(y.outcomes[0].model == 0); // "strong"
    CHECK(y.outcomes[0].score_sum == x.outcomes[1].score_sum);
    CHECK(y.outcomes[1].score_sum == x.outcomes[0].score_sum);
  }
  auto before = back.version();
  CHECK(back.load("nonsense", swapped) == prompt_history_load_error::bad_magic);
  CHECK(back.load(bytes.substr(0, bytes.size() - 3), swapped)
        == prompt_history_load_error::truncated);
  CHECK(back.load(bytes + "x", swapped) == prompt_history_load_error::bad_value);
  CHECK(back.version() == before);
  CHECK(back.size() == h.size());
}

TEST_CASE("the index clusters prompts by topic and its neighbours find "
          "which model is good at what",
          "[engine][prompt_model]") {
  auto h = two_topic_history();
  std::vector<double> priors{0.6, 0.6};
  auto ix = prompt_index::build(h, priors, 0.0);
  REQUIRE(ix.prompts() == 12);
  REQUIRE(ix.clusters() == 2);
  // The two topics never share a cluster.
  const auto& a = ix.assignments();
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = 6; j < 12; ++j)
      CHECK(a[i] != a[j]);

  std::vector<prompt_estimate> e;
  auto ev = ix.estimate(terms_of("the compiler spills a register in my loop"), e);
  REQUIRE(e.size() == 2);
  CHECK(ev.cluster == a[0]);
  CHECK(ev.neighbours > 0);
  CHECK(ev.mean_similarity > 0.0f);
  CHECK(e[0].success > 0.8);
  CHECK(e[1].success < 0.4);
  CHECK(e[0].weight > 0.0);
  // Costs are learned per model: model 1's answers cost ten times more.
  CHECK(e[1].cost_usd == Approx(10 * e[0].cost_usd).epsilon(0.01));

  ev = ix.estimate(terms_of("yellow spots on my garden roses"), e);
  CHECK(ev.cluster == a[6]);
  CHECK(e[1].success > 0.8);
  CHECK(e[0].success < 0.4);

  // A prompt that shares no term: the models' overall rates, no cluster.
  ev = ix.estimate(terms_of("quantum chromodynamics"), e);
  CHECK(ev.cluster == prompt_evidence::no_cluster);
  CHECK(ev.neighbours == 0);
  CHECK(e[0].success == Approx(e[1].success));

  // Deterministic: the same history builds the same index.
  auto again = prompt_index::build(h, priors, 0.0);
  std::vector<prompt_estimate> e2;
  auto q = terms_of("compiler register spills in the garden");
  CHECK(ix.estimate(q, e) == again.estimate(q, e2));
  for (std::size_t m = 0; m < 2; ++m)
    CHECK(e[m].success == e2[m].success);
}

TEST_CASE("outcomes decay: a model that got better recently is trusted",
          "[engine][prompt_model]") {
  prompt_model_params p;
  p.half_life_s = 100.0;
  p.min_cluster_prompts = 100;
  prompt_history h{p};
  auto t = terms_of("summarise this quarterly report");
  for (int i = 0; i < 10; ++i)
    h.add(t, 0, 0.0, 0.0, 0.0);
  for (int i = 0; i < 10; ++i)
    h.add(t, 0, 1.0, 0.0, 1000.0);
  std::vector<double> priors{0.5};
  auto ix = prompt_index::build(h, priors, 1000.0);
  std::vector<prompt_estimate> e;
  ix.estimate(t, e);
  CHECK(e[0].success > 0.9);
}

TEST_CASE("an index is rebuilt once enough new outcomes came",
          "[engine][prompt_model]") {
  prompt_model_params p;
  p.refit_min_outcomes = 3;
  prompt_history h{p};
  prompt_index empty;
  CHECK_FALSE(needs_refit(h, empty));
  h.add(terms_of("one"), 0, 1.0, 0.0, 0.0);
  // A first index is built at once.
  CHECK(needs_refit(h, empty));
  std::vector<double> priors{0.5};
  auto ix = prompt_index::build(h, priors, 0.0);
  CHECK_FALSE(needs_refit(h, ix));
  h.add(terms_of("two"), 0, 1.0, 0.0, 0.0);
  h.add(terms_of("three"), 0, 1.0, 0.0, 0.0);
  CHECK_FALSE(needs_refit(h, ix));
  h.add(terms_of("four"), 0, 1.0, 0.0, 0.0);
  CHECK(needs_refit(h, ix));
}

TEST_CASE("the prompt model's estimates blend with the predictor's",
          "[engine][prompt_model]") {
  std::vector<success_estimate> predicted{{0.2, 0.5}, {0.9, 0.0}};
  std::vector<prompt_estimate> prompt{{0.6, 0.8, 0.01}, {0.4, 0.3, 0.02}};
  std::vector<success_estimate> out;
  combine_estimates(predicted, prompt, 0.5, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].probability == Approx(0.4));
  CHECK(out[0].weight == Approx(0.8));
  CHECK(out[0].cost_usd == Approx(0.01));
  // The predictor has not learned model 1: the prompt model alone.
  CHECK(out[1].probability == Approx(0.4));
  CHECK(out[1].weight == Approx(0.3));
  combine_estimates(predicted, {}, 0.5, out);
  CHECK(out[0].probability == Approx(0.2));
  CHECK(std::isnan(out[0].cost_usd));
}

namespace {

constexpr std::string_view three_models_yaml = R"(version: 1
providers:
  cloud: {kind: openai, base_url: "https://api.example.com/v1"}
models:
  - id: a
    provider: cloud
    upstream: a
    quality: 0.8
    cost_per_1k: {input: 0.001, output: 0.001}
    context_window: 32768
    p50_latency_ms: 400
    tokens_per_second: 80
    capabilities: [json]
  - id: b
    provider: cloud
    upstream: b
    quality: 0.8
    cost_per_1k: {input: 0.002, output: 0.002}
    context_window: 32768
    p50_latency_ms: 400
    tokens_per_second: 80
    capabilities: [json]
  - id: c
    provider: cloud
    upstream: c
    quality: 0.8
    cost_per_1k: {input: 0.003, output: 0.003}
    context_window: 32768
    p50_latency_ms: 400
    tokens_per_second: 80
    capabilities: [json]
policy:
  prefer_local: false
  max_cost_per_task_usd: 1.0
  parallel_quality_threshold: 1.0
  selection: utility
  success_value_usd: 0.01
)";

registry load_registry(std::string_view yaml) {
  auto r = config::parse_registry(yaml, "test.yaml", [](std::string_view) {
    return std::optional<std::string>{};
  });
  REQUIRE(r.registry);
  return std::move(*r.registry);
}

} // namespace

TEST_CASE("utility weighs each model's learned cost, gain_per_cost the "
          "registry's estimate",
          "[engine][prompt_model][router]") {
  auto reg = load_registry(three_models_yaml);
  keyword_classifier classifier;
  // Equal predicted success; model c's answers to prompts like this one
  // turned out the cheapest, though its list price is the highest.
  std::vector<success_estimate> est{{0.9, 1.0, 0.004},
                                    {0.9, 1.0, 0.003},
                                    {0.9, 1.0, 0.0001}};
  routing_state state;
  state.predicted_success = est;
  route_request req;
  req.text = "tell me a joke";
  {
    router r{reg, classifier};
    auto d = r.route(req, state);
    REQUIRE(d.has_model());
    CHECK(reg.models[d.model].id == "c");
    CHECK(d.rule == selection_rule::utility);
    const auto* c = d.find_candidate(d.model);
    REQUIRE(c != nullptr);
    CHECK(c->predicted_cost_usd == Approx(0.0001));
  }
  reg.policy.selection = selection_mode::gain_per_cost;
  {
    router r{reg, classifier};
    auto d = r.route(req, state);
    REQUIRE(d.has_model());
    CHECK(reg.models[d.model].id == "a");
    CHECK(d.rule == selection_rule::gain_per_cost);
  }
  // Without a learned cost, utility falls back on the estimate.
  reg.policy.selection = selection_mode::utility;
  for (auto& e : est)
    e.cost_usd = std::nan("");
  {
    router r{reg, classifier};
    auto d = r.route(req, state);
    REQUIRE(d.has_model());
    CHECK(reg.models[d.model].id == "a");
  }
}
