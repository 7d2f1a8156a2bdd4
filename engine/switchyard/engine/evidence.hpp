#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::engine {

/// Learned evidence about one (model, task type) as time-decayed sums. Unlike
/// the EMAs of a `learned_cell`, sums decayed to the same instant merge by
/// addition, so evidence gathered on different nodes combines in any order
/// and any grouping: the commutative deltas of a cluster.
struct evidence {
  double calls = 0.0;
  double successes = 0.0;
  double latency_ms_sum = 0.0;
  double cost_nanos_sum = 0.0;
  double feedback_count = 0.0;
  double feedback_sum = 0.0;
  /// Seconds since the Unix epoch the sums are decayed to.
  double as_of_s = 0.0;

  /// The same evidence decayed to `now_s` (never forward past as_of_s).
  [[nodiscard]] evidence decayed_to(double now_s,
                                    double half_life_s) const noexcept;

  /// Adds `other` after decaying both to the later of the two instants.
  void merge(const evidence& other, double half_life_s) noexcept;

  [[nodiscard]] bool empty() const noexcept {
    return calls == 0.0 && feedback_count == 0.0;
  }
};

/// One finished call as evidence.
[[nodiscard]] evidence outcome_evidence(bool success, double latency_ms,
                                        double cost_nanos,
                                        double now_s) noexcept;

/// One feedback score (0-1) as evidence.
[[nodiscard]] evidence feedback_evidence(double score, double now_s) noexcept;

/// Blends what this node learned itself (`local`, from its EMAs) with what
/// the other nodes of the cluster learned (`remote`), weighting each by its
/// decayed sample count.
[[nodiscard]] model_performance blend(const model_performance& local,
                                      const evidence& remote, double now_s,
                                      const learning_params& p) noexcept;

/// Evidence for a cell named by model id (registry indices differ between
/// registries; ids do not).
struct evidence_entry {
  std::string model;
  task_type type = task_type::general;
  evidence sums;
};

/// What every node of a cluster learned, kept per origin (a node incarnation)
/// and per cell as running totals with a version. A newer version of a
/// total replaces an older one and an older one is ignored, so applying
/// totals is idempotent and order-independent, and a node that missed
/// updates catches up from anyone's copy.
class replicated_evidence {
public:
  struct versioned {
    std::uint64_t version = 0;
    evidence sums;
  };

  struct origin_total {
    std::string origin;
    std::uint64_t version = 0;
    evidence_entry entry;
  };

  /// Keeps the total when its version is newer; true when it changed.
  bool apply(const origin_total& t);

  /// Adds a local delta to `origin`'s total for the cell and bumps its
  /// version; returns the new total (to send to peers).
  origin_total add_local(const std::string& origin, const evidence_entry& delta,
                         double half_life_s);

  /// Every origin's totals except `self_origin`, summed per cell.
  [[nodiscard]] std::vector<evidence_entry>
  remote_sums(const std::string& self_origin, double half_life_s) const;

  /// Every total held, for a peer that (re)joins.
  [[nodiscard]] std::vector<origin_total> all() const;

  [[nodiscard]] std::size_t origin_count() const noexcept {
    return origins_.size();
  }

private:
  using cell_key = std::pair<std::string, task_type>;
  std::map<std::string, std::map<cell_key, versioned>> origins_;
  std::map<std::string, std::uint64_t> next_version_;
};

} // namespace switchyard::engine
