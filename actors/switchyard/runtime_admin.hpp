#pragma once

#include "switchyard/actors/availability_board.hpp"
#include "switchyard/actors/breaker_history.hpp"
#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/engine/analytics.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/messages/task_messages.hpp"
#include "switchyard/storage/analytics_report.hpp"
#include "switchyard/storage/api_key.hpp"
#include "switchyard/storage/decision_listing.hpp"
#include "switchyard/storage/learned_sample.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace switchyard {

namespace detail {
struct runtime_state;
} // namespace detail

/// A logged decision with the feedback it received, for `explain`.
struct logged_decision {
  decision_record record;
  std::vector<feedback_record> feedback;
  /// The registry the decision was made under (model indices refer to it);
  /// the runtime's own when the store lacks it (`registry_logged` false).
  engine::registry registry;
  bool registry_logged = false;
};

/// Which time a spend series covers.
struct spend_query {
  /// Wall-clock window, ms since the Unix epoch; it starts at the start of
  /// the minute (hour, for buckets of whole hours) it falls in.
  std::int64_t since_unix_ms = 0;
  std::int64_t until_unix_ms = 0;
  std::int64_t bucket_s = 60;
};

/// Spend over a window, from the store's rollups.
struct spend_report {
  engine::spend_series series;
  /// Executed tasks the window's rollups sum.
  std::uint64_t tasks = 0;
};

/// A runtime's queries and administration: the decision log, analytics and
/// spend, learned state, A/B experiments, budgets, API keys and what is
/// known of the providers. Obtained from runtime::admin() and valid as long
/// as the runtime; thread-safe like it.
///
/// Every callback runs exactly once, on one of the runtime's threads, and
/// must not block. Queries of the store run on the storage thread, in
/// order with the runtime's own writes (a read sees every decision logged
/// before it was asked), and fail with `not_found` without a data_dir.
/// After shutdown every query fails at once with `invalid_argument`.
class runtime_admin {
public:
  template <class T>
  using callback = std::function<void(caf::expected<T>)>;

  using experiment_list = std::vector<experiment_report>;

  runtime_admin(const runtime_admin&) = delete;
  runtime_admin& operator=(const runtime_admin&) = delete;

  ~runtime_admin();

  // -- the decision log (needs a data_dir) ------------------------------------

  /// A logged decision: the task, every routing round with its inputs and
  /// candidates, how it ended, and its feedback. `not_found` when the
  /// decision is unknown or past retention.
  void logged(std::uint64_t decision_id, callback<logged_decision> done);
  [[nodiscard]] std::future<caf::expected<logged_decision>>
  logged(std::uint64_t decision_id);

  /// Recomputes a logged decision from its logged inputs with this
  /// runtime's registry, and says whether it comes out the same.
  void replay(std::uint64_t decision_id, callback<actors::replay_report> done);
  [[nodiscard]] std::future<caf::expected<actors::replay_report>>
  replay(std::uint64_t decision_id);

  /// Logged decisions with `after < id < before` (`before` 0: the newest),
  /// newest first, at most `limit`; reads about `limit` records whatever
  /// the log's size.
  void decisions(std::uint64_t before, std::uint64_t after, std::size_t limit,
                 callback<storage::decision_page> done);

  // -- analytics and spend (need a data_dir) ----------------------------------

  /// Model performance per model and task type, cost analysis and
  /// recommendations (computed on the storage thread).
  void analytics(callback<storage::analytics_report> done);
  [[nodiscard]] std::future<caf::expected<storage::analytics_report>>
  analytics();

  /// Spend over time from the store's per-minute and per-hour spend rollups
  /// (kept as decisions are logged: a record per bucket, however many
  /// decisions).
  void spend(spend_query q, callback<spend_report> done);

  // -- learned state ----------------------------------------------------------

  /// The learned state as the scorer reads it now, one cell per (model,
  /// task type) of the registry.
  void learned(callback<engine::performance_table> done);

  /// The learned state's samples newer than `since_unix_ms`, oldest first
  /// (runtime_config::learned_sampling; none when it is not set). With a
  /// data_dir they include those a previous run stored.
  void learned_samples(
    std::int64_t since_unix_ms,
    callback<std::vector<storage::learned_sample_record>> done);

  /// How often the learned state is sampled; zero when it is not.
  [[nodiscard]] std::chrono::milliseconds
  learned_sampling_interval() const noexcept;

  // -- A/B experiments --------------------------------------------------------

  /// Starts splitting a task type's traffic between the spec's arms; the
  /// list holds the new experiment. `invalid_argument` says why it cannot
  /// start.
  void start_experiment(engine::experiment_spec spec,
                        callback<experiment_list> done);
  [[nodiscard]] std::future<caf::expected<experiment_list>>
  start_experiment(engine::experiment_spec spec);

  /// Stops an experiment (`not_found` for an unknown id); its results stay.
  void stop_experiment(std::string id, callback<experiment_list> done);
  [[nodiscard]] std::future<caf::expected<experiment_list>>
  stop_experiment(std::string id);

  /// Every experiment, running or stopped, with its statistical verdict.
  void experiments(callback<experiment_list> done);
  [[nodiscard]] std::future<caf::expected<experiment_list>> experiments();

  // -- budgets ----------------------------------------------------------------

  /// What the ledger holds: spend, reservations in flight, refusals, and
  /// every budget (global, today, per key) with its cap.
  void budget_summary(callback<ledger_summary> done);
  [[nodiscard]] std::future<caf::expected<ledger_summary>> budget_summary();

  /// Gives the key `budget_key` its own budget in USD (over all days), or
  /// back to the policy's per-key cap with none. What it spent still counts.
  void set_key_budget(const std::string& budget_key,
                      std::optional<double> budget_usd);

  // -- API keys (need a data_dir) ---------------------------------------------

  /// Every stored key, revoked ones included.
  void api_keys(callback<std::vector<storage::api_key_record>> done);

  /// Stores a new key, or a changed one (revoked, a new budget) in place of
  /// the old, synced: `done` succeeds once it is on disk.
  void save_api_key(storage::api_key_record key, callback<void> done);

  // -- providers --------------------------------------------------------------

  /// Every provider's circuit breaker (closed, open or half-open), in the
  /// registry's provider order.
  void breaker_states(callback<std::vector<breaker_change>> done);
  [[nodiscard]] std::future<caf::expected<std::vector<breaker_change>>>
  breaker_states();

  /// The breakers' recent transitions, oldest first (a bounded ring in
  /// memory: it starts empty with the process).
  [[nodiscard]] std::vector<actors::breaker_transition>
  breaker_history() const;

  /// What the health checks know of each provider and model (empty rows
  /// without runtime_config::health).
  [[nodiscard]] actors::availability_board::snapshot availability() const;

  /// Whether the first discovery round is over (at once without health
  /// checks): until then nothing is known of local servers.
  [[nodiscard]] bool discovery_done() const;

  /// The runtime's clock (see runtime::clock()).
  [[nodiscard]] const engine::time_source& clock() const noexcept;

private:
  friend class runtime;

  explicit runtime_admin(detail::runtime_state& state) noexcept;

  detail::runtime_state& state_;
};

} // namespace switchyard
