#pragma once

#include "switchyard/provider_client_factory.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace switchyard {

/// How an embedding program starts switchyard: which registry decides the
/// models and providers, and where learned state lives. Everything else
/// takes the gateway's defaults.
struct embedding_options {
  /// A registry file (config/models.yaml's schema). Ignored when
  /// `registry_yaml` is set; both empty: the built-in registry.
  std::string config_path;
  /// A registry as YAML text, for programs that generate their own.
  std::string registry_yaml;
  /// The data directory (RocksDB): learned performance, feedback and the
  /// decision log survive a restart, and `explain` can read decisions back.
  /// Empty: everything stays in memory.
  std::string data_dir;
  /// Actor threads; 0 means one per core.
  std::size_t worker_threads = 0;
  /// Threads for the provider clients' HTTP I/O (and stream chunks).
  std::size_t io_threads = 1;
  /// How long `shutdown` (and the destructor) waits for tasks in flight.
  std::chrono::milliseconds drain_deadline{30'000};
  /// Set: calls go to the clients it makes (a custom transport, a test
  /// double) instead of HTTP clients for the registry's providers.
  provider_client_factory make_client;
};

} // namespace switchyard
