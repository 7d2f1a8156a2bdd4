#pragma once

#include "switchyard/engine/decay.hpp"

#include <cstddef>

namespace switchyard::engine {

/// Settings of the prompt model (prompt_history and prompt_index). The
/// defaults were chosen on a validation slice of the RouteLLM train records
/// and the planted-topic set (bench/README.md, "The prompt model").
struct prompt_model_params {
  /// Prompts remembered; the oldest is forgotten first. Memory grows about
  /// linearly with it (bench/README.md gives bytes per prompt).
  std::size_t max_prompts = 20000;
  /// Terms kept per remembered prompt: the most informative (count times
  /// inverse document frequency when it was added).
  std::size_t max_terms_per_prompt = 96;
  /// Neighbours whose outcomes correct the cluster's estimate.
  std::size_t neighbours = 64;
  /// Clusters at most; fewer while the history is small (one per
  /// `min_cluster_prompts`).
  std::size_t clusters = 32;
  std::size_t min_cluster_prompts = 150;
  std::size_t kmeans_iterations = 8;
  /// Terms kept per cluster centroid.
  std::size_t centroid_terms = 384;
  /// Pseudo-outcomes of the model's overall rate in each cluster's estimate.
  double cluster_prior_strength = 4.0;
  /// Pseudo-outcomes of the registry prior in a model's overall rate.
  double global_prior_strength = 4.0;
  /// Similarity mass at which the neighbours count as much as the cluster.
  double neighbour_shrinkage = 2.0;
  /// Neighbours count with similarity^power: near neighbours dominate.
  double similarity_power = 2.0;
  /// Terms in more than this share of the prompts are left out of the
  /// neighbour search (they carry almost no weight and cost the most).
  double max_term_share = 0.1;
  /// The neighbour search reads the prompt's this many most telling terms
  /// (and only within the prompt's cluster).
  std::size_t max_query_terms = 16;
  /// Outcomes (in the prompt's cluster) at which the estimate gets half the
  /// weight against the router's other signals.
  double confidence_half_outcomes = 10.0;
  double half_life_s = default_half_life_s;
  /// An index is rebuilt once the history has taken this many outcomes
  /// since, or `refit_share` of its size if more: rebuilding costs time in
  /// proportion to the history, so the amortised cost per outcome stays
  /// flat.
  std::size_t refit_min_outcomes = 64;
  double refit_share = 0.05;
  /// How much of a model's predicted success comes from the prompt model
  /// where the success predictor has one too (0-1).
  double blend = 1.0;
};

} // namespace switchyard::engine
