// runtime_admin: the queries that read the store on its thread, and those
// the bridge asks the actors for.

#include "switchyard/runtime_admin.hpp"

#include "runtime_state.hpp"

#include "switchyard/engine/money.hpp"
#include "switchyard/storage/task_history.hpp"

#include <chrono>

namespace switchyard {

namespace {

using graph_ref = const actors::actor_graph&;
using bridge_self = caf::event_based_actor*;

/// Runs `query(db)` on the storage thread and answers `done` with what it
/// returns; answers at once when the store cannot be reached.
template <class T, class Query>
void ask_store(detail::runtime_state& s, runtime_admin::callback<T> done,
               Query query) {
  auto reply = detail::make_reply<T>(std::move(done));
  auto err = s.on_store([reply, query = std::move(query)](storage::store& db) {
    (*reply)(query(db));
  });
  if (err)
    (*reply)(std::move(err));
}

/// Has the bridge send `ask(self, graph, reply)`; answers at once after
/// shutdown.
template <class T, class Ask>
void ask_actors(detail::runtime_state& s, runtime_admin::callback<T> done,
                Ask ask) {
  auto reply = detail::make_reply<T>(std::move(done));
  auto err = s.to_bridge(
    [reply, ask = std::move(ask)](bridge_self self, graph_ref g) {
      ask(self, g, reply);
    });
  if (err)
    (*reply)(std::move(err));
}

/// An experiment reply from learning as a list, or its error.
caf::expected<runtime_admin::experiment_list>
experiments_of(experiment_reply& r) {
  if (!r.ok())
    return caf::make_error(r.error, std::move(r.error_message));
  return std::move(r.experiments);
}

/// Asks learning about experiments with `args`.
template <class... Ts>
void ask_learning_experiments(
  detail::runtime_state& s,
  runtime_admin::callback<runtime_admin::experiment_list> done, Ts... args) {
  using list = runtime_admin::experiment_list;
  ask_actors<list>(
    s, std::move(done),
    [args...](bridge_self self, graph_ref g, detail::reply_ptr<list> reply) {
      self->request(g.learning, caf::infinite, args...)
        .then(
          [reply](experiment_reply& r) { (*reply)(experiments_of(r)); },
          [reply](caf::error& e) {
            (*reply)(caf::make_error(error_code::invalid_argument,
                                     "learning did not answer: "
                                       + caf::to_string(e)));
          });
    });
}

} // namespace

runtime_admin::runtime_admin(detail::runtime_state& state) noexcept
  : state_(state) {
}

runtime_admin::~runtime_admin() = default;

// -- the decision log ---------------------------------------------------------

void runtime_admin::logged(std::uint64_t decision_id,
                           callback<logged_decision> done) {
  ask_store<logged_decision>(
    state_, std::move(done),
    [decision_id, reg = state_.registry](
      storage::store& db) -> caf::expected<logged_decision> {
      auto rec = db.get_decision(decision_id);
      if (!rec)
        return std::move(rec.error());
      logged_decision out;
      out.record = std::move(*rec);
      // Feedback that cannot be read leaves the decision explainable.
      if (auto fb = db.feedback_for(decision_id))
        out.feedback = std::move(*fb);
      auto hash = out.record.rounds.empty()
                    ? reg->config_hash
                    : out.record.rounds.front().decision.config_hash;
      if (auto logged_reg = db.get_registry(hash)) {
        out.registry = std::move(*logged_reg);
        out.registry_logged = true;
        // A compact record stores inputs, not evidence: recompute it.
        static const engine::keyword_classifier classifier;
        actors::restore_evidence(out.record, out.registry, classifier);
      } else {
        out.registry = *reg;
      }
      return out;
    });
}

std::future<caf::expected<logged_decision>>
runtime_admin::logged(std::uint64_t decision_id) {
  return detail::as_future<caf::expected<logged_decision>>(
    [&](auto done) { logged(decision_id, std::move(done)); });
}

void runtime_admin::replay(std::uint64_t decision_id,
                           callback<actors::replay_report> done) {
  ask_store<actors::replay_report>(
    state_, std::move(done),
    [decision_id, reg = state_.registry, cls = state_.classifier](
      storage::store& db) -> caf::expected<actors::replay_report> {
      auto rec = db.get_decision(decision_id);
      if (!rec)
        return std::move(rec.error());
      return actors::replay_decision(*rec, *reg, *cls);
    });
}

std::future<caf::expected<actors::replay_report>>
runtime_admin::replay(std::uint64_t decision_id) {
  return detail::as_future<caf::expected<actors::replay_report>>(
    [&](auto done) { replay(decision_id, std::move(done)); });
}

void runtime_admin::decisions(std::uint64_t before, std::uint64_t after,
                              std::size_t limit,
                              callback<storage::decision_page> done) {
  ask_store<storage::decision_page>(
    state_, std::move(done),
    [before, after, limit, reg = state_.registry](storage::store& db) {
      return storage::list_decisions(db, *reg, before, after, limit);
    });
}

// -- analytics and spend ------------------------------------------------------

void runtime_admin::analytics(callback<storage::analytics_report> done) {
  ask_store<storage::analytics_report>(
    state_, std::move(done),
    [reg = state_.registry, clock = state_.clock](storage::store& db) {
      return storage::build_analytics_report(db, *reg, clock->wall_ms());
    });
}

std::future<caf::expected<storage::analytics_report>>
runtime_admin::analytics() {
  return detail::as_future<caf::expected<storage::analytics_report>>(
    [&](auto done) { analytics(std::move(done)); });
}

void runtime_admin::spend(spend_query q, callback<spend_report> done) {
  ask_store<spend_report>(
    state_, std::move(done),
    [q, reg = state_.registry](
      storage::store& db) -> caf::expected<spend_report> {
      // The store's per-minute or per-hour rollups, not the decisions: a
      // record per bucket whatever the traffic. The window starts at the
      // start of the rollup bucket it falls in.
      auto width = q.bucket_s % 3600 == 0 ? storage::rollup_width::hour
                                          : storage::rollup_width::minute;
      auto step = storage::seconds_of(width);
      auto from_s = q.since_unix_ms / 1000;
      from_s -= ((from_s % step) + step) % step;
      auto to_s = q.until_unix_ms / 1000;
      spend_report out;
      auto tasks = storage::load_spend_rollups(db, *reg, width, from_s, to_s,
                                               out.tasks);
      if (!tasks)
        return std::move(tasks.error());
      out.series = engine::spend_over_time(*tasks, *reg, from_s, to_s,
                                           q.bucket_s);
      return out;
    });
}

// -- learned state ------------------------------------------------------------

void runtime_admin::learned(callback<engine::performance_table> done) {
  using table = engine::performance_table;
  ask_actors<table>(state_, std::move(done),
                    [](bridge_self self, graph_ref g,
                       detail::reply_ptr<table> reply) {
                      self
                        ->request(g.learning, caf::infinite,
                                  snapshot_atom::value)
                        .then([reply](table& t) { (*reply)(std::move(t)); },
                              [reply](caf::error& e) {
                                (*reply)(std::move(e));
                              });
                    });
}

void runtime_admin::learned_samples(
  std::int64_t since_unix_ms,
  callback<std::vector<storage::learned_sample_record>> done) {
  using samples = std::vector<storage::learned_sample_record>;
  ask_actors<samples>(
    state_, std::move(done),
    [since_unix_ms](bridge_self self, graph_ref g,
                    detail::reply_ptr<samples> reply) {
      if (!g.sampler) {
        (*reply)(samples{});
        return;
      }
      self->request(g.sampler, caf::infinite, snapshot_atom::value,
                    since_unix_ms)
        .then([reply](samples& s) { (*reply)(std::move(s)); },
              [reply](caf::error& e) { (*reply)(std::move(e)); });
    });
}

// -- A/B experiments ----------------------------------------------------------

void runtime_admin::start_experiment(engine::experiment_spec spec,
                                     callback<experiment_list> done) {
  ask_learning_experiments(state_, std::move(done), start_atom::value,
                           std::move(spec));
}

std::future<caf::expected<runtime_admin::experiment_list>>
runtime_admin::start_experiment(engine::experiment_spec spec) {
  return detail::as_future<caf::expected<experiment_list>>(
    [&](auto done) { start_experiment(std::move(spec), std::move(done)); });
}

void runtime_admin::stop_experiment(std::string id,
                                    callback<experiment_list> done) {
  ask_learning_experiments(state_, std::move(done), stop_atom::value,
                           std::move(id));
}

std::future<caf::expected<runtime_admin::experiment_list>>
runtime_admin::stop_experiment(std::string id) {
  return detail::as_future<caf::expected<experiment_list>>(
    [&](auto done) { stop_experiment(std::move(id), std::move(done)); });
}

void runtime_admin::experiments(callback<experiment_list> done) {
  ask_learning_experiments(state_, std::move(done), experiment_atom::value);
}

std::future<caf::expected<runtime_admin::experiment_list>>
runtime_admin::experiments() {
  return detail::as_future<caf::expected<experiment_list>>(
    [&](auto done) { experiments(std::move(done)); });
}

// -- budgets ------------------------------------------------------------------

void runtime_admin::budget_summary(callback<ledger_summary> done) {
  ask_actors<ledger_summary>(
    state_, std::move(done),
    [](bridge_self self, graph_ref g, detail::reply_ptr<ledger_summary> reply) {
      self->request(g.ledger, caf::infinite, stats_atom::value)
        .then([reply](ledger_summary& s) { (*reply)(std::move(s)); },
              [reply](caf::error& e) { (*reply)(std::move(e)); });
    });
}

std::future<caf::expected<ledger_summary>> runtime_admin::budget_summary() {
  return detail::as_future<caf::expected<ledger_summary>>(
    [&](auto done) { budget_summary(std::move(done)); });
}

void runtime_admin::set_key_budget(const std::string& budget_key,
                                   std::optional<double> budget_usd) {
  auto held = state_.hold();
  const auto& g = state_.graph;
  if (!held || !g.ledger)
    return;
  std::int64_t cap = budget_usd ? engine::usd_to_nanos_ceil(*budget_usd) : -1;
  // Calls reserve from now on; the ledger clears the flag again if no cap
  // is left.
  if (budget_usd && g.budget_caps_set)
    g.budget_caps_set->store(true, std::memory_order_release);
  caf::anon_send(g.ledger, key_cap_atom::value, budget_key, cap);
}

// -- API keys -----------------------------------------------------------------

void runtime_admin::api_keys(
  callback<std::vector<storage::api_key_record>> done) {
  ask_store<std::vector<storage::api_key_record>>(
    state_, std::move(done),
    [](storage::store& db) { return db.list_api_keys(); });
}

void runtime_admin::save_api_key(storage::api_key_record key,
                                 callback<void> done) {
  ask_store<void>(state_, std::move(done),
                  [key = std::move(key)](storage::store& db) {
                    return db.put_api_key(key);
                  });
}

// -- providers ----------------------------------------------------------------

void runtime_admin::breaker_states(
  callback<std::vector<breaker_change>> done) {
  using states = std::vector<breaker_change>;
  ask_actors<states>(
    state_, std::move(done),
    [](bridge_self self, graph_ref g, detail::reply_ptr<states> reply) {
      // Every provider's breaker, in provider order; one that does not
      // answer keeps its index and the default (closed) state.
      auto out = std::make_shared<states>(g.breakers.size());
      auto left = std::make_shared<std::size_t>(g.breakers.size());
      if (*left == 0)
        return (*reply)(states{});
      for (std::size_t i = 0; i < g.breakers.size(); ++i) {
        auto one_done = [out, left, reply] {
          if (--*left == 0)
            (*reply)(std::move(*out));
        };
        (*out)[i].provider = static_cast<std::uint16_t>(i);
        self->request(g.breakers[i], caf::infinite, state_atom::value)
          .then(
            [out, i, one_done](breaker_change& c) {
              (*out)[i] = c;
              one_done();
            },
            [one_done](caf::error&) { one_done(); });
      }
    });
}

std::future<caf::expected<std::vector<breaker_change>>>
runtime_admin::breaker_states() {
  return detail::as_future<caf::expected<std::vector<breaker_change>>>(
    [&](auto done) { breaker_states(std::move(done)); });
}

// The breaker log and the board outlive the actors: no lock needed.

std::vector<actors::breaker_transition>
runtime_admin::breaker_history() const {
  return state_.breaker_log ? state_.breaker_log->snapshot()
                            : std::vector<actors::breaker_transition>{};
}

actors::availability_board::snapshot runtime_admin::availability() const {
  return state_.board->read();
}

bool runtime_admin::discovery_done() const {
  return state_.board->first_round_done();
}

const engine::time_source& runtime_admin::clock() const noexcept {
  return *state_.clock;
}

std::chrono::milliseconds
runtime_admin::learned_sampling_interval() const noexcept {
  return state_.learned_interval;
}

} // namespace switchyard
