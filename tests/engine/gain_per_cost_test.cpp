// The gain_per_cost selection mode: at a quality requirement q the router
// upgrades the prompts whose predicted gain per extra dollar is best, where
// smallest_capable upgrades those the cheap model is least likely to answer.
// Planted per-prompt predictions (weight 1) stand in for the predictor.

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/router.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace switchyard;
using namespace switchyard::engine;

namespace {

/// A cheap and a strong model priced like Mixtral-8x7B and GPT-4, nothing
/// else that could decide: no preferences, no local models, no ensembles.
constexpr std::string_view two_models_yaml = R"(version: 1
providers:
  cloud:
    kind: openai
    base_url: https://api.example.com/v1
models:
  - id: cheap
    provider: cloud
    upstream: cheap
    quality: 0.71
    cost_per_1k: {input: 0.0006, output: 0.0006}
    context_window: 32768
    p50_latency_ms: 400
    tokens_per_second: 80
    capabilities: [json]
  - id: strong
    provider: cloud
    upstream: strong
    quality: 0.86
    cost_per_1k: {input: 0.010, output: 0.030}
    context_window: 128000
    p50_latency_ms: 900
    tokens_per_second: 30
    capabilities: [json]
policy:
  prefer_local: false
  max_cost_per_task_usd: 1.0
  max_latency_per_call_s: 120
  parallel_quality_threshold: 1.0
  selection: gain_per_cost
  success_value_usd: 0.03
)";

/// One planted prompt: its text and each model's predicted success.
struct planted {
  std::string text;
  double p_cheap = 0.0;
  double p_strong = 0.0;
};

struct two_models {
  registry reg = load();
  keyword_classifier classifier;
  router r{reg, classifier};
  std::uint16_t cheap = *reg.model_index("cheap");
  std::uint16_t strong = *reg.model_index("strong");

  static registry load() {
    auto loaded = config::parse_registry(two_models_yaml, "two-models.yaml",
                                         [](std::string_view) {
                                           return std::optional<std::string>{};
                                         });
    for (const auto& e : loaded.errors)
      UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.registry);
    return std::move(*loaded.registry);
  }

  /// Every tier asks for `q`.
  void require(double q) {
    reg.policy.quality_by_tier.fill(q);
  }

  decision route(const planted& p,
                 std::optional<double> min_quality = std::nullopt) const {
    std::vector<success_estimate> estimates(reg.models.size());
    estimates[cheap] = {p.p_cheap, 1.0};
    estimates[strong] = {p.p_strong, 1.0};
    routing_state state;
    state.predicted_success = estimates;
    route_request req;
    req.text = p.text;
    // The same classification and output estimate for every prompt: only
    // the length of the text changes the cost.
    req.type = task_type::general;
    req.tier = complexity_tier::moderate;
    req.complexity_score = 5;
    req.max_output_tokens = 200;
    req.min_quality = min_quality;
    return r.route(req, state);
  }

  /// The strong model's expected cost minus the cheap one's, in USD.
  double extra_cost(const decision& d) const {
    auto c = d.find_candidate(cheap);
    auto s = d.find_candidate(strong);
    REQUIRE(c != nullptr);
    REQUIRE(s != nullptr);
    return nanos_to_usd(s->cost.expected) - nanos_to_usd(c->cost.expected);
  }
};

/// q = 0, 0.01, ..., 1.
std::vector<double> requirements() {
  std::vector<double> qs;
  for (int k = 0; k <= 100; ++k)
    qs.push_back(k / 100.0);
  return qs;
}

/// The first requirement of the sweep at which `p` goes to the strong
/// model; 2 when it never does.
double first_upgrade(two_models& m, const planted& p) {
  for (auto q : requirements()) {
    m.require(q);
    if (m.route(p).model == m.strong)
      return q;
  }
  return 2.0;
}

} // namespace

TEST_CASE("gain_per_cost upgrades the prompts with the best predicted gain "
          "first",
          "[router][gain_per_cost]") {
  two_models m;
  // The same text, hence the same cost: only the predicted gain differs.
  std::string text = "Which of these statements about the history of Rome "
                     "is correct?";
  planted hopeless{text, 0.20, 0.25}; // gain 0.05: both likely fail
  planted best{text, 0.60, 0.95};     // gain 0.35
  planted middle{text, 0.50, 0.65};   // gain 0.15
  planted easy{text, 0.90, 0.92};     // gain 0.02
  std::vector<planted> prompts{hopeless, best, middle, easy};

  // Upgrades only ever add prompts as the requirement rises.
  std::vector<bool> upgraded(prompts.size(), false);
  for (auto q : requirements()) {
    m.require(q);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      auto d = m.route(prompts[i]);
      REQUIRE(d.has_model());
      CHECK(d.rule == selection_rule::gain_per_cost);
      bool now = d.model == m.strong;
      if (upgraded[i])
        CHECK(now);
      upgraded[i] = now;
    }
  }
  // In the order of predicted gain, and all of them at q = 1.
  auto q_best = first_upgrade(m, best);
  auto q_middle = first_upgrade(m, middle);
  auto q_hopeless = first_upgrade(m, hopeless);
  auto q_easy = first_upgrade(m, easy);
  CHECK(q_best < q_middle);
  CHECK(q_middle < q_hopeless);
  CHECK(q_hopeless < q_easy);
  CHECK(q_easy <= 1.0);

  // smallest_capable upgrades the hopeless prompt first: the cheap model's
  // prediction is the lowest there.
  m.reg.policy.selection = selection_mode::smallest_capable;
  m.require(0.3);
  CHECK(m.route(hopeless).model == m.strong);
  CHECK(m.route(best).model == m.cheap);
  CHECK(m.route(middle).model == m.cheap);
  m.reg.policy.selection = selection_mode::gain_per_cost;
  m.require(q_best);
  CHECK(m.route(best).model == m.strong);
  CHECK(m.route(hopeless).model == m.cheap);
  CHECK(m.route(middle).model == m.cheap);
}

TEST_CASE("gain_per_cost asks an expensive prompt for more gain per dollar",
          "[router][gain_per_cost]") {
  two_models m;
  std::string question = "Which of these statements about the history of "
                         "Rome is correct? ";
  std::string passage;
  for (int i = 0; i < 100; ++i)
    passage += "A long passage of context that the model has to read first. ";
  planted short_prompt{question, 0.5, 0.8};
  planted long_prompt{passage + question, 0.5, 0.8};
  m.require(0.5);
  auto short_cost = m.extra_cost(m.route(short_prompt));
  auto long_cost = m.extra_cost(m.route(long_prompt));
  REQUIRE(long_cost > 2 * short_cost);

  // The rule itself: the strong model exactly when price * gain exceeds the
  // extra cost (the sweep avoids exact ties).
  for (auto q : requirements()) {
    m.require(q);
    auto price = success_price_usd(m.reg.policy, q);
    for (const auto* p : {&short_prompt, &long_prompt}) {
      auto d = m.route(*p);
      auto gain = p->p_strong - p->p_cheap;
      INFO("q = " << q << ", " << p->text.size() << " characters");
      CHECK((d.model == m.strong) == (price * gain > m.extra_cost(d)));
    }
  }
  // Equal gains, so the cheaper upgrade comes first.
  CHECK(first_upgrade(m, short_prompt) < first_upgrade(m, long_prompt));
}

TEST_CASE("gain_per_cost at the ends of the requirement range",
          "[router][gain_per_cost]") {
  two_models m;
  planted strong_better{"Solve this equation for x", 0.3, 0.9};
  planted cheap_better{"Solve this equation for x", 0.8, 0.7};
  CHECK(success_price_usd(m.reg.policy, 0.0) == 0.0);
  CHECK(success_price_usd(m.reg.policy, 0.5) == Approx(0.03));
  CHECK(std::isinf(success_price_usd(m.reg.policy, 1.0)));
  // q = 0: quality is worth nothing, the cheapest model takes all.
  m.require(0.0);
  CHECK(m.route(strong_better).model == m.cheap);
  CHECK(m.route(cheap_better).model == m.cheap);
  // q = 1: quality at any price, the higher prediction wins.
  m.require(1.0);
  CHECK(m.route(strong_better).model == m.strong);
  CHECK(m.route(cheap_better).model == m.cheap);
}

TEST_CASE("under gain_per_cost the tier's requirement is a price, a caller's "
          "min_quality a floor",
          "[router][gain_per_cost]") {
  two_models m;
  m.require(0.85);
  // Neither model reaches 0.85, yet nothing is relaxed or filtered.
  planted p{"Summarise the causes of the first world war", 0.60, 0.62};
  auto d = m.route(p);
  REQUIRE(d.has_model());
  CHECK(d.rule == selection_rule::gain_per_cost);
  CHECK(d.model == m.cheap);
  CHECK_FALSE(d.has_note(decision_note::quality_relaxed));
  for (const auto& f : d.filtered_out)
    CHECK(f.reason != filter_reason::below_quality);
  // The other model stays behind it as a fallback.
  REQUIRE(d.fallbacks.size() == 1);
  CHECK(d.fallbacks.front() == m.strong);
  CHECK_THAT(rationale(d, m.reg, m.classifier),
             Catch::Contains("gain_per_cost"));

  // A caller's requirement filters: only the strong model meets 0.61.
  auto floored = m.route(p, 0.61);
  CHECK(floored.model == m.strong);
  // ... and one nothing meets is an explicit none.
  auto unmet = m.route(p, 0.9);
  CHECK_FALSE(unmet.has_model());
  CHECK(unmet.has_note(decision_note::quality_unmet));
}
