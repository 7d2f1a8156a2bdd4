#include "routing_fixture.hpp"

#include "switchyard/engine/availability_tracker.hpp"
#include "switchyard/engine/decision_report.hpp"

#include <algorithm>

using namespace switchyard;
using namespace switchyard::engine;
using switchyard::test::routing_fixture;
using namespace std::chrono_literals;

namespace {

std::size_t provider_index(const registry& reg, std::string_view id) {
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    if (reg.providers[p].id == id)
      return p;
  FAIL("no provider " << id);
  return 0;
}

} // namespace

TEST_CASE_METHOD(routing_fixture, "local servers are unknown until they say "
                                  "what they serve",
                 "[availability]") {
  availability_tracker t{reg};
  auto ollama = provider_index(reg, "ollama");
  auto openai = provider_index(reg, "openai");
  CHECK(t.provider(ollama) == unavailability::not_known_yet);
  CHECK(t.model(index("qwen3:1.7b")) == unavailability::not_known_yet);
  CHECK(t.provider(openai) == unavailability::none);
  CHECK(t.model(index("gpt-4o-mini")) == unavailability::none);

  // The server answers, serving another model only.
  CHECK(t.on_probe(ollama, {true, 200, {"llama3.2:latest"}}));
  CHECK(t.provider(ollama) == unavailability::none);
  CHECK(t.model(index("qwen3:1.7b")) == unavailability::not_served);
  // The model appears later.
  CHECK(t.on_probe(ollama, {true, 200, {"llama3.2:latest", "qwen3:1.7b"}}));
  CHECK(t.model(index("qwen3:1.7b")) == unavailability::none);
  CHECK_FALSE(t.on_probe(ollama, {true, 200, {"qwen3:1.7b"}}));
  // The server goes away.
  CHECK(t.on_probe(ollama, {false, 0, {}}));
  CHECK(t.model(index("qwen3:1.7b")) == unavailability::unreachable);
  CHECK(t.failures(ollama) == 1);
}

TEST_CASE("Ollama's :latest tag is implied on either side",
          "[availability]") {
  std::vector<std::string> listing{"qwen3:latest", "llama3.2:3b"};
  CHECK(availability_tracker::serves(listing, "qwen3"));
  CHECK(availability_tracker::serves(listing, "qwen3:latest"));
  CHECK(availability_tracker::serves(listing, "llama3.2:3b"));
  CHECK_FALSE(availability_tracker::serves(listing, "llama3.2"));
  CHECK_FALSE(availability_tracker::serves(listing, "qwen3:1.7b"));
}

TEST_CASE_METHOD(routing_fixture, "a provider without a key is never probed "
                                  "nor routed to, a refused key stops routing",
                 "[availability]") {
  availability_tracker t{reg};
  auto anthropic = provider_index(reg, "anthropic");
  auto openai = provider_index(reg, "openai");
  probe_policy policy;
  t.set_configured(anthropic, unavailability::no_credentials);
  CHECK_FALSE(t.probed(anthropic, policy));
  CHECK(t.model(index("claude-opus-4")) == unavailability::no_credentials);
  CHECK_FALSE(t.on_probe(anthropic, {true, 200, {}}));
  CHECK(t.model(index("claude-opus-4")) == unavailability::no_credentials);

  // A commercial provider that is down stays routable (its breaker decides);
  // one that refuses the key does not.
  CHECK(t.probed(openai, policy));
  CHECK_FALSE(t.on_probe(openai, {false, 0, {}}));
  CHECK(t.model(index("gpt-4o")) == unavailability::none);
  CHECK(t.on_probe(openai, {true, 401, {}}));
  CHECK(t.model(index("gpt-4o")) == unavailability::no_credentials);
  CHECK(t.on_probe(openai, {true, 200, {"gpt-4o"}}));
  CHECK(t.model(index("gpt-4o")) == unavailability::none);
}

TEST_CASE_METHOD(routing_fixture, "probes back off after failures, with "
                                  "jitter, and recover their interval",
                 "[availability]") {
  availability_tracker t{reg};
  auto ollama = provider_index(reg, "ollama");
  probe_policy policy;
  policy.interval = 10s;
  policy.max_backoff = 60s;
  policy.jitter = 0.2;
  time_point now{};
  CHECK(t.next_probe(ollama, policy, now, 0.5) == now + 10s);
  CHECK(t.next_probe(ollama, policy, now, 0.0) == now + 8s);
  CHECK(t.next_probe(ollama, policy, now, 1.0) == now + 12s);
  t.on_probe(ollama, {false, 0, {}});
  CHECK(t.next_probe(ollama, policy, now, 0.5) == now + 20s);
  t.on_probe(ollama, {false, 0, {}});
  t.on_probe(ollama, {false, 0, {}});
  t.on_probe(ollama, {false, 0, {}});
  CHECK(t.next_probe(ollama, policy, now, 0.5) == now + 60s);
  t.on_probe(ollama, {true, 200, {}});
  CHECK(t.next_probe(ollama, policy, now, 0.5) == now + 10s);
}

TEST_CASE_METHOD(routing_fixture, "the router skips what cannot answer and "
                                  "names the key a forced model lacks",
                 "[availability][router]") {
  availability_tracker t{reg};
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    if (reg.providers[p].id != "openai")
      t.set_configured(p, unavailability::no_credentials);
  state.provider_unavailable = t.providers();
  state.model_unavailable = t.models();
  for (auto text : {"Write a fibonacci function",
                    "Review this pull request diff for bugs",
                    "Design the architecture of a distributed queue",
                    "Prove that the square root of 2 is irrational"}) {
    auto d = route(text);
    REQUIRE(d.has_model());
    CHECK(chosen(d).provider == "openai");
    for (auto f : d.fallbacks)
      CHECK(model(f).provider == "openai");
  }
  engine::route_request req;
  req.text = "hello";
  req.force_model = "claude-sonnet-4";
  auto d = route(req);
  CHECK_FALSE(d.has_model());
  CHECK(d.has_note(decision_note::forced_unavailable));
  auto why = unavailable_refusal(d, reg);
  CHECK(why.find("ANTHROPIC_API_KEY") != std::string::npos);
  CHECK(why.find("claude-sonnet-4") != std::string::npos);

  // Replay reads the recorded availability back.
  routing_inputs in;
  record_inputs(state, d.cls.type, reg.models.size(), in);
  performance_table table;
  auto again = replay_state(in, d.cls.type, reg.models.size(), table);
  CHECK(std::equal(again.model_unavailable.begin(),
                   again.model_unavailable.end(), t.models().begin(),
                   t.models().end()));
}
