#pragma once

// An in-process sim-upstream with one provider per wire format and one
// model per outcome, and provider clients pointed at it.

#include "switchyard/engine/registry.hpp"
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/sim/sim_upstream.hpp"
#include "test_support.hpp"

#include <map>
#include <vector>

namespace switchyard::testing {

/// What a sim model does: "ok" answers; the others are fault names; "big"
/// answers with a body of about 12 MB.
inline const std::vector<std::string> outcomes{
  "ok",    "http_500", "http_503",  "http_429", "hang",
  "reset", "truncate", "malformed", "big"};

/// The wire formats, with the provider ids used for them.
inline const std::vector<engine::provider_kind> kinds{
  engine::provider_kind::openai, engine::provider_kind::anthropic,
  engine::provider_kind::gemini, engine::provider_kind::cohere,
  engine::provider_kind::ollama};

inline std::string model_name(engine::provider_kind kind,
                              const std::string& outcome) {
  return std::string{engine::to_string(kind)} + "-" + outcome;
}

/// The sim config: every (kind, outcome) model, no delays.
inline std::string sim_yaml(std::uint64_t seed = 7) {
  std::string yaml = "version: 1\nseed: " + std::to_string(seed)
                     + "\ntime_scale: 0\nhang_ms: 10000\n"
                       "defaults:\n  output_tokens: {min: 5, max: 12}\n"
                       "  retry_after_s: 2\nmodels:\n";
  for (auto kind : kinds)
    for (const auto& outcome : outcomes) {
      yaml += "  " + model_name(kind, outcome) + ":";
      if (outcome == "ok")
        yaml += " {}\n";
      else if (outcome == "big")
        yaml += "\n    output_tokens: 2000000\n";
      else
        yaml += "\n    faults: {" + outcome + ": 1.0}\n";
    }
  return yaml;
}

/// A registry whose providers all point at `port`, keys named TEST_KEY_*.
inline engine::registry sim_registry(std::uint16_t port) {
  engine::registry reg;
  for (auto kind : kinds) {
    engine::provider_spec p;
    p.id = std::string{engine::to_string(kind)} + "-sim";
    p.kind = kind;
    auto base = "http://127.0.0.1:" + std::to_string(port);
    switch (kind) {
      case engine::provider_kind::openai: p.base_url = base + "/v1"; break;
      case engine::provider_kind::gemini: p.base_url = base + "/v1beta"; break;
      case engine::provider_kind::cohere: p.base_url = base + "/v2"; break;
      default: p.base_url = base; break;
    }
    if (kind != engine::provider_kind::ollama)
      p.api_key_env = "TEST_KEY_" + std::string{engine::to_string(kind)};
    reg.providers.push_back(p);
    for (const auto& outcome : outcomes) {
      engine::model_spec m;
      m.id = model_name(kind, outcome);
      m.provider = p.id;
      m.upstream = m.id;
      m.provider_index = static_cast<std::uint16_t>(reg.providers.size() - 1);
      m.cost_per_1k_input = 0.001;
      m.cost_per_1k_output = 0.002;
      reg.models.push_back(m);
    }
  }
  return reg;
}

inline std::optional<std::string> test_keys(std::string_view name) {
  if (name.substr(0, 9) == "TEST_KEY_")
    return "sk-test-" + std::string{name.substr(9)} + "-0123456789abcdef";
  return std::nullopt;
}

struct provider_fixture {
  explicit provider_fixture(std::uint64_t seed = 7) {
    auto parsed = sim::parse_sim_config(sim_yaml(seed), "<test sim>", {});
    for (const auto& e : parsed.errors)
      FAIL(e.to_string());
    REQUIRE(parsed.config);
    std::string why;
    sim = sim::sim_upstream::make(std::move(*parsed.config), {}, why);
    INFO(why);
    REQUIRE(sim);
    http = make_client();
    reg = sim_registry(sim->port());
    providers::provider_client_options opts;
    opts.first_byte_timeout = std::chrono::milliseconds{15'000};
    opts.total_timeout = std::chrono::milliseconds{15'000};
    for (const auto& p : reg.providers) {
      auto client = providers::make_provider_client(p, reg, *http, test_keys,
                                                    opts);
      REQUIRE(client);
      clients.emplace(p.kind, std::move(*client));
    }
  }

  providers::provider_client& client(engine::provider_kind kind) {
    return *clients.at(kind);
  }

  static engine::call_request request(engine::provider_kind kind,
                                      const std::string& outcome) {
    engine::call_request req;
    req.model = model_name(kind, outcome);
    req.upstream_model = req.model;
    req.messages = {
      engine::chat_message::make(engine::message_role::system,
                                 "You are terse."),
      engine::chat_message::make(engine::message_role::user,
                                 "Say something in lorem ipsum.")};
    req.max_tokens = outcome == "big" ? 3'000'000 : 64;
    // A hang ends in the first-byte timeout; generating 12 MB takes a
    // while in a sanitizer build.
    if (outcome == "hang")
      req.timeouts.first_byte = std::chrono::milliseconds{300};
    if (outcome == "big")
      req.timeouts.first_byte = req.timeouts.total = std::chrono::seconds{30};
    req.temperature = 0.2;
    return req;
  }

  struct streamed {
    engine::call_result result;
    std::string deltas;
    std::size_t chunks = 0;
    std::string last_finish;
    std::optional<std::uint32_t> output_tokens;
  };

  engine::call_result call(engine::provider_kind kind,
                           const std::string& outcome) {
    auto promise = std::make_shared<std::promise<engine::call_result>>();
    auto future = promise->get_future();
    client(kind).call(request(kind, outcome), [promise](engine::call_result r) {
      promise->set_value(std::move(r));
    });
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    return future.get();
  }

  streamed stream(engine::provider_kind kind, const std::string& outcome) {
    auto acc = std::make_shared<streamed>();
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    client(kind).stream(
      request(kind, outcome),
      [acc](const engine::stream_chunk& c) {
        acc->deltas += c.delta;
        ++acc->chunks;
        if (!c.finish_reason.empty())
          acc->last_finish = c.finish_reason;
        if (c.output_tokens)
          acc->output_tokens = c.output_tokens;
      },
      [acc, promise](engine::call_result r) {
        acc->result = std::move(r);
        promise->set_value();
      });
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    return *acc;
  }

  std::unique_ptr<sim::sim_upstream> sim;
  std::unique_ptr<http::http_client> http;
  engine::registry reg;
  std::map<engine::provider_kind, std::shared_ptr<providers::provider_client>>
    clients;
};

} // namespace switchyard::testing
