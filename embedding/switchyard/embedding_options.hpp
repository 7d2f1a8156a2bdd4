#pragma once

#include "switchyard/provider_client_factory.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
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

  // -- traces (docs/telemetry.md) --------------------------------------------
  //
  // As `switchyard serve` reads them: a value set here wins over the
  // registry's `telemetry:` section, which wins over the OTEL_* variables.
  // With an endpoint, each task that comes without a trace
  // (`task_spec::trace`) is the root of one: a `switchyard.task` span with
  // its routing, plan step, ensemble and upstream spans under it, exported
  // over OTLP/HTTP. No endpoint anywhere: nothing is traced, nothing runs.

  /// The collector's OTLP/HTTP URL (`http://collector:4318`); "" turns
  /// export off even when the registry or the environment name one.
  std::optional<std::string> otlp_endpoint;
  /// `service.name` (default `switchyard`).
  std::optional<std::string> service_name;
  /// The share of tasks traced, 0..1 (default 1).
  std::optional<double> sample_ratio;
};

} // namespace switchyard
