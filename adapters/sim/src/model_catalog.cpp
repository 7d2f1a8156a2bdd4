#include "model_catalog.hpp"

#include <mutex>

namespace switchyard::sim::detail {

model_catalog::model_catalog(const sim_config& cfg) : defaults_(cfg.defaults) {
  for (const auto& [name, profile] : cfg.models)
    models_.emplace(name, std::make_unique<model_entry>(profile, true));
}

model_entry* model_catalog::find(std::string_view name) const {
  std::shared_lock guard{mutex_};
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : it->second.get();
}

model_catalog::change model_catalog::list(std::string_view name) {
  change out;
  if (auto* e = find(name)) {
    out.entry = e;
  } else {
    std::unique_lock guard{mutex_};
    // Another thread may have added it between the two locks.
    auto it = models_.find(name);
    if (it == models_.end()) {
      auto profile = defaults_;
      profile.listed = true;
      it = models_
             .emplace(std::string{name},
                      std::make_unique<model_entry>(profile, false))
             .first;
      out.added = true;
    }
    out.entry = it->second.get();
  }
  // A new entry starts listed.
  out.changed = out.added || !out.entry->listed.exchange(true);
  return out;
}

model_catalog::change model_catalog::unlist(std::string_view name) {
  change out;
  out.entry = find(name);
  if (out.entry != nullptr)
    out.changed = out.entry->listed.exchange(false);
  return out;
}

std::vector<std::string> model_catalog::listed_names() const {
  std::vector<std::string> names;
  for_each([&names](std::string_view name, const model_entry& e) {
    if (e.listed.load())
      names.emplace_back(name);
  });
  return names;
}

} // namespace switchyard::sim::detail
