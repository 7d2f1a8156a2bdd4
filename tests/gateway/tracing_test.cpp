// Traces against real processes: `switchyard serve --otlp-endpoint` pointed
// at an OTLP/HTTP receiver in this test (port 0), sim-upstream behind it.
// A request whose local model fails (retried, then fallen back from) gives
// one server span, a routing span under it and one client span per
// upstream attempt, in the caller's trace; the local upstream got a
// traceparent, the commercial one did not, and the decision record names
// the trace. A plan's steps and an ensemble's members and judge are spans
// of their own with their routing and attempts under them. A collector
// that is down costs spans, never requests.

#include "../telemetry/otlp_receiver.hpp"
#include "gateway_fixture.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>

using namespace switchyard::testing;

namespace {

constexpr std::string_view caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view caller_span = "00f067aa0ba902b7";
constexpr const char* local_upstream = "qwen/qwen3-30b-a3b-2507";
constexpr const char* cloud_upstream = "gpt-4o-mini";

/// A local provider (LM Studio's wire format, `local: true`) whose model is
/// preferred, and a commercial one to fall back to; one retry, at once.
/// `telemetry` is the section's body.
void write_registry(const std::string& path, const std::string& telemetry) {
  std::ofstream f{path};
  f << R"(version: 1
providers:
  lab:
    kind: openai
    base_url: ${LMSTUDIO_BASE_URL}
    local: true
  openai:
    kind: openai
    base_url: ${OPENAI_BASE_URL}
    api_key_env: OPENAI_API_KEY
models:
  - id: lab-model
    provider: lab
    upstream: qwen/qwen3-30b-a3b-2507
    quality: 0.9
    cost_per_1k: {input: 0, output: 0}
    context_window: 32768
    p50_latency_ms: 100
    tokens_per_second: 50
    capabilities: [tools, json, streaming]
  - id: cloud-mini
    provider: openai
    upstream: gpt-4o-mini
    quality: 0.8
    cost_per_1k: {input: 0.00015, output: 0.0006}
    context_window: 128000
    p50_latency_ms: 400
    tokens_per_second: 80
    capabilities: [tools, json, streaming]
policy:
  prefer_local: true
  retry: {max_retries: 1, initial_backoff_ms: 1, max_backoff_ms: 1, jitter: 0}
telemetry:
)" << telemetry;
}

std::string body_of(const std::string& user_text) {
  return R"({"model":"auto","max_tokens":64,"temperature":0.5,)"
         R"("messages":[{"role":"user","content":")"
         + user_text + R"("}]})";
}

std::string attribute(const received_span& s, const std::string& key) {
  auto i = s.attributes.find(key);
  return i == s.attributes.end() ? std::string{} : i->second;
}

/// Asks `probe` until it says yes; the processes run on their own, so this
/// is a wait across processes, bounded by a deadline.
bool eventually(const std::function<bool()>& probe) {
  auto deadline = std::chrono::steady_clock::now() + wait_limit;
  while (std::chrono::steady_clock::now() < deadline)
    if (probe())
      return true;
  return probe();
}

/// A sample's value in a Prometheus text body.
std::optional<double> sample(const std::string& body, const std::string& name) {
  auto at = body.find("\n" + name + " ");
  if (at == std::string::npos)
    return std::nullopt;
  return std::strtod(body.c_str() + at + name.size() + 2, nullptr);
}

/// An `x-switchyard-decision-id` value (`dec_<hex>`) as the spans carry it.
std::string decision_attribute(const std::string& ref) {
  REQUIRE(ref.rfind("dec_", 0) == 0);
  return R"({"stringValue":")" + ref + R"("})";
}

/// The request's spans as a tree: by id, and each one's children.
struct received_tree {
  std::vector<received_span> spans;

  [[nodiscard]] std::vector<const received_span*>
  where(const std::function<bool(const received_span&)>& keep) const {
    std::vector<const received_span*> out;
    for (const auto& s : spans)
      if (keep(s))
        out.push_back(&s);
    return out;
  }

  /// Spans named `name`, or `name` and a space and more.
  [[nodiscard]] std::vector<const received_span*>
  named(const std::string& name) const {
    return where([&](const received_span& s) {
      return s.name == name || s.name.rfind(name + " ", 0) == 0;
    });
  }

  [[nodiscard]] std::vector<const received_span*>
  children(const received_span& parent) const {
    return where([&](const received_span& s) {
      return s.parent_span_id == parent.span_id;
    });
  }

  /// The spans of trace `trace` only.
  [[nodiscard]] received_tree of_trace(std::string_view trace) const {
    received_tree out;
    for (const auto& s : spans)
      if (s.trace_id == trace)
        out.spans.push_back(s);
    return out;
  }
};

std::string string_value(const std::string& text) {
  return R"({"stringValue":")" + text + R"("})";
}

/// What sim-upstream recorded of the requests for `model`: each one's
/// traceparent ("" for none), oldest first.
std::vector<std::string> upstream_traceparents(gateway_fixture& gw,
                                               const std::string& model) {
  auto r = raw_exchange(gw.sim_port,
                        request("GET", "/sim/requests?model=" + model, {}));
  simdjson::dom::parser p;
  std::vector<std::string> out;
  for (auto e : parse(p, r.body)["requests"].get_array()) {
    std::string_view tp;
    if (e["traceparent"].get(tp) != simdjson::SUCCESS)
      tp = {};
    out.insert(out.begin(), std::string{tp});
  }
  return out;
}

} // namespace

TEST_CASE("a traced request: the server span parents its routing and each "
          "upstream attempt, in the caller's trace, which the decision "
          "record names",
          "[gateway][telemetry]") {
  otlp_receiver collector;
  scratch_dir dir{"gw-tracing"};
  std::filesystem::create_directories(dir.path);
  auto registry = dir.path + "/registry.yaml";
  auto sim = dir.path + "/sim.yaml";
  // Ratio 0: only the caller's sampled flag records this trace.
  write_registry(registry, "  sample_ratio: 0\n");
  write_sim_config(sim, {{local_upstream, "{http_500: 1.0}"}});
  gateway_fixture gw{{"--config", sim},
                     {"--config", registry, "--no-health-checks",
                      "--otlp-endpoint", collector.endpoint(), "--data-dir",
                      dir.path + "/data"}};
  auto traceparent = "00-" + std::string{caller_trace} + "-"
                     + std::string{caller_span} + "-01";
  auto r = gw.call("POST", "/v1/chat/completions", body_of("say hello"),
                   gateway_fixture::admin_key,
                   "traceparent: " + traceparent + "\r\ntracestate: vendor=1\r\n");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.headers["x-switchyard-model"] == "cloud-mini");
  auto decision_ref = r.headers["x-switchyard-decision-id"];
  auto decision = decision_attribute(decision_ref);
  // The decision record names the trace: explain joins the spans.
  auto logged = gw.call("GET", "/v1/decisions/" + decision_ref);
  INFO(logged.body);
  REQUIRE(logged.status == 200);
  simdjson::dom::parser lp;
  std::string_view logged_trace;
  REQUIRE(parse(lp, logged.body)["trace_id"].get(logged_trace)
          == simdjson::SUCCESS);
  CHECK(logged_trace == caller_trace);
  // Draining sends what is queued: every span of the request.
  REQUIRE(gw.gateway->stop() == 0);
  REQUIRE(collector.wait_for_spans(5));
  auto spans = collector.spans();
  // explain prints the trace id too, once the gateway let go of the store.
  std::string explained;
  {
    auto cmd = std::string{SWITCHYARD_BINARY} + " explain " + decision_ref
               + " --data-dir " + dir.path + "/data 2>&1";
    FILE* out = popen(cmd.c_str(), "r");
    REQUIRE(out != nullptr);
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, out))
      explained.append(buf, n);
    CHECK(pclose(out) == 0);
  }
  CHECK_THAT(explained,
             Catch::Contains("trace:       " + std::string{caller_trace}));

  // The server span: a child of the caller's span.
  auto server = std::find_if(spans.begin(), spans.end(), [](const auto& s) {
    return s.kind == 2 && s.name == "POST /v1/chat/completions";
  });
  REQUIRE(server != spans.end());
  CHECK(server->trace_id == caller_trace);
  CHECK(server->parent_span_id == caller_span);
  CHECK(server->trace_state == "vendor=1");
  CHECK(attribute(*server, "http.request.method") == R"({"stringValue":"POST"})");
  CHECK(attribute(*server, "url.path")
        == R"({"stringValue":"/v1/chat/completions"})");
  CHECK(attribute(*server, "http.response.status_code")
        == R"({"intValue":"200"})");
  CHECK(attribute(*server, "switchyard.decision.id") == decision);

  // One routing round (the fallback is in its chain): a child of the
  // server span, over before the first attempt.
  received_tree tree{spans};
  auto routes = tree.named("switchyard.route");
  REQUIRE(routes.size() == 1);
  const auto& route = *routes.front();
  CHECK(route.kind == 1);
  CHECK(route.trace_id == caller_trace);
  CHECK(route.parent_span_id == server->span_id);
  CHECK(attribute(route, "switchyard.decision.id") == decision);
  CHECK(attribute(route, "switchyard.model.chosen")
        == string_value("lab-model"));
  CHECK(attribute(route, "switchyard.candidates") == R"({"intValue":"2"})");
  CHECK(attribute(route, "switchyard.route.round") == R"({"intValue":"1"})");
  CHECK(attribute(route, "switchyard.route.fallbacks")
        == R"({"intValue":"1"})");
  CHECK_FALSE(attribute(route, "switchyard.selection.rule").empty());
  CHECK_FALSE(attribute(route, "switchyard.task.type").empty());
  CHECK_FALSE(attribute(route, "switchyard.tier").empty());
  CHECK_FALSE(route.has_status);
  REQUIRE(spans.size() == 5);

  // The attempts: two at the local model (the first and its retry), one
  // at the fallback; each a child of the server span, beside the routing.
  std::vector<const received_span*> lab;
  std::vector<const received_span*> cloud;
  for (const auto& s : spans) {
    if (s.kind != 3)
      continue;
    CHECK(s.trace_id == caller_trace);
    CHECK(s.parent_span_id == server->span_id);
    CHECK(s.start_unix_nanos.size() == route.end_unix_nanos.size());
    CHECK(s.start_unix_nanos >= route.end_unix_nanos);
    CHECK(attribute(s, "gen_ai.operation.name") == R"({"stringValue":"chat"})");
    CHECK(attribute(s, "gen_ai.request.max_tokens") == R"({"intValue":"64"})");
    CHECK(attribute(s, "gen_ai.request.temperature")
          == R"({"doubleValue":0.5})");
    CHECK(attribute(s, "switchyard.decision.id") == decision);
    (s.name == std::string{"chat "} + local_upstream ? lab : cloud)
      .push_back(&s);
  }
  REQUIRE(lab.size() == 2);
  REQUIRE(cloud.size() == 1);
  std::sort(lab.begin(), lab.end(), [](auto* a, auto* b) {
    return a->start_unix_nanos.size() != b->start_unix_nanos.size()
             ? a->start_unix_nanos.size() < b->start_unix_nanos.size()
             : a->start_unix_nanos < b->start_unix_nanos;
  });
  for (std::size_t i = 0; i < lab.size(); ++i) {
    const auto& s = *lab[i];
    CHECK(attribute(s, "gen_ai.provider.name") == R"({"stringValue":"lab"})");
    CHECK(attribute(s, "gen_ai.request.model")
          == R"({"stringValue":"qwen/qwen3-30b-a3b-2507"})");
    CHECK(attribute(s, "http.response.status_code")
          == R"({"intValue":"500"})");
    CHECK(attribute(s, "error.type") == R"({"stringValue":"500"})");
    CHECK(attribute(s, "switchyard.error.class")
          == R"({"stringValue":"server_error"})");
    CHECK(attribute(s, "switchyard.retry")
          == R"({"intValue":")" + std::to_string(i) + R"("})");
    CHECK(s.status_code == 2);
  }
  const auto& answer = *cloud.front();
  CHECK(answer.name == std::string{"chat "} + cloud_upstream);
  CHECK(attribute(answer, "gen_ai.provider.name")
        == R"({"stringValue":"openai"})");
  CHECK(attribute(answer, "gen_ai.response.model")
        == R"({"stringValue":"gpt-4o-mini"})");
  CHECK(attribute(answer, "gen_ai.response.finish_reasons")
        == R"({"arrayValue":{"values":[{"stringValue":"stop"}]}})");
  CHECK(attribute(answer, "http.response.status_code")
        == R"({"intValue":"200"})");
  CHECK_THAT(attribute(answer, "gen_ai.usage.input_tokens"),
             Catch::StartsWith(R"({"intValue":")"));
  CHECK(attribute(answer, "gen_ai.usage.output_tokens")
        == R"({"intValue":"40"})");
  CHECK(attribute(answer, "switchyard.retry") == R"({"intValue":"0"})");
  CHECK_FALSE(answer.has_status);
  // No prompt text without capture_content, and never the key.
  for (const auto& s : spans)
    for (const auto& [key, value] : s.attributes) {
      CHECK(value.find("say hello") == std::string::npos);
      CHECK(value.find("sk-upstream-test-key") == std::string::npos);
    }

  // The local upstream got each attempt's context; the commercial one none.
  auto lab_seen = upstream_traceparents(gw, local_upstream);
  REQUIRE(lab_seen.size() == 2);
  for (std::size_t i = 0; i < lab.size(); ++i)
    CHECK(lab_seen[i] == "00-" + std::string{caller_trace} + "-"
                           + lab[i]->span_id + "-01");
  CHECK(upstream_traceparents(gw, cloud_upstream)
        == std::vector<std::string>{""});

  // The access log line names the trace.
  CHECK_THAT(gw.gateway->err(),
             Catch::Contains(R"("path":"/v1/chat/completions","status":200)"));
  CHECK_THAT(gw.gateway->err(),
             Catch::Contains(R"("trace_id":")" + std::string{caller_trace}
                             + "\""));
}

TEST_CASE("traced plans and ensembles: a span per step with its routing "
          "and attempts under it, an ensemble over its members and judge",
          "[gateway][telemetry]") {
  otlp_receiver collector;
  // The built-in registry, every provider played by sim-upstream.
  gateway_fixture gw{{"--zero-delay"},
                     {"--otlp-endpoint", collector.endpoint()}};
  auto traced_call = [&](const std::string& text, const std::string& plan,
                         std::string_view trace) {
    return gw.call("POST", "/v1/chat/completions", body_of(text),
                   gateway_fixture::admin_key,
                   "traceparent: 00-" + std::string{trace} + "-"
                     + std::string{caller_span} + "-01\r\nX-Switchyard-Plan: "
                     + plan + "\r\n");
  };
  constexpr std::string_view chain_trace = "0af7651916cd43dd8448eb211c80319c";
  constexpr std::string_view ensemble_trace
    = "5b8aa5a2d2c872e8321cf37308d69df2";
  auto chain = traced_call("Review this pull request diff for bugs", "chain",
                           chain_trace);
  INFO(chain.body);
  REQUIRE(chain.status == 200);
  REQUIRE(chain.headers["x-switchyard-plan"] == "chain");
  auto ensemble = traced_call(
    "Audit production deployment for security vulnerabilities", "single",
    ensemble_trace);
  INFO(ensemble.body);
  REQUIRE(ensemble.status == 200);
  REQUIRE(ensemble.headers["x-switchyard-parallel"] == "true");
  REQUIRE(gw.gateway->stop() == 0);
  // The chain: server, 3 routings, 2 steps, 2 attempts; the ensemble:
  // server, routing, ensemble, 3 members, judge, 4 attempts.
  REQUIRE(collector.wait_for_spans(8 + 11));
  received_tree all{collector.spans()};

  SECTION("a chain's steps") {
    auto tree = all.of_trace(chain_trace);
    auto decision
      = decision_attribute(chain.headers["x-switchyard-decision-id"]);
    auto servers
      = tree.where([](const received_span& s) { return s.kind == 2; });
    REQUIRE(servers.size() == 1);
    const auto& server = *servers.front();
    // The task's own routing chose the plan.
    auto own = tree.where([&](const received_span& s) {
      return s.name == "switchyard.route"
             && s.parent_span_id == server.span_id;
    });
    REQUIRE(own.size() == 1);
    CHECK(attribute(*own.front(), "switchyard.plan.kind")
          == string_value("chain"));
    auto steps = tree.named("switchyard.plan_step");
    REQUIRE(steps.size() == 2);
    std::set<std::string> roles;
    for (const auto* step : steps) {
      INFO(step->name);
      CHECK(step->parent_span_id == server.span_id);
      CHECK(step->kind == 1);
      CHECK(attribute(*step, "switchyard.decision.id") == decision);
      CHECK(attribute(*step, "switchyard.step.outcome")
            == string_value("ok"));
      CHECK(attribute(*step, "switchyard.plan.kind") == string_value("chain"));
      roles.insert(step->name);
      auto under = tree.children(*step);
      auto routing = std::count_if(under.begin(), under.end(),
                                   [](const received_span* s) {
                                     return s->name == "switchyard.route";
                                   });
      auto calls = std::count_if(under.begin(), under.end(),
                                 [](const received_span* s) {
                                   return s->kind == 3;
                                 });
      CHECK(routing == 1);
      CHECK(calls >= 1);
      for (const auto* s : under)
        CHECK(attribute(*s, "switchyard.decision.id") == decision);
    }
    CHECK(roles
          == std::set<std::string>{"switchyard.plan_step executor",
                                   "switchyard.plan_step planner"});
    // Every attempt hangs under a step.
    for (const auto* c : tree.where([](const received_span& s) {
           return s.kind == 3;
         }))
      CHECK(std::any_of(steps.begin(), steps.end(), [&](const auto* step) {
        return c->parent_span_id == step->span_id;
      }));
  }
  SECTION("an ensemble's members and judge") {
    auto tree = all.of_trace(ensemble_trace);
    auto decision
      = decision_attribute(ensemble.headers["x-switchyard-decision-id"]);
    auto servers
      = tree.where([](const received_span& s) { return s.kind == 2; });
    REQUIRE(servers.size() == 1);
    const auto& server = *servers.front();
    auto routes = tree.named("switchyard.route");
    REQUIRE(routes.size() == 1);
    CHECK(attribute(*routes.front(), "switchyard.parallel")
          == R"({"boolValue":true})");
    auto ensembles = tree.named("switchyard.ensemble");
    REQUIRE(ensembles.size() == 1);
    const auto& e = *ensembles.front();
    CHECK(e.parent_span_id == server.span_id);
    CHECK(attribute(e, "switchyard.decision.id") == decision);
    CHECK(attribute(e, "switchyard.ensemble.winner")
          == string_value(ensemble.headers["x-switchyard-model"]));
    CHECK_THAT(attribute(e, "switchyard.ensemble.members"),
               Catch::StartsWith(R"({"arrayValue":{"values":[)"));
    CHECK_FALSE(attribute(e, "switchyard.ensemble.quorum").empty());
    auto members = tree.named("switchyard.ensemble_member");
    REQUIRE(members.size() == 3);
    for (const auto* m : members) {
      INFO(m->name);
      CHECK(m->parent_span_id == e.span_id);
      CHECK(attribute(*m, "switchyard.decision.id") == decision);
      auto calls = tree.children(*m);
      REQUIRE(calls.size() >= 1);
      for (const auto* c : calls) {
        CHECK(c->kind == 3);
        CHECK(attribute(*c, "switchyard.decision.id") == decision);
      }
    }
    auto judges = tree.named("switchyard.judge");
    REQUIRE(judges.size() == 1);
    CHECK(judges.front()->parent_span_id == e.span_id);
    CHECK_FALSE(attribute(*judges.front(), "switchyard.judge.model").empty());
    auto verdict = tree.children(*judges.front());
    REQUIRE(verdict.size() == 1);
    CHECK(verdict.front()->kind == 3);
  }
}

TEST_CASE("a collector that is down: requests still succeed, the exporter "
          "counts its failures",
          "[gateway][telemetry]") {
  scratch_dir dir{"gw-tracing-down"};
  std::filesystem::create_directories(dir.path);
  auto registry = dir.path + "/registry.yaml";
  auto sim = dir.path + "/sim.yaml";
  write_registry(registry, "  sample_ratio: 1\n");
  write_sim_config(sim, {});
  auto endpoint = "http://127.0.0.1:" + std::to_string(closed_port())
                  + "/v1/traces";
  gateway_fixture gw{{"--config", sim},
                     {"--config", registry, "--no-health-checks",
                      "--otlp-endpoint", endpoint}};
  for (int i = 0; i < 5; ++i) {
    auto r = gw.chat(body_of("say hello " + std::to_string(i)));
    INFO(r.body);
    CHECK(r.status == 200);
  }
  std::string metrics;
  CHECK(eventually([&] {
    metrics = gw.call("GET", "/metrics").body;
    auto failures = sample(metrics, "switchyard_trace_export_failures_total");
    auto dropped = sample(metrics,
                          "switchyard_trace_spans_total{result=\"dropped\"}");
    return failures && *failures >= 1 && dropped && *dropped >= 2;
  }));
  INFO(metrics);
  CHECK(sample(metrics, "switchyard_trace_spans_total{result=\"exported\"}")
        == 0.0);
  // At least each request's server span went in, and none came out.
  CHECK(*sample(metrics, "switchyard_trace_spans_total{result=\"recorded\"}")
        >= 5.0);
  // Still serving.
  CHECK(gw.chat(body_of("say hello again")).status == 200);
}
