#pragma once

#include "switchyard/engine/prompt_model_params.hpp"
#include "switchyard/engine/capabilities.hpp"
#include "switchyard/engine/plan_policy.hpp"
#include "switchyard/engine/task_type.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

// -- providers -----------------------------------------------------------------

/// The wire format a provider speaks.
enum class provider_kind : std::uint8_t {
  openai,    ///< OpenAI chat completions (OpenAI, OpenRouter, Mistral, LM Studio, vLLM)
  anthropic, ///< Anthropic messages
  gemini,    ///< Gemini generateContent
  cohere,    ///< Cohere chat v2
  ollama,    ///< Ollama /api/chat
};

inline constexpr std::array<std::string_view, 5> provider_kind_names{
  "openai", "anthropic", "gemini", "cohere", "ollama"};

[[nodiscard]] constexpr std::string_view to_string(provider_kind k) noexcept {
  return provider_kind_names[static_cast<std::size_t>(k)];
}

[[nodiscard]] constexpr std::optional<provider_kind>
parse_provider_kind(std::string_view s) noexcept {
  for (std::size_t i = 0; i < provider_kind_names.size(); ++i)
    if (provider_kind_names[i] == s)
      return static_cast<provider_kind>(i);
  return std::nullopt;
}

struct provider_spec {
  std::string id;
  provider_kind kind = provider_kind::openai;
  /// Fixed by the configuration; clients can never choose an upstream URL.
  std::string base_url;
  /// Name of the environment variable holding the key; empty for none.
  /// The key itself never enters the registry.
  std::string api_key_env;
  /// Runs on this machine or network (Ollama, LM Studio): zero cost and
  /// preferred under `prefer_local`.
  bool local = false;
  /// At most this many calls in flight to this provider from this node.
  /// The default suits a commercial API, whose real limits are rate limits
  /// that it enforces itself (429 with Retry-After); the loader gives a
  /// `local` provider local_max_concurrency unless the file says otherwise.
  std::uint32_t max_concurrency = remote_max_concurrency;
  /// Calls waiting for a slot at most; past it (or once a call has waited
  /// its total timeout) this node refuses the call (call_error::overloaded)
  /// and the task falls back, or its client gets 429 with Retry-After.
  /// 0: no queue. The loader gives a `local` provider local_max_queued.
  std::uint32_t max_queued = remote_max_queued;

  /// Sized for real APIs: OpenAI's higher tiers allow some 10,000-30,000
  /// requests a minute, i.e. thousands of streams in flight; each costs a
  /// connection (a file descriptor), no thread.
  static constexpr std::uint32_t remote_max_concurrency = 4096;
  /// Envoy's default max_pending_requests.
  static constexpr std::uint32_t remote_max_queued = 1024;
  /// A local server (Ollama, LM Studio) on one GPU answers a few calls at
  /// once (Ollama's OLLAMA_NUM_PARALLEL is at most 4 by default); more only
  /// queue there.
  static constexpr std::uint32_t local_max_concurrency = 4;
  static constexpr std::uint32_t local_max_queued = 64;
};

// -- models --------------------------------------------------------------------

struct model_spec {
  std::string id;
  std::string provider;
  /// The name the provider's API expects.
  std::string upstream;
  /// Index into registry::providers, resolved at load time.
  std::uint16_t provider_index = 0;
  /// Prior probability of a good answer, 0-1.
  double quality = 0.0;
  /// USD per 1,000 tokens.
  double cost_per_1k_input = 0.0;
  double cost_per_1k_output = 0.0;
  /// Tokens, input and output together.
  std::uint32_t context_window = 0;
  /// Median time to the first token, in milliseconds.
  double p50_latency_ms = 0.0;
  /// Output tokens per second once streaming.
  double tokens_per_second = 0.0;
  capability_set capabilities;
  bool enabled = true;
  /// Free previews and other models that may vanish or rate-limit hard.
  bool experimental = false;
  /// Copied from the provider for fast filtering.
  bool local = false;
};

// -- policy --------------------------------------------------------------------

/// Per-provider circuit breaker. The defaults follow Envoy's outlier
/// detection: consecutive_5xx = 5 and a failure-percentage detector over a
/// window with a minimum request volume.
struct breaker_config {
  std::uint32_t consecutive_failures = 5;
  /// Trip when at least `failure_rate` of the last `window` calls failed,
  /// once the window holds at least `min_calls`.
  double failure_rate = 0.5;
  std::uint32_t window = 20;
  std::uint32_t min_calls = 10;
  std::chrono::milliseconds cooldown{60'000};
  /// Each re-opening doubles the cooldown, up to this.
  std::chrono::milliseconds max_cooldown{300'000};
  /// Consecutive successful probes needed in half-open to close.
  std::uint32_t half_open_successes = 3;
  /// A probe that never reports back frees its slot after this long.
  std::chrono::milliseconds probe_timeout{30'000};
};

struct retry_config {
  std::uint32_t max_retries = 2;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{5'000};
  /// +-20% jitter around each backoff.
  double jitter = 0.2;
  /// Retry-After is honoured up to this; longer waits fail over instead.
  std::chrono::milliseconds max_retry_after{60'000};
};

/// How an ensemble's results become one answer.
enum class consensus_strategy : std::uint8_t {
  judge,
  quality_weighted,
  voting,
  first_success,
};

inline constexpr std::array<std::string_view, 4> consensus_strategy_names{
  "judge", "quality_weighted", "voting", "first_success"};

[[nodiscard]] constexpr std::string_view
to_string(consensus_strategy s) noexcept {
  return consensus_strategy_names[static_cast<std::size_t>(s)];
}

[[nodiscard]] constexpr std::optional<consensus_strategy>
parse_consensus_strategy(std::string_view s) noexcept {
  for (std::size_t i = 0; i < consensus_strategy_names.size(); ++i)
    if (consensus_strategy_names[i] == s)
      return static_cast<consensus_strategy>(i);
  return std::nullopt;
}

/// How the router chooses once no earlier rule (forced, budget, ensemble,
/// local-first, top reasoning, preferred) has.
enum class selection_mode : std::uint8_t {
  /// The cheapest model whose predicted quality meets the tier's
  /// requirement; the strongest when none does.
  smallest_capable,
  /// The model with the best expected value, w * predicted quality - expected
  /// cost, where w (USD per unit of predicted success) is
  /// `success_value_usd` times the odds q / (1 - q) of the tier's
  /// requirement q. Between two models: the stronger one is taken when its
  /// predicted gain per extra dollar is at least 1 / w, so a higher
  /// requirement upgrades more prompts, those with the best gain per dollar
  /// first. The requirement is a price here, not a floor (a caller's
  /// `min_quality` still is one).
  gain_per_cost,
  /// gain_per_cost over every candidate with the prompt model's learned
  /// cost of each model's answer (its past answers' cost on similar
  /// prompts) in place of the registry's estimate where it has one: the
  /// model with the best w * p - c. Budgets and the other filters still
  /// use the registry's worst case.
  utility,
};

inline constexpr std::array<std::string_view, 3> selection_mode_names{
  "smallest_capable", "gain_per_cost", "utility"};

[[nodiscard]] constexpr std::string_view to_string(selection_mode m) noexcept {
  return selection_mode_names[static_cast<std::size_t>(m)];
}

[[nodiscard]] constexpr std::optional<selection_mode>
parse_selection_mode(std::string_view s) noexcept {
  for (std::size_t i = 0; i < selection_mode_names.size(); ++i)
    if (selection_mode_names[i] == s)
      return static_cast<selection_mode>(i);
  return std::nullopt;
}

/// How `switchyard serve` runs its HTTP server (the `server:` section);
/// the router itself never reads it.
struct server_settings {
  /// Open client connections at most (0: no limit); see serve
  /// --max-connections.
  std::uint32_t max_connections = 10'000;
};

/// The node's store (the `storage:` section); serve flags override it.
struct storage_settings {
  /// What a logged decision keeps of its prompt: "full", "hash" or "none".
  std::optional<std::string> prompts;
  /// The decision log's size cap in bytes (0: none).
  std::optional<std::uint64_t> max_bytes;
  /// Decision records that may wait for the store.
  std::optional<std::uint32_t> decision_log_queue;
};

/// The prompt model (the `prompt_model:` section): TF-IDF clusters of the
/// prompts with feedback and their nearest neighbours, estimating each
/// model's success and cost per prompt (prompt_index).
struct prompt_model_settings {
  bool enabled = false;
  prompt_model_params params;
};

struct routing_policy {
  bool prefer_local = true;
  double max_cost_per_task_usd = 0.10;
  double max_latency_per_call_s = 30.0;
  std::uint32_t max_tokens_per_task = 10'000;
  bool allow_cloud_fallback = true;
  /// Allow experimental models (free previews) to be routed to.
  bool allow_experimental = false;
  /// Minimum predicted quality per complexity tier.
  std::array<double, complexity_tier_count> quality_by_tier{0.50, 0.70, 0.85,
                                                            0.93};
  /// Local failures after which a task goes to a commercial model.
  std::uint32_t escalate_after_local_failures = 2;
  /// A quality requirement at or above this, with the budget for it, runs an
  /// ensemble.
  double parallel_quality_threshold = 0.95;
  consensus_strategy default_consensus = consensus_strategy::judge;
  /// Members of an ensemble whose successful answers let it proceed without
  /// waiting for the rest; 0: all members.
  std::uint32_t ensemble_quorum = 0;
  /// An ensemble proceeds at most this long after it starts once one member
  /// has answered, cutting the stragglers.
  double ensemble_member_timeout_s = 30.0;
  /// ... or sooner: at this multiple of the slowest member's learned latency
  /// (ensemble_deadline).
  double hedge_latency_factor = 3.0;
  selection_mode selection = selection_mode::smallest_capable;
  /// gain_per_cost: USD worth paying for +1 of predicted success (a sure
  /// answer instead of a sure failure) at a requirement of 0.5.
  double success_value_usd = 0.01;
  /// Critical tasks wait for a human approval when set.
  bool require_approval_for_critical = false;
  /// Providers favoured by the vendor-preference factor, best first.
  std::vector<std::string> preferred_vendors;
  breaker_config breaker;
  retry_config retry;
};

/// Models an operator prefers per task type, and cheaper ones to lean on when
/// money is tight. Entries are model ids, resolved to indices at load time.
struct task_preference {
  std::vector<std::uint16_t> preferred;
  std::vector<std::uint16_t> budget;
};

/// The `cluster:` section: how this node joins a cluster. `switchyard
/// serve`'s flags of the same names (--node-id, --cluster-listen,
/// --cluster-seeds, --cluster-cert/-key/-ca) override each value. Strings are
/// as written (checked for shape at load time); empty means unset.
struct cluster_config {
  std::string node_id;
  /// HOST:PORT for peers.
  std::string listen;
  /// HOST:PORT of nodes to join through.
  std::vector<std::string> seeds;
  /// PEM files for TLS between nodes: all three or none.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
};

/// The `telemetry:` section: OpenTelemetry traces (docs/telemetry.md). An
/// unset value falls back to the OTEL_* environment variables, then to the
/// default; `switchyard serve --otlp-endpoint` wins over `otlp_endpoint`.
struct telemetry_settings {
  /// The collector's OTLP/HTTP URL, http:// or https://; "" turns export
  /// off even when OTEL_EXPORTER_OTLP_* variables are set.
  std::optional<std::string> otlp_endpoint;
  /// `service.name` (unset: OTEL_SERVICE_NAME, else "switchyard").
  std::optional<std::string> service_name;
  /// The share of new traces sampled, 0..1; requests that arrive with a
  /// `traceparent` follow its sampled flag.
  double sample_ratio = 1.0;
  /// `traceparent` to commercial APIs too (local upstreams always get it).
  bool propagate_to_providers = false;
  /// Prompt and completion text on upstream spans.
  bool capture_content = false;
};

// -- the registry --------------------------------------------------------------

struct registry {
  std::vector<provider_spec> providers;
  std::vector<model_spec> models;
  std::array<task_preference, task_type_count> preferences;
  routing_policy policy;
  server_settings server;
  storage_settings storage;
  prompt_model_settings prompt_model;
  cluster_config cluster;
  plan_policy plans;
  telemetry_settings telemetry;
  /// Hash of the configuration as loaded (after interpolation); goes into
  /// every decision so that replay can tell a changed config apart.
  std::uint64_t config_hash = 0;

  [[nodiscard]] const model_spec* find_model(std::string_view id) const noexcept;
  [[nodiscard]] std::optional<std::uint16_t>
  model_index(std::string_view id) const noexcept;
  [[nodiscard]] std::optional<std::uint16_t>
  provider_index(std::string_view id) const noexcept;

  [[nodiscard]] const provider_spec&
  provider_of(const model_spec& m) const noexcept {
    return providers[m.provider_index];
  }
};

} // namespace switchyard::engine
