#pragma once

#include "switchyard/engine/prompt_model_params.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/success_predictor.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::bench {

// -- the data -----------------------------------------------------------------

/// One model's recorded answer to a prompt.
struct quality_outcome {
  /// Index into the registry's models.
  std::uint16_t model = 0;
  /// 0-1; 1 is a correct answer.
  double score = 0.0;
  double cost_usd = 0.0;
};

/// One line of a routing-quality file (DESIGN.md, "Data for routing
/// quality"): a prompt and what each model made of it.
struct quality_record {
  std::string id;
  std::string prompt;
  /// For the report only: the router never sees it.
  std::string category;
  std::vector<quality_outcome> outcomes;
  /// Where it came from, for messages.
  std::uint32_t line = 0;

  [[nodiscard]] const quality_outcome*
  find(std::uint16_t model) const noexcept {
    for (const auto& o : outcomes)
      if (o.model == model)
        return &o;
    return nullptr;
  }
};

struct quality_dataset {
  std::vector<quality_record> records;
  /// Empty on success; otherwise `file:line: what was wrong`.
  std::string error;
};

/// Reads a JSONL file of
/// `{"id", "prompt", "category", "outcomes": {"MODEL": {"score", "cost_usd",
/// ...}, ...}}` objects, one per line (blank lines are skipped; other fields
/// are ignored). Every MODEL must be in `reg`; `registry_name` is what the
/// error calls the registry.
[[nodiscard]] quality_dataset
read_quality_jsonl(const std::string& path, const engine::registry& reg,
                   std::string_view registry_name);

/// Where a record's id falls in [0, 1): a hash of the id alone, so a split
/// is the same on every machine, run and file order. `salt` tells
/// independent splits apart.
[[nodiscard]] double id_fraction(std::string_view id,
                                 std::uint64_t salt = 0) noexcept;

/// Moves the records whose id_fraction is below `train_share` into `train`
/// and the rest into `test`.
void split_by_id(std::vector<quality_record> records, double train_share,
                 std::vector<quality_record>& train,
                 std::vector<quality_record>& test, std::uint64_t salt = 0);

// -- the replay ---------------------------------------------------------------

enum class quality_mode : std::uint8_t {
  /// Every train outcome is feedback; the test records are routed with what
  /// was learned, frozen.
  offline,
  /// Only the routed model's outcome is feedback, train and test records
  /// alike, as they go; the report counts the test records.
  online,
};

struct quality_bench_options {
  quality_mode mode = quality_mode::offline;
  /// Quality requirements swept evenly over [0, 1].
  std::size_t curve_points = 51;
  /// Off: the per-task-type learned cells and the priors alone (ablation).
  bool use_predictor = true;
  engine::success_predictor_params predictor;
  /// The prompt model (TF-IDF clusters and nearest neighbours) on top.
  bool use_prompt_model = false;
  engine::prompt_model_params prompt_model;
};

/// Accuracy (mean score) and total cost over a set of test records.
struct quality_totals {
  double accuracy = 0.0;
  double cost_usd = 0.0;
  std::size_t records = 0;
};

struct model_totals {
  std::string model;
  double accuracy = 0.0;
  double cost_usd = 0.0;
  /// Test records with an outcome of this model.
  std::size_t records = 0;
};

/// The router at one quality requirement.
struct quality_point {
  double quality_requirement = 0.0;
  double accuracy = 0.0;
  double cost_usd = 0.0;
  /// Share of test records routed to the best single model.
  double share_of_best = 0.0;
  /// A random mix of the cheapest and the best single model at this cost.
  double random_mix_accuracy = 0.0;
};

struct category_report {
  std::string category;
  std::size_t records = 0;
  quality_totals router;
  quality_totals oracle;
  /// In registry order; models without an outcome here are left out.
  std::vector<model_totals> models;
};

struct quality_bench_result {
  /// Empty on success.
  std::string error;
  quality_mode mode = quality_mode::offline;
  bool use_predictor = true;
  std::size_t train_records = 0;
  std::size_t test_records = 0;
  /// Every model with an outcome in the test records, in registry order.
  std::vector<model_totals> models;
  /// At the registry's own quality requirements per complexity tier.
  quality_totals router;
  double router_share_of_best = 0.0;
  /// Among models with an outcome in every test record.
  model_totals best_single;
  model_totals cheapest;
  model_totals weakest;
  /// Per record, the cheapest model with the best score there.
  quality_totals oracle;
  /// The cheapest and the best single model mixed at random at the router's
  /// cost.
  quality_totals random_mix;
  /// Area under the accuracy vs. share-of-best-model curve, normalised so
  /// the weakest single model is 0 and the best 1 (bench/README.md).
  std::optional<double> apgr;
  /// The cheapest curve point with at least 95% of best_single's accuracy.
  std::optional<quality_point> at_95pct_of_best;
  std::vector<quality_point> curve;
  /// Curve points whose accuracy is below the random mix at their cost.
  std::size_t points_below_random_mix = 0;
  /// The smallest accuracy - random-mix accuracy over the curve.
  double min_margin_over_random_mix = 0.0;
  /// Test records the router found no model for (scored 0 at no cost).
  std::size_t unrouted = 0;
  std::vector<category_report> per_category;
};

/// Replays `train` as feedback and routes `test` (see quality_mode), then
/// reports. The router sees only each prompt. Ensembles are out of scope
/// (the data has one answer per model and no judge): the replay routes one
/// model per prompt.
[[nodiscard]] quality_bench_result
run_quality_bench(const engine::registry& reg,
                  std::span<const quality_record> train,
                  std::span<const quality_record> test,
                  const quality_bench_options& opts);

[[nodiscard]] std::string to_json(const quality_bench_result& r);

/// The cost-quality curve as a self-contained SVG: the router's curve, the
/// random-mix line, each single model and the oracle.
[[nodiscard]] std::string to_svg(const quality_bench_result& r);

[[nodiscard]] std::string_view to_string(quality_mode m) noexcept;

} // namespace switchyard::bench
