#pragma once

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/sparse_feature.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

struct success_predictor_params {
  /// log2 of the number of weights per model: 2^18 buckets (1 MiB of weights
  /// and 1 MiB of AdaGrad state per model that has seen an outcome).
  std::uint32_t hash_bits = 18;
  /// AdaGrad's base step (features have unit length). Chosen on a
  /// validation slice of the RouteLLM train split (bench/README.md).
  double learning_rate = 0.3;
  /// Updates at which a model's predictions get half the weight against the
  /// prior and the per-task-type averages.
  double confidence_half_updates = 50.0;
  /// Adds features of the prompt's form to its words: the count of digits,
  /// which math and code symbols occur, question marks, line breaks, the
  /// first and the last word, and the length in bytes. Off by default: the
  /// weights of one setting mean nothing to the other, so `save` writes
  /// `shape_format_version` with it on and `load` refuses a mismatch.
  bool shape_features = false;
};

/// Why `success_predictor::load` refused its input.
enum class predictor_load_error : std::uint8_t {
  none,
  bad_magic,           ///< not a serialized predictor
  unsupported_version, ///< written by another feature or format version
  hash_bits_mismatch,  ///< written with another number of buckets
  truncated,
  bad_value, ///< an index out of range, a non-finite weight, trailing bytes
};

inline constexpr std::array<std::string_view, 6> predictor_load_error_names{
  "none",      "bad_magic", "unsupported_version", "hash_bits_mismatch",
  "truncated", "bad_value"};

[[nodiscard]] constexpr std::string_view
to_string(predictor_load_error e) noexcept {
  return predictor_load_error_names[static_cast<std::size_t>(e)];
}

class success_predictor;

/// A read-only copy of a success_predictor's weights, for routing on other
/// threads while the predictor keeps learning. A refreshed view shares the
/// weights of models that did not change with the view before it, so a
/// refresh copies only what was updated.
class success_predictor_view {
public:
  success_predictor_view() = default;

  /// The same features as the predictor's `featurize`.
  void featurize(std::string_view text, const classification& cls,
                 std::vector<sparse_feature>& out) const;

  /// The same estimates as the predictor's `estimate` at the time of the
  /// last refresh.
  void estimate(std::span<const sparse_feature> features,
                std::vector<success_estimate>& out) const;

  /// True when no model has learned anything: estimates would all be the
  /// 0.5 prior with confidence 0.
  [[nodiscard]] bool untrained() const noexcept;

  [[nodiscard]] std::size_t model_count() const noexcept {
    return models_.size();
  }

private:
  friend class success_predictor;
  struct model_weights {
    std::shared_ptr<const std::vector<float>> weights;
    std::uint64_t updates = 0;
  };
  success_predictor_params params_;
  std::vector<model_weights> models_;
  /// The predictor's load count at the last refresh.
  std::uint64_t loads_ = ~std::uint64_t{0};
};

/// Predicts, per model, the probability of a good answer to one prompt from
/// features of the prompt: task type, complexity tier and score, length, and
/// hashed words and word pairs. One logistic regression per model over a
/// fixed-size hashed weight vector, trained online with AdaGrad from outcome
/// scores (0-1). Deterministic: the same updates in the same order give the
/// same weights, bit for bit.
class success_predictor {
 public:
  /// One model per id, in registry order: model index i is `model_ids[i]`.
  explicit success_predictor(std::vector<std::string> model_ids,
                             success_predictor_params params = {});

  /// The features of a prompt, written into `out` (cleared first). Reuses
  /// `out`'s capacity: no allocation once it has grown to the longest prompt.
  /// Each feature appears once, and the vector has unit length.
  void featurize(std::string_view text, const classification& cls,
                 std::vector<sparse_feature>& out) const;

  /// Probability that `model` answers a prompt with these features well;
  /// 0.5 for a model that has seen no outcome.
  [[nodiscard]] double
  predict(std::uint16_t model,
          std::span<const sparse_feature> features) const noexcept;

  /// Learns from one outcome score (0-1) of `model` on a prompt with these
  /// features. Out-of-range models and non-finite scores are ignored.
  void update(std::uint16_t model, std::span<const sparse_feature> features,
              double score);

  /// How far to trust `model`'s predictions, 0-1, from its number of
  /// updates.
  [[nodiscard]] double confidence(std::uint16_t model) const noexcept;

  [[nodiscard]] std::uint64_t updates(std::uint16_t model) const noexcept;

  /// Every model's prediction and confidence for one prompt, indexed by
  /// model: what `routing_state::predicted_success` reads. Reuses `out`.
  void estimate(std::span<const sparse_feature> features,
                std::vector<success_estimate>& out) const;

  /// Brings `view` up to date: copies the weights of models updated since
  /// the view was last refreshed and keeps the others' shared. Returns
  /// whether anything changed.
  bool refresh_view(success_predictor_view& view) const;

  // -- persistence ------------------------------------------------------------

  /// Appends the learned state to `out`: a magic, a version byte, the bucket
  /// count, then per model its id, update count and non-zero weights.
  /// Models are named by id so that the bytes survive a registry reorder.
  void save(std::string& out) const;

  /// Replaces the learned state with `bytes` from `save`. Models are matched
  /// by id: ids this predictor does not know are skipped, and models absent
  /// from `bytes` start empty. Leaves the state unchanged on an error.
  [[nodiscard]] predictor_load_error load(std::string_view bytes);

  /// Bumped whenever `featurize` or the byte layout changes: old weights
  /// would mean something else.
  static constexpr std::uint8_t format_version = 1;
  /// The same layout, written with `shape_features` on.
  static constexpr std::uint8_t shape_format_version = 2;

  [[nodiscard]] std::size_t model_count() const noexcept {
    return models_.size();
  }

  [[nodiscard]] const std::string& model_id(std::uint16_t model) const {
    return models_[model].id;
  }

  [[nodiscard]] const success_predictor_params& params() const noexcept {
    return params_;
  }

 private:
  struct model_state {
    std::string id;
    /// Empty until the first update; then 2^hash_bits each.
    std::vector<float> weights;
    std::vector<float> squared_gradients;
    std::uint64_t updates = 0;
  };

  success_predictor_params params_;
  std::vector<model_state> models_;
  /// Bumped by every successful load: views then copy everything again.
  std::uint64_t loads_ = 0;
};

} // namespace switchyard::engine
