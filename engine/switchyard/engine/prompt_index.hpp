#pragma once

#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/prompt_evidence.hpp"
#include "switchyard/engine/prompt_history.hpp"
#include "switchyard/engine/prompt_model_params.hpp"
#include "switchyard/engine/prompt_terms.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace switchyard::engine {

/// One model's estimate for one prompt from the prompt model.
struct prompt_estimate {
  /// Probability of a good answer, 0-1.
  double success = 0.5;
  /// How far to trust it over the router's other signals, 0-1: grows with
  /// the model's outcomes in the prompt's cluster.
  double weight = 0.0;
  /// Expected cost in USD of this model's answer; NaN when the model has no
  /// outcome anywhere (the registry's estimate applies then).
  double cost_usd = std::numeric_limits<double>::quiet_NaN();
};

/// An immutable snapshot of the prompt model, built from a prompt_history:
/// TF-IDF vectors of the remembered prompts (sublinear term frequency,
/// smoothed inverse document frequency, unit length), spherical k-means
/// clusters over them, each (cluster, model)'s decayed success and cost, and
/// an inverted index for the nearest-neighbour search.
///
/// A prompt's estimate for a model is shrunk in three steps: the model's
/// overall rate toward the registry prior, its cluster's rate toward the
/// overall rate, and its nearest neighbours' scores (weighted by
/// similarity^power) toward the cluster's. Building is deterministic (the
/// same history, priors and time give the same index); estimating is
/// read-only and safe from many threads.
class prompt_index {
 public:
  prompt_index() = default;

  /// `priors[m]` is model m's registry quality; the number of models is
  /// `priors.size()`. Outcomes decay to `now_s`.
  [[nodiscard]] static prompt_index build(const prompt_history& history,
                                          std::span<const double> priors,
                                          double now_s);

  /// Every model's estimate for a prompt with `terms`, into `out` (one per
  /// model). Returns what it read.
  prompt_evidence estimate(std::span<const prompt_term> terms,
                           std::vector<prompt_estimate>& out) const;

  [[nodiscard]] std::size_t prompts() const noexcept {
    return docs_;
  }

  [[nodiscard]] std::size_t clusters() const noexcept {
    return cluster_count_;
  }

  [[nodiscard]] std::size_t model_count() const noexcept {
    return priors_.size();
  }

  /// The history's version it was built from.
  [[nodiscard]] std::uint64_t history_version() const noexcept {
    return history_version_;
  }

  /// Approximate heap bytes held.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  /// Which cluster each remembered prompt fell in, oldest first (tests).
  [[nodiscard]] const std::vector<std::uint16_t>& assignments() const noexcept {
    return doc_cluster_;
  }

 private:
  /// Decayed sums of one model's outcomes.
  struct tally {
    double weight = 0.0;
    double score = 0.0;
    double cost_weight = 0.0;
    double cost = 0.0;
  };
  struct doc_outcome {
    std::uint16_t model = 0;
    float score = 0.0f; ///< mean
    float cost = 0.0f;  ///< mean, USD; NaN when no cost was known
  };
  /// One remembered prompt's term in the inverted index.
  struct posting {
    std::uint32_t doc = 0;
    std::uint32_t term = 0;
    float weight = 0.0f;
  };
  /// One term of a cluster's centroid (terms by frequency bucket).
  struct centroid_entry {
    std::uint32_t bucket = 0;
    std::uint16_t cluster = 0;
    float weight = 0.0f;
  };
  struct query_term {
    std::uint32_t id = 0;
    std::uint32_t bucket = 0;
    float weight = 0.0f;
  };

  static void add_to(tally& t, const prompt_outcome& o, double f);

  /// The first posting in [first, last) (sorted by document) whose document
  /// is at least `doc`.
  static const posting* first_at_or_after(const posting* first,
                                          const posting* last,
                                          std::uint32_t doc) noexcept;

  /// The query's weighted, unit-length vector.
  void weigh(std::span<const prompt_term> terms,
             std::vector<query_term>& out) const;

  prompt_model_params params_;
  std::vector<double> priors_;
  std::uint64_t history_version_ = 0;
  std::size_t docs_ = 0;
  /// Inverse document frequency by frequency bucket
  /// (prompt_history::frequency_bucket).
  std::vector<float> idf_;
  /// Documents are numbered by cluster: cluster c holds documents
  /// [cluster_begin_[c], cluster_begin_[c + 1]).
  std::vector<std::uint32_t> cluster_begin_;
  /// Postings by frequency bucket (CSR), each bucket's sorted by document;
  /// the commonest terms are left out.
  std::vector<std::uint32_t> posting_begin_;
  std::vector<posting> postings_;
  /// Outcomes by document (CSR).
  std::vector<std::uint32_t> outcome_begin_;
  std::vector<doc_outcome> outcomes_;
  /// Each history entry's cluster, oldest first.
  std::vector<std::uint16_t> doc_cluster_;
  /// Sorted by bucket.
  std::vector<centroid_entry> centroids_;
  /// A bit per frequency bucket: set when some centroid has a term there,
  /// so most of a prompt's terms skip the centroids at once. A set bit's
  /// rank (the set bits before it: `centroid_rank_` per 64-bit word plus a
  /// popcount) numbers the distinct buckets, and `centroid_begin_` maps
  /// that number to its entries in `centroids_`: a lookup without a search.
  std::vector<std::uint64_t> centroid_buckets_;
  std::vector<std::uint32_t> centroid_rank_;
  std::vector<std::uint32_t> centroid_begin_;
  std::size_t cluster_count_ = 0;
  /// cluster * models + model.
  std::vector<tally> cluster_tally_;
  std::vector<tally> global_tally_;
};

/// Whether `index` should be rebuilt from `history` (see
/// prompt_model_params::refit_min_outcomes).
[[nodiscard]] bool needs_refit(const prompt_history& history,
                               const prompt_index& index) noexcept;

/// What the router reads per model: the success predictor's estimates
/// (`predicted`, may be empty) blended with the prompt model's (`prompt`,
/// may be empty): probability `blend` * the prompt model's + the rest the
/// predictor's, the larger weight, and the prompt model's learned cost.
void combine_estimates(std::span<const success_estimate> predicted,
                       std::span<const prompt_estimate> prompt, double blend,
                       std::vector<success_estimate>& out);

} // namespace switchyard::engine
