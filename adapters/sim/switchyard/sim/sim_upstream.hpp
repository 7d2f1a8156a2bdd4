#pragma once

#include "switchyard/sim/sim_config.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::sim {

struct sim_options {
  /// An IP literal; port 0 picks a free port (see `sim_upstream::port`).
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  /// Replaces the config's seed when set.
  std::optional<std::uint64_t> seed;
  std::size_t io_threads = 1;
  /// `GET /sim/requests` keeps the newest this many requests (0: none),
  /// with at most this many body bytes in all.
  std::size_t recorded_requests = 256;
  std::size_t recorded_bytes = 64u << 20;
  /// Larger request bodies get 413. The gateway's default (issue 17: long
  /// contexts and a few images), so whatever it forwards arrives.
  std::size_t max_body_bytes = 32u << 20;
};

/// The simulated provider fleet: one HTTP port speaking all five wire
/// formats at their real paths, streaming included.
///
/// - `POST .../chat/completions`: OpenAI (and OpenRouter, Mistral, LM Studio,
///   vLLM)
/// - `POST .../v1/messages`: Anthropic
/// - `POST .../models/{model}:generateContent` and
///   `:streamGenerateContent?alt=sse`: Gemini
/// - `POST .../v2/chat`: Cohere
/// - `POST .../api/chat`: Ollama
/// - `GET .../models` (OpenAI, LM Studio, vLLM, Anthropic and Cohere, one
///   body readable by each: they share `/v1/models`), `GET .../v1beta/models`
///   (Gemini) and `GET .../api/tags` (Ollama): the listed models, in each
///   API's shape, whatever the query string
/// - `POST /sim/models` with `{"name": M}` lists M from then on (with its
///   config's settings, or the defaults for a model the config lacks);
///   `DELETE /sim/models/M` unlists it; `GET /sim/models` shows both sets.
///   A chat for a model not listed gets a 404 in its format's error shape,
///   as a local server answers for a model it does not have
/// - `GET /sim/stats`: requests per model and per outcome, tool calls made,
///   tool results received, JSON answers, images received (base64 ones
///   with their decoded bytes, URL ones apart) per format and per model,
///   listings served and the models listed
/// - `GET /sim/requests?model=M&format=F&limit=N`: the newest requests'
///   bodies as received (newest first; every filter optional, limit 20 by
///   default), so that a test sees exactly what reached the upstream (and
///   the `traceparent` header each carried)
/// - `GET /healthz`
///
/// It answers agent conversations as the real APIs do: a tool call when
/// tool_choice forces one (or, unforced, at the model's `tool_call_rate`),
/// text when the last turn is a tool result, a 400 in the format's error
/// shape for a tool result whose call id it never issued (Gemini and
/// Ollama, which have no ids: that names a tool the request lacks), and
/// JSON for a requested schema.
///
/// Models are named by their upstream name. Each request draws its plan
/// (`plan_request`) from the seed, the model and the model's request count,
/// so a run is reproducible whatever the threads do.
class sim_upstream {
 public:
  [[nodiscard]] static std::unique_ptr<sim_upstream>
  make(sim_config cfg, sim_options opts, std::string& why);

  ~sim_upstream();

  sim_upstream(const sim_upstream&) = delete;
  sim_upstream& operator=(const sim_upstream&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;

  /// What `GET /sim/stats` returns.
  [[nodiscard]] std::string stats_json() const;

  /// Stops serving; idempotent.
  void stop();

  class impl;

 private:
  explicit sim_upstream(std::unique_ptr<impl> p) noexcept;

  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::sim
