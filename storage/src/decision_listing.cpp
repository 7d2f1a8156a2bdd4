#include "switchyard/storage/decision_listing.hpp"

#include <unordered_map>

namespace switchyard::storage {

caf::expected<decision_page>
list_decisions(store& db, const engine::registry& fallback,
               std::uint64_t before, std::uint64_t after, std::size_t limit) {
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
  decision_page page;
  auto read = db.for_each_decision_newest_first(
    before, after, [&](decision_record& rec) {
      if (page.rows.size() == limit) {
        // One record past the page says whether there is more.
        page.more = true;
        return false;
      }
      decision_summary s;
      s.decision_id = rec.decision_id;
      s.created_unix_ms = rec.created_unix_ms;
      s.execute = rec.execute;
      s.cost_nanos = rec.cost_nanos;
      s.latency_ms = rec.latency_ms;
      s.attempts = static_cast<std::uint32_t>(rec.attempts.size());
      s.parallel = rec.parallel;
      s.ok = rec.error == error_code::none;
      s.error_message = rec.error_message;
      s.budget_key = rec.task.budget_key;
      s.experiment = rec.experiment;
      if (!rec.rounds.empty()) {
        const auto& first = rec.rounds.front().decision;
        const auto& reg = registry_for(first.config_hash);
        s.type = first.cls.type;
        s.tier = first.cls.tier;
        s.complexity_score = first.cls.score;
        std::optional<std::uint16_t> chosen;
        if (rec.answered)
          chosen = rec.answered_by;
        else if (first.has_model())
          chosen = first.model;
        if (chosen && *chosen < reg.models.size()) {
          s.model = reg.models[*chosen].id;
          s.provider = reg.models[*chosen].provider;
        }
        if (first.has_model() && !rec.parallel)
          for (const auto& a : rec.attempts)
            if (a.model != first.model)
              ++s.fallbacks;
      }
      page.rows.push_back(std::move(s));
      return true;
    });
  if (!read)
    return std::move(read.error());
  page.records_read = *read;
  return page;
}

} // namespace switchyard::storage
