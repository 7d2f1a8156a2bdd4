#pragma once

// A runtime over a data directory for the tests that run the real thing:
// the default registry, two worker threads, providers that answer at once
// (answering_provider) and a wall clock standing still at `now_ms`.

#include "answering_provider.hpp"

#include "switchyard/clock/manual_time.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/runtime.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace switchyard::test {

inline constexpr std::int64_t test_wall_ms = 1'750'000'000'000;

inline runtime_config stored_runtime_config(const std::string& dir,
                                            std::int64_t now_ms
                                            = test_wall_ms) {
  runtime_config cfg;
  auto loaded = config::load_registry("");
  REQUIRE(loaded);
  cfg.registry = std::move(*loaded);
  cfg.worker_threads = 2;
  cfg.data_dir = dir;
  cfg.clock = std::make_shared<manual_time>(now_ms);
  cfg.make_client = [](const engine::provider_spec&) {
    return std::make_shared<answering_provider>();
  };
  return cfg;
}

/// Starts `cfg`, or fails the test with the reason.
inline std::unique_ptr<runtime> start_runtime(runtime_config cfg) {
  auto started = runtime::start(std::move(cfg));
  if (!started)
    FAIL(error_message(started.error()));
  return std::move(*started);
}

} // namespace switchyard::test
