#pragma once

#include "switchyard/actors/prompt_model_state.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/evidence.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/success_predictor.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace switchyard::actors {

/// What learning starts from, and where it persists.
struct learning_setup {
  /// The storage actor; null keeps everything in memory.
  storage_actor storage;
  /// Cells and experiments loaded from the store at start.
  std::vector<engine::learned_entry> cells;
  std::vector<experiment_state> experiments;
  /// The success predictor's saved state, or empty.
  std::string predictor;
  /// The prompt model's saved history, or empty.
  std::string prompt_history;
};

struct learning_state {
  static inline const char* name = "switchyard.learning";

  /// What learning remembers of a recent decision, so that feedback that
  /// names only a decision id lands on the right cell and experiment arm.
  struct decision_ref {
    std::uint16_t model = 0;
    engine::task_type type = engine::task_type::general;
    bool routed = false;
    /// Index into `experiments`, or -1.
    std::int32_t experiment = -1;
    std::uint32_t arm = 0;
    /// An experiment takes one observation per decision.
    bool observed = false;
    /// decision_owner() of the key that made it.
    std::uint64_t owner = 0;
  };

  runtime_context ctx;
  engine::learning_params params;
  /// One cell per (model, task type).
  std::vector<engine::learned_cell> cells;
  std::vector<scorer_actor> subscribers;
  bool publish_pending = false;
  std::unordered_map<std::uint64_t, decision_ref> decisions;
  /// Bounds `decisions`: oldest first.
  std::deque<std::uint64_t> decision_order;
  std::uint64_t feedback_unmatched = 0;
  /// Feedback from a key on another key's decision (answered as unknown).
  std::uint64_t feedback_refused = 0;
  storage_actor storage;
  /// Cells changed since they were last persisted.
  std::vector<std::uint8_t> cell_dirty;
  std::vector<std::size_t> dirty_cells;
  std::vector<experiment_state> experiments;
  std::vector<std::uint8_t> experiment_dirty;
  /// Coordinators that apply the running experiments.
  std::vector<coordinator_actor> coordinators;
  // -- clustering ---------------------------------------------------------------
  /// The cluster actor, sent this node's new evidence at every publish;
  /// null outside a cluster.
  caf::actor cluster;
  /// Evidence gathered since the last publish, by cell.
  std::vector<engine::evidence> pending_evidence;
  std::vector<std::size_t> pending_cells;
  /// The other nodes' evidence by cell (empty outside a cluster), blended
  /// into every snapshot.
  std::vector<engine::evidence> remote;
  // -- the per-prompt success predictor ------------------------------------------
  /// Trained from feedback on the prompts' features; none when the
  /// runtime runs without one.
  std::optional<engine::success_predictor> predictor;
  /// What the scorers read: refreshed and pushed at a publish after updates.
  std::shared_ptr<const engine::success_predictor_view> view;
  bool predictor_changed = false;
  /// Updates not yet in the store.
  bool predictor_unsaved = false;
  std::int64_t predictor_saved_ms = 0;
  /// Why the stored state could not be loaded (none: loaded or absent).
  engine::predictor_load_error predictor_load_error
    = engine::predictor_load_error::none;
  /// Features of recent decisions' prompts, for feedback to train on.
  std::unordered_map<std::uint64_t, std::vector<engine::sparse_feature>>
    features;
  /// Bounds `features`: oldest first.
  std::deque<std::uint64_t> features_order;
  std::uint64_t predictor_updates = 0;
  // -- the prompt model ------------------------------------------------------------
  /// None unless the registry's `prompt_model.enabled`.
  std::optional<prompt_model_state> prompt;
};

/// The snapshot of stored cells that learning would publish at `now_s`
/// (seconds since the Unix epoch): cells of models `reg` lacks are left out.
/// Empty (no model) when there are no cells.
[[nodiscard]] engine::performance_table
snapshot_of(const std::vector<engine::learned_entry>& cells,
            const engine::registry& reg, double now_s,
            const engine::learning_params& params = {});

/// The running experiments whose arms `reg` can serve: what coordinators
/// apply.
[[nodiscard]] std::vector<engine::experiment_spec>
running_experiments(const std::vector<experiment_state>& all,
                    const engine::registry& reg);

/// How long learning waits to batch updates into one snapshot for the
/// scorer (and one write to the store).
inline constexpr std::chrono::milliseconds learning_publish_delay{50};

/// The success predictor's state is written to the store at most this
/// often (and at every flush, so a clean shutdown loses nothing).
inline constexpr std::chrono::milliseconds predictor_save_interval{10'000};

/// Decisions whose prompt features learning keeps for feedback to train
/// the predictor on; feedback on older ones still updates the
/// per-(model, task type) cells.
inline constexpr std::size_t predictor_feature_memory = 10'000;

/// Keeps learned performance and the A/B tests, pushes snapshots to
/// subscribers and running experiments to coordinators, and persists both
/// through the storage actor. Time is the context's wall clock, so learned
/// state decays across restarts.
learning_actor::behavior_type
learning(learning_actor::stateful_pointer<learning_state> self,
         runtime_context ctx, std::vector<scorer_actor> subscribers,
         learning_setup setup);

} // namespace switchyard::actors
