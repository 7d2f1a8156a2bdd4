#include "quality_bench.hpp"

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/prompt_index.hpp"
#include "switchyard/engine/router.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>

namespace switchyard::bench {

namespace {

using engine::task_type_count;

/// Salt of the order in which records are replayed (the split uses 0).
constexpr std::uint64_t order_salt = 1;

/// What the router reads of a record, computed once: the classification (the
/// router's own, from the prompt alone), the predictor's features and the
/// models the record has no outcome for.
struct prepared_record {
  const quality_record* rec = nullptr;
  engine::classification cls;
  std::size_t features_begin = 0;
  std::size_t features_end = 0;
  std::vector<engine::prompt_term> terms;
  std::vector<std::uint16_t> missing;
};

/// Routes records and learns from outcomes: the router over a private copy
/// of the registry, a success predictor and the per-(model, task type)
/// learned cells.
class quality_replay {
 public:
  quality_replay(const engine::registry& reg, const quality_bench_options& opts)
      : reg_(reg),
        router_(reg_, classifier_),
        predictor_(model_ids(reg), opts.predictor),
        use_predictor_(opts.use_predictor),
        use_prompt_model_(opts.use_prompt_model),
        history_(opts.prompt_model) {
    for (const auto& m : reg_.models)
      priors_.push_back(m.quality);
    // Ensembles are out of scope (one answer per model, no judge): never
    // plan one, and route a critical prompt as a complex one.
    reg_.policy.parallel_quality_threshold
      = std::numeric_limits<double>::infinity();
    cells_.resize(reg_.models.size() * task_type_count);
    table_.resize(reg_.models.size());
  }

  quality_replay(const quality_replay&) = delete;
  quality_replay& operator=(const quality_replay&) = delete;

  void prepare(std::span<const quality_record> records,
               std::vector<prepared_record>& out) {
    out.clear();
    out.reserve(records.size());
    std::vector<engine::sparse_feature> f;
    for (const auto& rec : records) {
      prepared_record p;
      p.rec = &rec;
      engine::classify_input in;
      in.text = rec.prompt;
      in.input_tokens = engine::estimate_input_tokens(rec.prompt.size(), 0);
      p.cls = classifier_.classify(in);
      if (p.cls.tier == engine::complexity_tier::critical)
        p.cls.tier = engine::complexity_tier::complex;
      predictor_.featurize(rec.prompt, p.cls, f);
      p.features_begin = features_.size();
      features_.insert(features_.end(), f.begin(), f.end());
      p.features_end = features_.size();
      if (use_prompt_model_)
        engine::extract_prompt_terms(rec.prompt, p.terms);
      for (std::size_t m = 0; m < reg_.models.size(); ++m)
        if (rec.find(static_cast<std::uint16_t>(m)) == nullptr)
          p.missing.push_back(static_cast<std::uint16_t>(m));
      out.push_back(std::move(p));
    }
  }

  /// Sets every tier's quality requirement; none restores the registry's.
  void require(std::optional<double> q,
               const engine::routing_policy& original) {
    if (q)
      reg_.policy.quality_by_tier.fill(*q);
    else
      reg_.policy.quality_by_tier = original.quality_by_tier;
  }

  /// Forgets everything learned.
  void reset() {
    predictor_ = engine::success_predictor{model_ids(reg_),
                                           predictor_.params()};
    std::fill(cells_.begin(), cells_.end(), engine::learned_cell{});
    history_ = engine::prompt_history{history_.params()};
    index_ = engine::prompt_index{};
    now_s_ = 0.0;
  }

  /// One outcome of `model` on `p`, as feedback.
  void learn(const prepared_record& p, const quality_outcome& o) {
    if (use_predictor_)
      predictor_.update(o.model, features(p), o.score);
    if (use_prompt_model_)
      history_.add(p.terms, o.model, o.score, o.cost_usd, now_s_);
    engine::apply_feedback(cell(o.model, p.cls.type), o.score, now_s_, params_);
  }

  /// One record per second on the learner's clock: a whole replay spans
  /// hours, far below the one-week half-life.
  void tick() {
    now_s_ += 1.0;
  }

  /// Refreshes the learned performance the router reads.
  void snapshot() {
    for (std::size_t m = 0; m < reg_.models.size(); ++m)
      for (std::size_t t = 0; t < task_type_count; ++t)
        table_.cells[m * task_type_count + t]
          = engine::view_of(cells_[m * task_type_count + t], now_s_, params_);
    // The prompt index is rebuilt on the runtime's schedule, not per step.
    if (use_prompt_model_ && engine::needs_refit(history_, index_))
      index_ = engine::prompt_index::build(history_, priors_, now_s_);
  }

  /// The predictor's estimates for `p`, into `out`.
  void estimate(const prepared_record& p,
                std::vector<engine::success_estimate>& out) const {
    if (use_predictor_)
      predictor_.estimate(features(p), predicted_);
    else
      predicted_.clear();
    if (!use_prompt_model_) {
      out = predicted_;
      return;
    }
    index_.estimate(p.terms, prompt_);
    engine::combine_estimates(predicted_, prompt_,
                              history_.params().blend, out);
  }

  /// The model the router picks for `p` given `estimates`; none when it
  /// finds none.
  std::optional<std::uint16_t>
  route(const prepared_record& p,
        std::span<const engine::success_estimate> estimates) {
    engine::route_request req;
    req.text = p.rec->prompt;
    req.exclude = p.missing;
    engine::routing_state state;
    state.performance = &table_;
    state.predicted_success = estimates;
    router_.route(req, state, decision_, &p.cls);
    if (!decision_.has_model())
      return std::nullopt;
    return decision_.model;
  }

 private:
  static std::vector<std::string> model_ids(const engine::registry& reg) {
    std::vector<std::string> ids;
    for (const auto& m : reg.models)
      ids.push_back(m.id);
    return ids;
  }

  std::span<const engine::sparse_feature>
  features(const prepared_record& p) const {
    return std::span<const engine::sparse_feature>{features_}.subspan(
      p.features_begin, p.features_end - p.features_begin);
  }

  engine::learned_cell& cell(std::uint16_t model, engine::task_type t) {
    return cells_[model * task_type_count + static_cast<std::size_t>(t)];
  }

  engine::registry reg_;
  engine::keyword_classifier classifier_;
  engine::router router_;
  engine::success_predictor predictor_;
  bool use_predictor_;
  bool use_prompt_model_;
  engine::prompt_history history_;
  engine::prompt_index index_;
  std::vector<double> priors_;
  mutable std::vector<engine::success_estimate> predicted_;
  mutable std::vector<engine::prompt_estimate> prompt_;
  engine::learning_params params_;
  std::vector<engine::learned_cell> cells_;
  engine::performance_table table_;
  std::vector<engine::sparse_feature> features_;
  engine::decision decision_;
  double now_s_ = 0.0;
};

/// Where the router sent each test record (registry index, or none).
using routing = std::vector<std::optional<std::uint16_t>>;

/// Replay order: by a hash of the id, so that a file sorted by category
/// does not teach the learner one category at a time.
std::vector<std::size_t> replay_order(const std::vector<prepared_record>& ps) {
  std::vector<std::size_t> order(ps.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<double> key(ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i)
    key[i] = id_fraction(ps[i].rec->id, order_salt);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) {
                     return key[a] < key[b];
                   });
  return order;
}

/// Offline: all train outcomes in, then every test record routed with the
/// frozen state, once per requirement.
std::vector<routing>
replay_offline(quality_replay& replay,
               const std::vector<prepared_record>& train,
               const std::vector<prepared_record>& test,
               const std::vector<std::optional<double>>& requirements,
               const engine::routing_policy& original) {
  for (auto i : replay_order(train)) {
    for (const auto& o : train[i].rec->outcomes)
      replay.learn(train[i], o);
    replay.tick();
  }
  replay.snapshot();
  // Frozen: each record's estimates are the same at every requirement.
  std::vector<std::vector<engine::success_estimate>> estimates(test.size());
  for (std::size_t i = 0; i < test.size(); ++i)
    replay.estimate(test[i], estimates[i]);
  std::vector<routing> result;
  for (const auto& q : requirements) {
    replay.require(q, original);
    routing r(test.size());
    for (std::size_t i = 0; i < test.size(); ++i)
      r[i] = replay.route(test[i], estimates[i]);
    result.push_back(std::move(r));
  }
  return result;
}

/// Online: per requirement, a fresh learner routes the train records and
/// then the test records, learning only from the routed model's outcome.
std::vector<routing>
replay_online(quality_replay& replay, const std::vector<prepared_record>& train,
              const std::vector<prepared_record>& test,
              const std::vector<std::optional<double>>& requirements,
              const engine::routing_policy& original) {
  auto train_order = replay_order(train);
  auto test_order = replay_order(test);
  std::vector<engine::success_estimate> estimates;
  std::vector<routing> result;
  for (const auto& q : requirements) {
    replay.reset();
    replay.require(q, original);
    routing r(test.size());
    auto step = [&](const prepared_record& p) {
      replay.snapshot();
      replay.estimate(p, estimates);
      auto m = replay.route(p, estimates);
      if (m)
        if (auto o = p.rec->find(*m))
          replay.learn(p, *o);
      replay.tick();
      return m;
    };
    for (auto i : train_order)
      step(train[i]);
    for (auto i : test_order)
      r[i] = step(test[i]);
    result.push_back(std::move(r));
  }
  return result;
}

// -- the report ---------------------------------------------------------------

struct tally {
  double score = 0.0;
  double cost = 0.0;
  std::size_t records = 0;
  std::size_t to_best = 0;
  std::size_t unrouted = 0;

  void add(const quality_record& rec, std::optional<std::uint16_t> model,
           std::optional<std::uint16_t> best) {
    ++records;
    const quality_outcome* o = model ? rec.find(*model) : nullptr;
    if (o == nullptr) {
      ++unrouted;
      return;
    }
    score += o->score;
    cost += o->cost_usd;
    if (best && *model == *best)
      ++to_best;
  }

  [[nodiscard]] quality_totals totals() const {
    return {records > 0 ? score / static_cast<double>(records) : 0.0, cost,
            records};
  }
};

/// The cheapest model with the best score on `rec`.
const quality_outcome& oracle_pick(const quality_record& rec) {
  const quality_outcome* best = &rec.outcomes.front();
  for (const auto& o : rec.outcomes)
    if (o.score > best->score
        || (o.score == best->score && o.cost_usd < best->cost_usd))
      best = &o;
  return *best;
}

double random_mix_accuracy(const quality_bench_result& r, double cost) {
  const auto& lo = r.cheapest;
  const auto& hi = r.best_single;
  if (hi.cost_usd <= lo.cost_usd)
    return hi.accuracy;
  auto s = std::clamp((cost - lo.cost_usd) / (hi.cost_usd - lo.cost_usd), 0.0,
                      1.0);
  return lo.accuracy + s * (hi.accuracy - lo.accuracy);
}

/// Trapezoidal area under the PGR vs. share-of-best curve with (0, 0) and
/// (1, 1) added: the weakest and the best single model alone.
std::optional<double> area_under_pgr(const quality_bench_result& r) {
  auto span = r.best_single.accuracy - r.weakest.accuracy;
  if (span <= 0.0)
    return std::nullopt;
  std::vector<std::pair<double, double>> pts{{0.0, 0.0}, {1.0, 1.0}};
  for (const auto& p : r.curve)
    pts.emplace_back(p.share_of_best, (p.accuracy - r.weakest.accuracy) / span);
  std::sort(pts.begin(), pts.end());
  double area = 0.0;
  for (std::size_t i = 1; i < pts.size(); ++i)
    area += (pts[i].first - pts[i - 1].first)
            * (pts[i].second + pts[i - 1].second) / 2.0;
  return area;
}

} // namespace

std::string_view to_string(quality_mode m) noexcept {
  return m == quality_mode::offline ? "offline" : "online";
}

quality_bench_result run_quality_bench(const engine::registry& reg,
                                       std::span<const quality_record> train,
                                       std::span<const quality_record> test,
                                       const quality_bench_options& opts) {
  quality_bench_result r;
  r.mode = opts.mode;
  r.use_predictor = opts.use_predictor;
  r.train_records = train.size();
  r.test_records = test.size();
  if (test.empty()) {
    r.error = "no test records";
    return r;
  }
  if (opts.curve_points < 2) {
    r.error = "the curve needs at least 2 points";
    return r;
  }

  // -- single models and the oracle --
  auto n_models = reg.models.size();
  std::vector<tally> single(n_models);
  tally oracle;
  for (const auto& rec : test) {
    for (const auto& o : rec.outcomes) {
      auto& t = single[o.model];
      ++t.records;
      t.score += o.score;
      t.cost += o.cost_usd;
    }
    const auto& pick = oracle_pick(rec);
    ++oracle.records;
    oracle.score += pick.score;
    oracle.cost += pick.cost_usd;
  }
  const model_totals* best = nullptr;
  const model_totals* cheapest = nullptr;
  const model_totals* weakest = nullptr;
  for (std::size_t m = 0; m < n_models; ++m) {
    const auto& t = single[m];
    if (t.records == 0)
      continue;
    r.models.push_back({reg.models[m].id,
                        t.score / static_cast<double>(t.records), t.cost,
                        t.records});
  }
  for (const auto& m : r.models) {
    if (m.records != test.size())
      continue;
    if (best == nullptr || m.accuracy > best->accuracy
        || (m.accuracy == best->accuracy && m.cost_usd < best->cost_usd))
      best = &m;
    if (cheapest == nullptr || m.cost_usd < cheapest->cost_usd
        || (m.cost_usd == cheapest->cost_usd
            && m.accuracy > cheapest->accuracy))
      cheapest = &m;
    if (weakest == nullptr || m.accuracy < weakest->accuracy
        || (m.accuracy == weakest->accuracy && m.cost_usd < weakest->cost_usd))
      weakest = &m;
  }
  if (best == nullptr) {
    r.error = "no model has an outcome in every test record; the single-model "
              "baselines need at least one";
    return r;
  }
  r.best_single = *best;
  r.cheapest = *cheapest;
  r.weakest = *weakest;
  r.oracle = oracle.totals();
  auto best_index = reg.model_index(r.best_single.model);

  // -- replay: the registry's own requirements first, then the sweep --
  std::vector<std::optional<double>> requirements{std::nullopt};
  for (std::size_t k = 0; k < opts.curve_points; ++k)
    requirements.push_back(static_cast<double>(k)
                           / static_cast<double>(opts.curve_points - 1));
  auto replay = std::make_unique<quality_replay>(reg, opts);
  std::vector<prepared_record> train_prepared;
  std::vector<prepared_record> test_prepared;
  replay->prepare(train, train_prepared);
  replay->prepare(test, test_prepared);
  auto routings = opts.mode == quality_mode::offline
                    ? replay_offline(*replay, train_prepared, test_prepared,
                                     requirements, reg.policy)
                    : replay_online(*replay, train_prepared, test_prepared,
                                    requirements, reg.policy);

  // -- the router at the registry's requirements, overall and per category --
  const auto& chosen = routings.front();
  tally router;
  std::map<std::string, std::pair<tally, tally>> by_category;
  std::map<std::string, std::vector<tally>> single_by_category;
  for (std::size_t i = 0; i < test.size(); ++i) {
    const auto& rec = test[i];
    router.add(rec, chosen[i], best_index);
    auto& [cat_router, cat_oracle] = by_category[rec.category];
    cat_router.add(rec, chosen[i], best_index);
    const auto& pick = oracle_pick(rec);
    cat_oracle.add(rec, pick.model, best_index);
    auto& models = single_by_category[rec.category];
    models.resize(n_models);
    for (const auto& o : rec.outcomes)
      models[o.model].add(rec, o.model, best_index);
  }
  r.router = router.totals();
  r.unrouted = router.unrouted;
  r.router_share_of_best = static_cast<double>(router.to_best)
                           / static_cast<double>(router.records);
  r.random_mix
    = {random_mix_accuracy(r, r.router.cost_usd),
       std::clamp(r.router.cost_usd, r.cheapest.cost_usd,
                  std::max(r.cheapest.cost_usd, r.best_single.cost_usd)),
       test.size()};
  for (const auto& [category, pair] : by_category) {
    category_report c;
    c.category = category;
    c.router = pair.first.totals();
    c.oracle = pair.second.totals();
    c.records = c.router.records;
    const auto& models = single_by_category[category];
    for (std::size_t m = 0; m < n_models; ++m)
      if (models[m].records > 0)
        c.models.push_back({reg.models[m].id, models[m].totals().accuracy,
                            models[m].cost, models[m].records});
    r.per_category.push_back(std::move(c));
  }

  // -- the curve --
  r.min_margin_over_random_mix = std::numeric_limits<double>::infinity();
  for (std::size_t k = 1; k < routings.size(); ++k) {
    tally t;
    for (std::size_t i = 0; i < test.size(); ++i)
      t.add(test[i], routings[k][i], best_index);
    quality_point p;
    p.quality_requirement = *requirements[k];
    p.accuracy = t.totals().accuracy;
    p.cost_usd = t.cost;
    p.share_of_best = static_cast<double>(t.to_best)
                      / static_cast<double>(t.records);
    p.random_mix_accuracy = random_mix_accuracy(r, p.cost_usd);
    auto margin = p.accuracy - p.random_mix_accuracy;
    r.min_margin_over_random_mix = std::min(r.min_margin_over_random_mix,
                                            margin);
    // Equal within rounding counts as on the line, not below it.
    if (margin < -1e-9)
      ++r.points_below_random_mix;
    r.curve.push_back(p);
  }
  for (const auto& p : r.curve)
    if (p.accuracy + 1e-12 >= 0.95 * r.best_single.accuracy
        && (!r.at_95pct_of_best || p.cost_usd < r.at_95pct_of_best->cost_usd
            || (p.cost_usd == r.at_95pct_of_best->cost_usd
                && p.accuracy > r.at_95pct_of_best->accuracy)))
      r.at_95pct_of_best = p;
  r.apgr = area_under_pgr(r);
  return r;
}

} // namespace switchyard::bench
