// Health checks and local model discovery through the health actor, on
// simulated time: what a probe finds decides what routing may choose.

#include "actor_fixture.hpp"

#include "switchyard/engine/decision_report.hpp"

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;

namespace {

std::size_t provider_of(const engine::registry& reg, std::string_view id) {
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    if (reg.providers[p].id == id)
      return p;
  FAIL("no provider " << id);
  return 0;
}

bool filtered_unavailable(const engine::decision& d, std::uint16_t model) {
  for (const auto& f : d.filtered_out)
    if (f.model == model && f.reason == engine::filter_reason::unavailable)
      return true;
  return false;
}

} // namespace

TEST_CASE_METHOD(actor_fixture, "a local model is routed to only once its "
                                "server lists it",
                 "[actors][health]") {
  actors::health_config hc;
  hc.probes.resize(reg.providers.size());
  for (auto& p : hc.probes) {
    p.interval = 10s;
    p.jitter = 0.0;
  }
  health = hc;
  on_fake = [](const std::string& id, fake_provider& f) {
    if (id == "ollama")
      f.listing.models = {"llama3.2:latest"};
    if (id == "lmstudio")
      f.listing = {false, 0, {}, "connection refused"};
  };
  start();
  run();
  CHECK(board->first_round_done());
  auto qwen = index("qwen3:1.7b");
  auto d = route(task("say hello"));
  REQUIRE(d);
  CHECK(d->decision.model != qwen);
  CHECK(filtered_unavailable(d->decision, qwen));
  CHECK_FALSE(model(d->decision.model).local);
  auto snap = board->read();
  auto ollama = provider_of(reg, "ollama");
  CHECK(snap.providers[ollama].state == engine::unavailability::none);
  CHECK(snap.providers[ollama].served
        == std::vector<std::string>{"llama3.2:latest"});
  CHECK(snap.providers[provider_of(reg, "lmstudio")].state
        == engine::unavailability::unreachable);
  CHECK(snap.models[qwen]
        == static_cast<std::uint8_t>(engine::unavailability::not_served));

  // The model appears; the next probe (10 s later) finds it.
  fake("ollama").listing.models.push_back("qwen3:1.7b");
  advance(10s);
  d = route(task("say hello"));
  REQUIRE(d);
  CHECK(d->decision.model == qwen);
  CHECK(fake("ollama").listings == 2);
}

TEST_CASE_METHOD(actor_fixture, "a provider without a key is never called "
                                "and a model forced onto it names the key",
                 "[actors][health]") {
  actors::health_config hc;
  hc.configured.assign(reg.providers.size(), engine::unavailability::none);
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    if (reg.providers[p].id != "openai" && !reg.providers[p].local)
      hc.configured[p] = engine::unavailability::no_credentials;
  health = hc;
  start();
  run();
  CHECK(fake("anthropic").listings == 0);
  CHECK(fake("openai").listings == 1);
  for (auto text : {"Review this pull request diff for bugs",
                    "Design the architecture of a distributed queue",
                    "Prove that the square root of 2 is irrational"}) {
    auto p = execute(task(text));
    run();
    REQUIRE(*p.count == 1);
    const auto& r = **p.slot;
    REQUIRE(r.ok());
    auto provider = model(r.model).provider;
    CHECK((provider == "openai" || model(r.model).local));
  }
  CHECK(fake("anthropic").started.empty());
  auto t = task("hello");
  t.force_model = "claude-sonnet-4";
  auto p = execute(t);
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  CHECK(r.error == error_code::model_unavailable);
  CHECK(r.error_message.find("ANTHROPIC_API_KEY") != std::string::npos);
}

TEST_CASE_METHOD(actor_fixture, "failed probes open a breaker before any "
                                "call pays for it, a good probe half-opens it",
                 "[actors][health]") {
  actors::health_config hc;
  hc.probes.resize(reg.providers.size());
  for (auto& p : hc.probes) {
    p.interval = 1s;
    p.max_backoff = 1s;
    p.jitter = 0.0;
  }
  health = hc;
  on_fake = [](const std::string& id, fake_provider& f) {
    if (id == "anthropic")
      f.listing = {false, 0, {}, "connection refused"};
  };
  start();
  for (int i = 0; i < 10; ++i)
    advance(1s);
  auto anthropic = static_cast<std::uint16_t>(provider_of(reg, "anthropic"));
  auto state_of = [&] {
    std::optional<breaker_change> out;
    sys.spawn([&](caf::event_based_actor* self, breaker_actor b) {
      self->request(b, caf::infinite, state_atom::value)
        .then([&](breaker_change c) { out = c; });
    }, graph.breakers[anthropic]);
    run();
    REQUIRE(out);
    return out->phase;
  };
  CHECK(state_of() == breaker_phase::open);
  auto d = route(task("Review this pull request diff for bugs"));
  REQUIRE(d);
  CHECK(model(d->decision.model).provider != "anthropic");
  CHECK(fake("anthropic").started.empty());
  fake("anthropic").listing = {true, 200, {}, {}};
  advance(1s);
  CHECK(state_of() == breaker_phase::half_open);
}
