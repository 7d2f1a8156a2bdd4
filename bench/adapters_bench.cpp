#include "adapters_bench.hpp"

#include "adapters_raw_client.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/providers/openai/openai_format.hpp"
#include "switchyard/sim/sim_upstream.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <vector>

namespace switchyard::bench {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::string_view bench_model = "bench-model";

double percentile(std::vector<double>& v, double q) {
  if (v.empty())
    return 0.0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k),
                   v.end());
  return v[k];
}

adapters_arm_result summarize(std::vector<double>& us, double seconds) {
  adapters_arm_result r;
  r.requests_per_second = seconds > 0 ? static_cast<double>(us.size()) / seconds
                                      : 0.0;
  r.p50_us = percentile(us, 0.50);
  r.p90_us = percentile(us, 0.90);
  r.p99_us = percentile(us, 0.99);
  return r;
}

engine::call_request bench_request(bool stream) {
  engine::call_request req;
  req.model = std::string{bench_model};
  req.upstream_model = std::string{bench_model};
  req.messages = {
    engine::chat_message::make(engine::message_role::system,
                               "You are a benchmark."),
    engine::chat_message::make(engine::message_role::user,
                               "Write a short paragraph about switchyards.")};
  req.max_tokens = 1024;
  req.temperature = 0.0;
  req.stream = stream;
  return req;
}

/// The raw arm: the request bytes the adapter would send, through a
/// synchronous Beast client, response read whole and not parsed.
adapters_arm_result run_raw(std::uint16_t port, bool stream,
                            const adapters_bench_options& opts,
                            std::uint64_t& failures, std::uint32_t& bytes) {
  providers::openai_format format;
  http::client_request req;
  if (auto refused = format.build_request(bench_request(stream), stream,
                                          "/v1", req);
      !refused.empty()) {
    failures += opts.requests;
    return {};
  }
  std::string why;
  auto client = raw_http_client::connect(port, why);
  if (!client) {
    failures += opts.requests;
    return {};
  }
  for (std::uint64_t i = 0; i < opts.warmup; ++i)
    client->post(req.target, req.body);
  std::vector<double> us;
  us.reserve(opts.requests);
  auto start = clock_type::now();
  for (std::uint64_t i = 0; i < opts.requests; ++i) {
    auto t0 = clock_type::now();
    auto n = client->post(req.target, req.body);
    auto t1 = clock_type::now();
    if (n < 0)
      ++failures;
    else
      bytes = static_cast<std::uint32_t>(n);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  auto seconds
    = std::chrono::duration<double>(clock_type::now() - start).count();
  return summarize(us, seconds);
}

/// The adapter arm: each call is started from the previous one's `done`,
/// on the client's I/O thread, so no thread hand-off is timed.
struct adapter_loop : std::enable_shared_from_this<adapter_loop> {
  providers::provider_client* client = nullptr;
  bool stream = false;
  std::uint64_t warmup = 0;
  std::uint64_t total = 0;
  std::uint64_t issued = 0;
  std::uint64_t failures = 0;
  std::vector<double> us;
  clock_type::time_point t0;
  clock_type::time_point timed_start;
  clock_type::time_point end;
  std::promise<void> finished;

  void next() {
    if (issued == total) {
      end = clock_type::now();
      finished.set_value();
      return;
    }
    if (issued == warmup)
      timed_start = clock_type::now();
    ++issued;
    t0 = clock_type::now();
    auto self = shared_from_this();
    auto done = [self](engine::call_result r) {
      auto t1 = clock_type::now();
      if (!r.ok())
        ++self->failures;
      if (self->issued > self->warmup)
        self->us.push_back(
          std::chrono::duration<double, std::micro>(t1 - self->t0).count());
      self->next();
    };
    if (stream)
      client->stream(bench_request(true), {}, std::move(done));
    else
      client->call(bench_request(false), std::move(done));
  }
};

adapters_arm_result run_adapter(std::uint16_t port, bool stream,
                                const adapters_bench_options& opts,
                                std::uint64_t& failures) {
  std::string why;
  http::client_config cc;
  cc.max_connections_per_origin = 1;
  auto http = http::http_client::make(cc, why);
  if (!http) {
    failures += opts.requests;
    return {};
  }
  engine::registry reg;
  engine::provider_spec p;
  p.id = "bench";
  p.kind = engine::provider_kind::openai;
  p.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  reg.providers.push_back(p);
  engine::model_spec m;
  m.id = std::string{bench_model};
  m.provider = "bench";
  m.upstream = m.id;
  m.cost_per_1k_input = 0.001;
  m.cost_per_1k_output = 0.002;
  reg.models.push_back(m);
  auto client = providers::make_provider_client(p, reg, *http, {});
  if (!client) {
    failures += opts.requests;
    return {};
  }
  auto loop = std::make_shared<adapter_loop>();
  loop->client = client->get();
  loop->stream = stream;
  loop->warmup = opts.warmup;
  loop->total = opts.warmup + opts.requests;
  loop->us.reserve(opts.requests);
  auto finished = loop->finished.get_future();
  http->post([loop] {
    loop->next();
  });
  finished.wait();
  failures += loop->failures;
  auto seconds
    = std::chrono::duration<double>(loop->end - loop->timed_start).count();
  return summarize(loop->us, seconds);
}

adapters_mode_result run_mode(std::uint16_t port, bool stream,
                              const adapters_bench_options& opts,
                              std::uint32_t& bytes) {
  adapters_mode_result r;
  r.raw = run_raw(port, stream, opts, r.failures, bytes);
  r.adapter = run_adapter(port, stream, opts, r.failures);
  r.added_p50_us = r.adapter.p50_us - r.raw.p50_us;
  r.added_p99_us = r.adapter.p99_us - r.raw.p99_us;
  r.throughput_ratio = r.raw.requests_per_second > 0
                         ? r.adapter.requests_per_second
                             / r.raw.requests_per_second
                         : 0.0;
  return r;
}

void write_arm(engine::json_writer& w, std::string_view name,
               const adapters_arm_result& a) {
  w.key(name).begin_object();
  w.field("requests_per_second", a.requests_per_second);
  w.key("latency_us").begin_object();
  w.field("p50", a.p50_us);
  w.field("p90", a.p90_us);
  w.field("p99", a.p99_us);
  w.end_object();
  w.end_object();
}

void write_mode(engine::json_writer& w, std::string_view name,
                const adapters_mode_result& m) {
  w.key(name).begin_object();
  write_arm(w, "raw_beast", m.raw);
  write_arm(w, "adapter", m.adapter);
  w.field("added_latency_p50_us", m.added_p50_us);
  w.field("added_latency_p99_us", m.added_p99_us);
  w.field("throughput_ratio", m.throughput_ratio);
  w.field("failures", m.failures);
  w.end_object();
}

} // namespace

adapters_bench_result run_adapters_bench(const adapters_bench_options& opts) {
  adapters_bench_result result;
  result.requests = opts.requests;
  result.output_tokens = opts.output_tokens;
  sim::sim_config cfg;
  sim::model_profile profile;
  profile.output_tokens_min = profile.output_tokens_max = opts.output_tokens;
  cfg.models.emplace(std::string{bench_model}, profile);
  cfg.zero_delay();
  std::string why;
  auto sim = sim::sim_upstream::make(std::move(cfg), {}, why);
  if (!sim) {
    result.error = "cannot start the simulated upstream: " + why;
    return result;
  }
  result.plain = run_mode(sim->port(), false, opts,
                          result.response_bytes_plain);
  result.stream = run_mode(sim->port(), true, opts,
                           result.response_bytes_stream);
  return result;
}

std::string to_json(const adapters_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("benchmark", "adapters");
  w.field("requests", r.requests);
  w.field("output_tokens", r.output_tokens);
  w.field("response_bytes_plain", r.response_bytes_plain);
  w.field("response_bytes_stream", r.response_bytes_stream);
  write_mode(w, "plain", r.plain);
  write_mode(w, "stream", r.stream);
  if (!r.error.empty())
    w.field("error", r.error);
  w.end_object();
  return out;
}

} // namespace switchyard::bench
