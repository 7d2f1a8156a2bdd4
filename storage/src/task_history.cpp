#include "switchyard/storage/task_history.hpp"

#include <unordered_map>

namespace switchyard::storage {

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

  std::unordered_map<std::uint64_t, engine::registry> registries;
  auto registry_for = [&](std::uint64_t hash) -> const engine::registry& {
    auto i = registries.find(hash);
    if (i == registries.end()) {
      auto loaded = db.get_registry(hash);
      i = registries.emplace(hash, loaded ? std::move(*loaded) : fallback)
            .first;
    }
    return i->second;
  };
  auto name = [](const engine::registry& reg, std::uint16_t m) {
    return m < reg.models.size() ? reg.models[m].id : "#" + std::to_string(m);
  };
  auto provider = [](const engine::registry& reg, std::uint16_t m) {
    return m < reg.models.size() ? reg.models[m].provider : std::string{"?"};
  };

  std::vector<engine::task_summary> out;
  auto read_decisions = db.for_each_decision([&](decision_record& rec) {
    if (!rec.execute || rec.rounds.empty())
      return true;
    const auto& first = rec.rounds.front().decision;
    const auto& reg = registry_for(first.config_hash);
    engine::task_summary t;
    t.decision_id = rec.decision_id;
    t.created_unix_s = rec.created_unix_ms / 1000;
    t.type = first.cls.type;
    t.budget_key = rec.task.budget_key;
    for (const auto& a : rec.attempts) {
      if (a.error == engine::call_error::cancelled
          || a.error == engine::call_error::breaker_open)
        continue; // no call went out, or nothing it said counts
      t.attempts.push_back({name(reg, a.model), provider(reg, a.model),
                            a.error == engine::call_error::none, a.cost_nanos,
                            a.latency_ms});
    }
    if (rec.answered)
      t.answered_by = name(reg, rec.answered_by);
    t.input_tokens = rec.input_tokens;
    t.output_tokens = rec.output_tokens;
    if (auto i = feedback.find(rec.decision_id); i != feedback.end())
      t.feedback = i->second.mean();
    out.push_back(std::move(t));
    return true;
  });
  if (!read_decisions)
    return std::move(read_decisions.error());
  return out;
}

} // namespace switchyard::storage
