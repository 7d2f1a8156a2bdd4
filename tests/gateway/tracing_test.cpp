// Traces against real processes: `switchyard serve --otlp-endpoint` pointed
// at an OTLP/HTTP receiver in this test (port 0), sim-upstream behind it.
// A request whose local model fails (retried, then fallen back from) gives
// one server span and one client span per upstream attempt, in the caller's
// trace; the local upstream got a traceparent, the commercial one did not.
// A collector that is down costs spans, never requests.

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

TEST_CASE("a traced request: the server span parents each upstream attempt, "
          "in the caller's trace",
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
                      "--otlp-endpoint", collector.endpoint()}};
  auto traceparent = "00-" + std::string{caller_trace} + "-"
                     + std::string{caller_span} + "-01";
  auto r = gw.call("POST", "/v1/chat/completions", body_of("say hello"),
                   gateway_fixture::admin_key,
                   "traceparent: " + traceparent + "\r\ntracestate: vendor=1\r\n");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.headers["x-switchyard-model"] == "cloud-mini");
  auto decision = decision_attribute(r.headers["x-switchyard-decision-id"]);
  // Draining sends what is queued: every span of the request.
  REQUIRE(gw.gateway->stop() == 0);
  REQUIRE(collector.wait_for_spans(4));
  auto spans = collector.spans();

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

  // The attempts: two at the local model (the first and its retry), one
  // at the fallback; each a descendant of the server span.
  std::map<std::string, const received_span*> by_id;
  for (const auto& s : spans)
    by_id[s.span_id] = &s;
  std::vector<const received_span*> lab;
  std::vector<const received_span*> cloud;
  for (const auto& s : spans) {
    if (s.kind != 3)
      continue;
    CHECK(s.trace_id == caller_trace);
    auto* up = &s;
    while (up->span_id != server->span_id && by_id.count(up->parent_span_id))
      up = by_id[up->parent_span_id];
    CHECK(up->span_id == server->span_id);
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
