#pragma once

#include "quality_bench.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::bench {

/// A synthetic N-model routing set with planted structure (issue 19's
/// check): `topics` kinds of prompt, each written from its own vocabulary
/// mixed with words every topic shares, and `models` models where, on each
/// topic, a different cheap model is as good as the strongest and the other
/// cheap models are poor. Nothing labels a prompt's topic for the router:
/// it must find the specialists from outcomes alone.
struct planted_topics_params {
  std::size_t topics = 6;
  /// At least topics + 2: one specialist per topic, a mid-priced generalist
  /// and the strongest (the most expensive).
  std::size_t models = 8;
  std::size_t train_per_topic = 300;
  std::size_t test_per_topic = 100;
  /// Probability that the specialist (on its topic) and the strongest
  /// model (everywhere) answer well.
  double strong_accuracy = 0.97;
  /// The generalist's, everywhere.
  double generalist_accuracy = 0.8;
  /// A specialist's off its topic.
  double off_topic_accuracy = 0.05;
  /// Share of a prompt's words drawn from its topic's vocabulary; the rest
  /// come from words all topics share.
  double topic_share = 0.25;
  std::uint64_t seed = 19;
};

struct planted_topics_set {
  /// A registry of the models (prices rising with the index; the strongest
  /// last), selecting by `utility`.
  std::string registry_yaml;
  std::vector<quality_record> train;
  std::vector<quality_record> test;
};

/// Generates the set; the same parameters give the same set.
[[nodiscard]] planted_topics_set
make_planted_topics(const planted_topics_params& p = {});

} // namespace switchyard::bench
