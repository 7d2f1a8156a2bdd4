#pragma once

#include "sim_stats.hpp"
#include "switchyard/sim/sim_config.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim::detail {

/// One model the simulator knows: from the config, or added at run time.
struct model_entry {
  model_entry(model_profile p, bool from_config)
      : profile(std::move(p)),
        configured(from_config),
        listed(profile.listed) {}

  /// Fixed once the entry exists, so readers need no lock.
  const model_profile profile;
  /// Defined by the config's `models` (else added with the defaults).
  const bool configured;
  /// Named by the listings, and so answering chat.
  std::atomic<bool> listed;
  model_counters counters;
};

/// The models the simulator serves and which of them it lists, safe to use
/// from any I/O thread. Entries are never removed (unlisting only clears
/// `listed`), so an entry found stays valid for the simulator's life and
/// its request count, and so every later plan, survives being unlisted.
class model_catalog {
 public:
  explicit model_catalog(const sim_config& cfg);

  /// None for a model neither the config nor `list` defined.
  [[nodiscard]] model_entry* find(std::string_view name) const;

  /// What `list` and `unlist` did.
  struct change {
    model_entry* entry = nullptr;
    /// The entry was created now, with the defaults.
    bool added = false;
    /// `listed` was flipped (it was not already in the wanted state).
    bool changed = false;
  };

  /// Lists `name` from now on; a model the config does not define is added
  /// with the defaults.
  change list(std::string_view name);

  /// Stops listing `name`; no entry when the simulator does not know it.
  change unlist(std::string_view name);

  /// The listed models' names, sorted.
  [[nodiscard]] std::vector<std::string> listed_names() const;

  /// Calls `f(name, entry)` for every model, sorted by name, under a shared
  /// lock (so `f` must not call `list` or `unlist`).
  template <class F>
  void for_each(F&& f) const {
    std::shared_lock guard{mutex_};
    for (const auto& [name, entry] : models_)
      f(std::string_view{name}, *entry);
  }

 private:
  model_profile defaults_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<model_entry>, std::less<>> models_;
};

} // namespace switchyard::sim::detail
