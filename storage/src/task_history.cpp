#include "switchyard/storage/task_history.hpp"

#include <optional>
#include <unordered_map>

namespace switchyard::storage {

namespace {

/// Registries by config hash, loaded once each.
class registry_cache {
public:
  registry_cache(store& db, const engine::registry& fallback)
    : db_(db), fallback_(fallback) {
  }

  const engine::registry& get(std::uint64_t hash) {
    auto i = registries_.find(hash);
    if (i == registries_.end()) {
      auto loaded = db_.get_registry(hash);
      i = registries_.emplace(hash, loaded ? std::move(*loaded) : fallback_)
            .first;
    }
    return i->second;
  }

private:
  store& db_;
  const engine::registry& fallback_;
  std::unordered_map<std::uint64_t, engine::registry> registries_;
};

/// An executed decision as analytics reads it; none for route-only ones.
std::optional<engine::task_summary> summarize(const decision_record& rec,
                                              registry_cache& registries) {
  if (!rec.execute || rec.rounds.empty())
    return std::nullopt;
  const auto& first = rec.rounds.front().decision;
  const auto& reg = registries.get(first.config_hash);
  auto name = [&reg](std::uint16_t m) {
    return m < reg.models.size() ? reg.models[m].id : "#" + std::to_string(m);
  };
  auto provider = [&reg](std::uint16_t m) {
    return m < reg.models.size() ? reg.models[m].provider : std::string{"?"};
  };
  engine::task_summary t;
  t.decision_id = rec.decision_id;
  t.created_unix_s = rec.created_unix_ms / 1000;
  t.type = first.cls.type;
  t.budget_key = rec.task.budget_key;
  for (const auto& a : rec.attempts) {
    if (a.error == engine::call_error::cancelled
        || a.error == engine::call_error::breaker_open)
      continue; // no call went out, or nothing it said counts
    t.attempts.push_back({name(a.model), provider(a.model),
                          a.error == engine::call_error::none, a.cost_nanos,
                          a.latency_ms});
  }
  if (rec.answered)
    t.answered_by = name(rec.answered_by);
  t.input_tokens = rec.input_tokens;
  t.output_tokens = rec.output_tokens;
  return t;
}

} // namespace

caf::expected<std::vector<engine::task_summary>>
load_task_history(store& db, const engine::registry& fallback) {
  // Mean feedback score per decision.
  std::unordered_map<std::uint64_t, engine::sample_tally> feedback;
  auto read_feedback = db.for_each_feedback([&](feedback_record& f) {
    if (auto score = engine::score_feedback(f.report))
      feedback[f.decision_id].add(*score);
    return true;
  });
  if (!read_feedback)
    return std::move(read_feedback.error());
  registry_cache registries{db, fallback};
  std::vector<engine::task_summary> out;
  auto read_decisions = db.for_each_decision([&](decision_record& rec) {
    auto t = summarize(rec, registries);
    if (!t)
      return true;
    if (auto i = feedback.find(rec.decision_id); i != feedback.end())
      t->feedback = i->second.mean();
    out.push_back(std::move(*t));
    return true;
  });
  if (!read_decisions)
    return std::move(read_decisions.error());
  return out;
}

caf::expected<std::vector<engine::task_summary>>
load_recent_task_history(store& db, const engine::registry& fallback,
                         std::int64_t since_unix_ms, std::size_t max_tasks,
                         bool& truncated) {
  truncated = false;
  registry_cache registries{db, fallback};
  std::vector<engine::task_summary> out;
  auto read = db.for_each_decision_newest_first(
    0, 0, [&](decision_record& rec) {
      // Ids grow with admission time (each coordinator shard counts up
      // from the same start), so the window ends about where the first
      // decision older than it is.
      if (rec.created_unix_ms < since_unix_ms)
        return false;
      auto t = summarize(rec, registries);
      if (!t)
        return true;
      if (out.size() == max_tasks) {
        truncated = true;
        return false;
      }
      out.push_back(std::move(*t));
      return true;
    });
  if (!read)
    return std::move(read.error());
  return out;
}

caf::expected<std::vector<engine::task_summary>>
load_spend_rollups(store& db, const engine::registry& fallback,
                   rollup_width width, std::int64_t from_s, std::int64_t to_s,
                   std::uint64_t& tasks) {
  tasks = 0;
  registry_cache registries{db, fallback};
  auto name_of = [&](std::uint64_t hash, std::uint16_t m) {
    const auto& reg = registries.get(hash);
    if (m < reg.models.size())
      return std::pair{reg.models[m].id, reg.models[m].provider};
    return std::pair{"#" + std::to_string(m), std::string{"?"}};
  };
  std::vector<engine::task_summary> out;
  auto read = db.for_each_spend_rollup(
    width, from_s, to_s, [&](std::int64_t start, const spend_rollup& r) {
      for (const auto& g : r.groups)
        tasks += g.tasks;
      rollup_tasks(r, start, name_of, out);
    });
  if (!read)
    return std::move(read.error());
  return out;
}

} // namespace switchyard::storage
