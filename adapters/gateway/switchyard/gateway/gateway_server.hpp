#pragma once

#include "switchyard/actors/health_actor.hpp"

#include "switchyard/engine/registry.hpp"
#include "switchyard/gateway/key_store.hpp"
#include "switchyard/messages/storage_records.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::actors {
class runtime_extension;
} // namespace switchyard::actors

namespace switchyard::gateway {

struct gateway_config {
  engine::registry registry;
  std::string host = "127.0.0.1";
  /// 0 picks a free port (see gateway_server::port).
  std::uint16_t port = 8080;
  /// Off only for local use: then every request is served without a key.
  bool auth = true;
  /// SHA-256 of the admin key (from the environment); none disables the
  /// admin endpoints.
  std::optional<std::string> admin_key_hash;
  /// HTTP I/O threads; 0: one per core when the actors run on them (see
  /// `actors_on`), else 1.
  std::size_t io_threads = 0;
  std::size_t runtime_threads = 0;
  /// Where the actors run. On the HTTP I/O threads (the default): the
  /// server, the upstream client and the actors share one loop
  /// (http::io_loop, actors::loop_scheduler), so that a request crosses no
  /// thread. Else on CAF's own workers (`runtime_threads` of them), with
  /// work stealing (its quick polls: `poll_attempts`) or work sharing.
  enum class actor_threads { io, stealing, sharing };
  actor_threads actors_on = actor_threads::io;
  std::optional<std::size_t> poll_attempts;
  /// 32 MiB: long-context requests and a few base64 images fit.
  std::size_t max_body_bytes = 32u << 20;
  std::size_t max_header_bytes = 16u << 10;
  /// To read a whole request; also how long an idle connection is kept.
  std::chrono::milliseconds request_timeout{30'000};
  /// Open client connections at most; over it a new one gets 503
  /// `too_many_connections` and is closed (http::server_config). 0: none.
  std::size_t max_connections = 10'000;
  /// Where the node keeps its RocksDB store; empty keeps state in memory.
  std::string data_dir;
  /// What logged decisions keep of the prompt (serve --prompts).
  prompt_retention prompts = prompt_retention::full;
  /// Decision records that may wait for the store before new ones are
  /// dropped (serve --decision-log-queue).
  std::size_t decision_log_queue = 16'384;
  /// The decision log's size cap (serve --store-max-bytes); none: half the
  /// data directory's file system; 0: no cap.
  std::optional<std::uint64_t> store_max_bytes;
  std::optional<double> global_budget_usd;
  std::optional<double> daily_budget_usd;
  /// Each API key's own budget.
  std::optional<double> per_key_budget_usd;
  /// Environment lookup for provider keys (tests pass their own).
  std::function<std::optional<std::string>(std::string_view)> env;
  /// Clustering (serve --node-id ...): joins the runtime to the cluster;
  /// GET /v1/cluster's body and Prometheus lines for the links. Null alone.
  std::shared_ptr<actors::runtime_extension> extension;
  std::function<std::string()> cluster_status;
  std::function<std::string()> cluster_metrics;
  /// Where JSON-lines logs go; stderr when null.
  std::function<void(const std::string&)> log;
  /// Health checks and local model discovery (see runtime_config::health):
  /// which providers can never answer (no key, bad URL) and how each is
  /// probed. None: every provider counts as available.
  std::optional<actors::health_config> health;
};

/// `switchyard serve`: the OpenAI- and Anthropic-compatible HTTP API in front
/// of the runtime.
class gateway_server {
public:
  [[nodiscard]] static std::unique_ptr<gateway_server>
  start(gateway_config cfg, std::string& why);

  ~gateway_server();

  [[nodiscard]] std::uint16_t port() const noexcept;

  /// What the health checks know of each provider and model.
  [[nodiscard]] actors::availability_board::snapshot availability() const;

  /// Whether the first discovery round is over (see /readyz).
  [[nodiscard]] bool discovery_done() const;

  [[nodiscard]] key_store& keys() noexcept;

  /// Refuses new requests (503, and /readyz fails), waits up to `deadline`
  /// for those in flight, then stops serving and drains the runtime.
  void drain_and_stop(std::chrono::milliseconds deadline);

  class impl;

private:
  explicit gateway_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::gateway
