#include "gateway_bench.hpp"

#include "child_process.hpp"
#include "svg_plot.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace switchyard::bench {

namespace {

using clock_type = std::chrono::steady_clock;

// -- the request mix ----------------------------------------------------------

std::string json_string(std::string_view s) {
  std::string out;
  engine::json_writer w{out};
  w.value(s);
  return out;
}

std::string chat_body(std::string_view system, std::string_view user,
                      int max_tokens, bool stream) {
  std::string b = R"({"model":"auto","messages":[)";
  if (!system.empty())
    b += R"({"role":"system","content":)" + json_string(system) + "},";
  b += R"({"role":"user","content":)" + json_string(user) + "}]";
  b += ",\"max_tokens\":" + std::to_string(max_tokens);
  if (stream)
    b += ",\"stream\":true";
  b += "}";
  return b;
}

std::string code_snippet(int functions) {
  std::string s;
  for (int i = 0; i < functions; ++i)
    s += "def handler_" + std::to_string(i)
         + "(request, db):\n    user = db.query(\"SELECT * FROM users WHERE "
           "id = \" + request.args['id'])\n    if not user:\n        return "
           "None\n    return {'name': user.name, 'email': user.email}\n\n";
  return s;
}

/// The target's HTTP/1.1 request around `body`.
std::string http_request(std::uint16_t port, const std::string& body,
                         const std::string& key) {
  std::string r = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:"
                  + std::to_string(port)
                  + "\r\nContent-Type: application/json\r\n";
  if (!key.empty())
    r += "Authorization: Bearer " + key + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

/// The same body for the upstream: `model` names one of its models.
std::string for_upstream(std::string body, const std::string& model) {
  for (std::string_view pattern : {R"("model":"auto")", R"("model": "auto")"})
    if (auto at = body.find(pattern); at != std::string::npos) {
      body.replace(at, pattern.size(), R"("model":)" + json_string(model));
      break;
    }
  return body;
}

// -- the processes we start ---------------------------------------------------

struct own_processes {
  std::unique_ptr<child_process> sim;
  std::unique_ptr<child_process> gateway;
  std::unique_ptr<child_process> baseline;
};

std::string start_processes(const gateway_bench_options& o,
                            own_processes& p, std::uint16_t& sim_port,
                            std::uint16_t& gateway_port,
                            std::uint16_t& baseline_port) {
  std::string why;
  auto log = [&](const char* name) {
    return o.log_dir.empty() ? std::string{} : o.log_dir + "/" + name;
  };
  if (sim_port == 0) {
    std::vector<std::string> args{o.binary, "sim-upstream", "--listen",
                                  "127.0.0.1:0"};
    if (o.sim_config.empty())
      args.push_back("--zero-delay");
    else
      args.insert(args.end(), {"--config", o.sim_config});
    p.sim = child_process::start(args, {}, log("sim-upstream.log"), why);
    if (!p.sim)
      return why;
    sim_port = p.sim->wait_for_port(std::chrono::seconds{20});
    if (sim_port == 0)
      return "sim-upstream did not say where it listens";
  }
  auto start_gateway = [&](const std::string& binary, const char* log_name,
                           std::unique_ptr<child_process>& proc,
                           std::uint16_t& port) -> std::string {
    auto base = "http://127.0.0.1:" + std::to_string(sim_port);
    std::vector<std::pair<std::string, std::string>> env{
      {"OPENAI_BASE_URL", base + "/v1"},   {"MISTRAL_BASE_URL", base + "/v1"},
      {"LMSTUDIO_BASE_URL", base + "/v1"}, {"OPENROUTER_BASE_URL", base + "/v1"},
      {"ANTHROPIC_BASE_URL", base},        {"GEMINI_BASE_URL", base + "/v1beta"},
      {"COHERE_BASE_URL", base + "/v2"},   {"OLLAMA_BASE_URL", base}};
    for (auto var : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
                     "MISTRAL_API_KEY", "COHERE_API_KEY", "OPENROUTER_API_KEY"})
      env.emplace_back(var, "sk-bench-upstream");
    std::vector<std::string> args{binary, "serve", "--listen", "127.0.0.1:0",
                                  "--drain-timeout", "2"};
    if (o.api_key.empty())
      args.push_back("--no-auth");
    if (!o.gateway_config.empty())
      args.insert(args.end(), {"--config", o.gateway_config});
    if (!o.data_dir.empty()) {
      std::string name{log_name};
      args.insert(args.end(), {"--data-dir", o.data_dir + "/"
                                               + name.substr(0, name.find('.'))});
    }
    args.insert(args.end(), o.serve_args.begin(), o.serve_args.end());
    proc = child_process::start(args, env, log(log_name), why);
    if (!proc)
      return why;
    port = proc->wait_for_port(std::chrono::seconds{20});
    if (port == 0)
      return binary + " serve did not say where it listens";
    return {};
  };
  if (gateway_port == 0 && !o.upstream_only)
    if (auto e = start_gateway(o.binary, "gateway.log", p.gateway,
                               gateway_port);
        !e.empty())
      return e;
  if (!o.baseline_binary.empty())
    if (auto e = start_gateway(o.baseline_binary, "baseline.log", p.baseline,
                               baseline_port);
        !e.empty())
      return e;
  return {};
}

/// Samples a process's RSS on its own thread until stopped.
class rss_sampler {
 public:
  rss_sampler(const child_process* proc, double interval_s,
              std::vector<memory_sample>& out)
      : proc_(proc), out_(out), start_(clock_type::now()) {
    if (proc_ == nullptr)
      return;
    thread_ = std::thread{[this, interval_s] {
      std::unique_lock guard{mutex_};
      auto period = std::chrono::duration<double>(std::max(0.05, interval_s));
      auto next = clock_type::now();
      while (!stop_) {
        out_.push_back({std::chrono::duration<double>(clock_type::now() - start_)
                          .count(),
                        proc_->rss_bytes()});
        next += std::chrono::duration_cast<clock_type::duration>(period);
        cv_.wait_until(guard, next, [this] { return stop_; });
      }
    }};
  }

  ~rss_sampler() {
    {
      std::lock_guard guard{mutex_};
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

 private:
  const child_process* proc_;
  std::vector<memory_sample>& out_;
  clock_type::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

latency_summary minus(const latency_summary& a, const latency_summary& b) {
  latency_summary d;
  d.p50_us = a.p50_us - b.p50_us;
  d.p90_us = a.p90_us - b.p90_us;
  d.p99_us = a.p99_us - b.p99_us;
  d.p99_9_us = a.p99_9_us - b.p99_9_us;
  d.max_us = a.max_us - b.max_us;
  d.mean_us = a.mean_us - b.mean_us;
  d.count = std::min(a.count, b.count);
  return d;
}

} // namespace

latency_summary summarize(const latency_histogram& h) {
  latency_summary s;
  s.count = h.count();
  s.p50_us = us(h.quantile(0.5));
  s.p90_us = us(h.quantile(0.9));
  s.p99_us = us(h.quantile(0.99));
  s.p99_9_us = us(h.quantile(0.999));
  s.max_us = us(h.max());
  s.mean_us = h.mean() / 1000.0;
  return s;
}

std::vector<std::string> builtin_request_mix(bool stream) {
  // Task types and lengths as an agent fleet sends them: short chat, code
  // generation, review of a pasted file, tests, refactoring, reasoning,
  // planning, analysis, a security audit, documentation, tool use and a
  // long-context summary. Output caps as such clients set them.
  std::vector<std::string> mix{
    chat_body({}, "Hi! What can you help me with today?", 128, stream),
    chat_body("You are a senior Python engineer.",
              "Write a fibonacci function with memoization and type hints.",
              512, stream),
    chat_body({}, "Review this code for bugs and style problems:\n\n"
                    + code_snippet(6),
              1024, stream),
    chat_body({}, "Write pytest unit tests for this module:\n\n"
                    + code_snippet(3),
              1024, stream),
    chat_body({}, "Refactor this into a class with dependency injection:\n\n"
                    + code_snippet(4),
              1024, stream),
    chat_body({}, "A train leaves at 3pm at 60 km/h and another at 4pm at 90 "
                  "km/h on the same track. When does the second catch up? "
                  "Reason step by step.",
              512, stream),
    chat_body({}, "Plan the migration of our monolith's billing module to a "
                  "separate service: milestones, risks and rollback.",
              1024, stream),
    chat_body({}, "Analyze these quarterly numbers and explain the trend: "
                  "Q1 120k, Q2 135k, Q3 128k, Q4 171k revenue; churn 4.1%, "
                  "3.8%, 5.2%, 3.1%.",
              512, stream),
    chat_body("You are a security auditor.",
              "Audit this handler for security vulnerabilities, with "
              "severity and fixes:\n\n"
                + code_snippet(5),
              1024, stream),
    chat_body({}, "Write the README section documenting the configuration "
                  "options of a rate limiter: burst, refill rate, per-key "
                  "overrides.",
              768, stream),
    chat_body({}, "Call the weather tool for Berlin and Paris, then tell me "
                  "which is warmer.",
              256, stream),
    chat_body({}, "Summarize the following log excerpt and list the "
                  "distinct errors:\n\n"
                    + [] {
                        std::string s;
                        for (int i = 0; i < 60; ++i)
                          s += "2025-01-0" + std::to_string(1 + i % 9)
                               + "T12:00:" + std::to_string(10 + i % 50)
                               + "Z worker-" + std::to_string(i % 7)
                               + " ERROR connection reset by peer while "
                                 "reading upstream response (retry "
                               + std::to_string(i % 3) + ")\n";
                        return s;
                      }(),
              512, stream),
  };
  return mix;
}

namespace {

/// After the load: the process's RSS now, its peak, and its growth over
/// the samples.
void finish_memory(process_memory& m, const child_process* proc) {
  if (proc == nullptr)
    return;
  m.after = proc->rss_bytes();
  for (const auto& s : m.samples)
    m.peak = std::max(m.peak, s.rss);
  // Growth: the last quarter of the samples against the second (the first
  // holds the allocator's warm-up).
  auto n = m.samples.size();
  if (n >= 8) {
    auto mean = [&](std::size_t from, std::size_t to) {
      double sum = 0;
      for (auto i = from; i < to; ++i)
        sum += static_cast<double>(m.samples[i].rss);
      return sum / static_cast<double>(to - from);
    };
    m.growth = static_cast<std::int64_t>(mean(3 * n / 4, n)
                                         - mean(n / 4, n / 2));
  }
}

} // namespace

gateway_bench_result run_gateway_bench(const gateway_bench_options& o) {
  gateway_bench_result r;
  r.options = o;
  auto read_body = [&r](const std::string& file,
                        std::vector<std::string>& out) {
    std::ifstream in{file, std::ios::binary};
    if (!in) {
      r.error = "cannot read the body file " + file;
      return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
    return true;
  };
  std::vector<std::string> bodies;
  if (!o.body_file.empty()) {
    if (!read_body(o.body_file, bodies))
      return r;
  } else {
    bodies = builtin_request_mix(o.stream);
  }
  if (!o.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.data_dir, ec);
    if (ec) {
      r.error = "cannot create " + o.data_dir + ": " + ec.message();
      return r;
    }
  }
  auto baseline_bodies = bodies;
  if (!o.baseline_body_file.empty()) {
    baseline_bodies.clear();
    if (!read_body(o.baseline_body_file, baseline_bodies))
      return r;
  }
  r.mix_size = bodies.size();
  own_processes procs;
  auto sim_port = o.upstream_port;
  auto gw_port = o.gateway_port;
  std::uint16_t baseline_port = 0;
  if (auto why = start_processes(o, procs, sim_port, gw_port, baseline_port);
      !why.empty()) {
    r.error = why;
    return r;
  }
  const child_process* gw_proc = procs.gateway.get();
  const child_process* bl_proc = procs.baseline.get();
  if (gw_proc != nullptr)
    r.memory.idle = gw_proc->rss_bytes();
  if (bl_proc != nullptr)
    r.baseline_memory.idle = bl_proc->rss_bytes();

  load_target gateway{"gateway", gw_port, {}, o.connections};
  for (const auto& b : bodies)
    gateway.requests.push_back(http_request(gw_port, b, o.api_key));
  load_target baseline{"baseline", baseline_port, {}, o.connections};
  for (const auto& b : baseline_bodies)
    baseline.requests.push_back(http_request(baseline_port, b, o.api_key));
  load_target upstream{"upstream", sim_port, {}, o.connections};
  for (const auto& b : bodies)
    upstream.requests.push_back(
      http_request(sim_port, for_upstream(b, o.upstream_model),
                   "sk-bench-upstream"));

  auto phase_for = [&](double rate, double seconds, std::string label) {
    load_phase ph;
    ph.rate = rate;
    ph.duration = std::chrono::milliseconds{
      static_cast<std::int64_t>(seconds * 1000.0)};
    ph.timeout = std::chrono::milliseconds{
      static_cast<std::int64_t>(o.timeout_s * 1000.0)};
    ph.stream = o.stream;
    if (o.progress)
      ph.progress = [&o, label](double f) { o.progress(label, f); };
    return ph;
  };

  bool gateway_live = !o.upstream_only;
  bool upstream_live = o.compare || o.upstream_only;
  bool baseline_live = baseline_port != 0;
  if (o.warmup_s > 0) {
    std::vector<load_target> both;
    if (gateway_live)
      both.push_back(gateway);
    if (upstream_live)
      both.push_back(upstream);
    if (baseline_live)
      both.push_back(baseline);
    auto w = run_load(both, phase_for(o.rates.front(), o.warmup_s, "warm-up"));
    if (!w.error.empty()) {
      r.error = w.error;
      return r;
    }
  }
  {
    rss_sampler sampler{gw_proc, o.memory_interval_s, r.memory.samples};
    rss_sampler baseline_sampler{bl_proc, o.memory_interval_s,
                                 r.baseline_memory.samples};
    for (auto rate : o.rates) {
      if (!gateway_live && !upstream_live && !baseline_live)
        break;
      // Upstream first, the gateway last: `added` subtracts in that order.
      std::vector<load_target> targets;
      if (upstream_live)
        targets.push_back(upstream);
      if (baseline_live)
        targets.push_back(baseline);
      if (gateway_live)
        targets.push_back(gateway);
      char label[64];
      std::snprintf(label, sizeof(label), "%.0f req/s", rate);
      auto process_of = [&](const std::string& name) -> const child_process* {
        return name == "gateway"    ? procs.gateway.get()
               : name == "baseline" ? procs.baseline.get()
                                    : procs.sim.get();
      };
      std::vector<double> cpu_before;
      for (const auto& t : targets)
        cpu_before.push_back(process_of(t.name) ? process_of(t.name)->cpu_seconds()
                                                : 0.0);
      auto res = run_load(targets, phase_for(rate, o.duration_s, label));
      if (!res.error.empty()) {
        r.error = res.error;
        return r;
      }
      gateway_bench_step step;
      step.rate = rate;
      step.max_schedule_lag_us = res.max_schedule_lag_us;
      if (gw_proc != nullptr)
        step.gateway_rss = gw_proc->rss_bytes();
      if (bl_proc != nullptr)
        step.baseline_rss = bl_proc->rss_bytes();
      for (std::size_t ti = 0; ti < res.targets.size(); ++ti) {
        auto& t = res.targets[ti];
        gateway_target_step ts;
        // The upstream's CPU also serves the gateways' calls: only ours.
        if (const auto* proc = process_of(t.name);
            proc != nullptr && t.name != "upstream" && t.answered > 0)
          ts.cpu_us_per_request = (proc->cpu_seconds() - cpu_before[ti]) * 1e6
                                  / static_cast<double>(t.answered);
        ts.name = t.name;
        ts.requests = t.requests;
        ts.answered = t.answered;
        ts.errors = t.errors;
        ts.achieved_rate = t.achieved_rate();
        ts.latency = summarize(t.latency);
        ts.first_byte = summarize(t.first_byte);
        ts.sustained = t.requests > 0 && ts.latency.p99_us < o.p99_limit_ms * 1000.0
                       && static_cast<double>(t.error_total())
                            <= 0.01 * static_cast<double>(t.requests)
                       && ts.achieved_rate >= 0.95 * rate;
        auto& knee = t.name == "gateway"    ? r.gateway_knee
                     : t.name == "baseline" ? r.baseline_knee
                                            : r.upstream_knee;
        auto& live = t.name == "gateway"    ? gateway_live
                     : t.name == "baseline" ? baseline_live
                                            : upstream_live;
        if (ts.sustained)
          knee = rate;
        else if (o.rates.size() > 1)
          live = false;
        step.targets.push_back(std::move(ts));
      }
      const gateway_target_step* up = nullptr;
      const gateway_target_step* gw = nullptr;
      const gateway_target_step* bl = nullptr;
      for (const auto& t : step.targets)
        (t.name == "upstream" ? up : t.name == "gateway" ? gw : bl) = &t;
      if (up != nullptr && gw != nullptr) {
        step.added_latency = minus(gw->latency, up->latency);
        if (o.stream)
          step.added_first_byte = minus(gw->first_byte, up->first_byte);
      }
      if (up != nullptr && bl != nullptr) {
        step.baseline_added_latency = minus(bl->latency, up->latency);
        if (o.stream)
          step.baseline_added_first_byte = minus(bl->first_byte,
                                                 up->first_byte);
      }
      r.steps.push_back(std::move(step));
    }
  }
  finish_memory(r.memory, gw_proc);
  finish_memory(r.baseline_memory, bl_proc);
  return r;
}

// -- reports ------------------------------------------------------------------

namespace {

void write_summary(engine::json_writer& w, const latency_summary& s) {
  w.begin_object();
  w.field("count", s.count);
  w.field("p50", s.p50_us);
  w.field("p90", s.p90_us);
  w.field("p99", s.p99_us);
  w.field("p99_9", s.p99_9_us);
  w.field("max", s.max_us);
  w.field("mean", s.mean_us);
  w.end_object();
}

double mb(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

/// A process's memory as `key`: {idle_rss_mb, peak_rss_mb, after_rss_mb,
/// growth_mb, samples: [[seconds, MB], ...]}; nothing when not sampled.
void write_memory(engine::json_writer& w, const char* key,
                  const process_memory& m) {
  if (m.idle == 0)
    return;
  w.key(key).begin_object();
  w.field("idle_rss_mb", mb(m.idle));
  w.field("peak_rss_mb", mb(m.peak));
  w.field("after_rss_mb", mb(m.after));
  w.field("growth_mb", static_cast<double>(m.growth) / (1024.0 * 1024.0));
  w.key("samples").begin_array();
  for (const auto& sample : m.samples) {
    w.begin_array();
    w.value(sample.seconds);
    w.value(mb(sample.rss));
    w.end_array();
  }
  w.end_array();
  w.end_object();
}

std::uint64_t errors_of(const gateway_target_step& t) {
  std::uint64_t n = 0;
  for (auto e : t.errors)
    n += e;
  return n;
}

} // namespace

std::string to_json(const gateway_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  const auto& o = r.options;
  w.begin_object();
  w.field("bench", "gateway");
  if (!r.error.empty())
    w.field("error", std::string_view{r.error});
  w.field("mode", o.rates.size() > 1 ? "sweep" : "fixed");
  w.field("compare", o.compare);
  w.field("upstream_only", o.upstream_only);
  w.field("stream", o.stream);
  w.field("connections", static_cast<std::uint64_t>(o.connections));
  w.field("duration_s", o.duration_s);
  w.field("warmup_s", o.warmup_s);
  w.field("mix", o.body_file.empty() ? std::string{"builtin"} : o.body_file);
  w.field("mix_size", static_cast<std::uint64_t>(r.mix_size));
  w.field("p99_limit_ms", o.p99_limit_ms);
  w.field("latency_unit", "us");
  w.key("steps").begin_array();
  for (const auto& s : r.steps) {
    w.begin_object();
    w.field("rate", s.rate);
    w.field("max_schedule_lag_us", s.max_schedule_lag_us);
    if (s.gateway_rss != 0)
      w.field("gateway_rss_mb", mb(s.gateway_rss));
    if (s.baseline_rss != 0)
      w.field("baseline_rss_mb", mb(s.baseline_rss));
    w.key("targets").begin_array();
    for (const auto& t : s.targets) {
      w.begin_object();
      w.field("name", std::string_view{t.name});
      w.field("requests", t.requests);
      w.field("answered", t.answered);
      w.field("errors_total", errors_of(t));
      w.key("errors").begin_object();
      for (std::size_t i = 0; i < load_error_count; ++i)
        w.field(to_string(static_cast<load_error>(i)), t.errors[i]);
      w.end_object();
      w.field("achieved_rate", t.achieved_rate);
      w.field("sustained", t.sustained);
      if (t.cpu_us_per_request > 0)
        w.field("cpu_us_per_request", t.cpu_us_per_request);
      w.key("latency_us");
      write_summary(w, t.latency);
      w.key("first_byte_us");
      write_summary(w, t.first_byte);
      w.end_object();
    }
    w.end_array();
    if (s.added_latency) {
      w.key("added_latency_us");
      write_summary(w, *s.added_latency);
    }
    if (s.added_first_byte) {
      w.key("added_first_byte_us");
      write_summary(w, *s.added_first_byte);
    }
    if (s.baseline_added_latency) {
      w.key("baseline_added_latency_us");
      write_summary(w, *s.baseline_added_latency);
    }
    if (s.baseline_added_first_byte) {
      w.key("baseline_added_first_byte_us");
      write_summary(w, *s.baseline_added_first_byte);
    }
    w.end_object();
  }
  w.end_array();
  w.key("knee").begin_object();
  w.key("gateway");
  r.gateway_knee > 0 ? w.value(r.gateway_knee) : w.null();
  w.key("upstream");
  r.upstream_knee > 0 ? w.value(r.upstream_knee) : w.null();
  if (!o.baseline_binary.empty()) {
    w.key("baseline");
    r.baseline_knee > 0 ? w.value(r.baseline_knee) : w.null();
  }
  w.key("gateway_over_upstream");
  r.gateway_knee > 0 && r.upstream_knee > 0
    ? w.value(r.gateway_knee / r.upstream_knee)
    : w.null();
  w.end_object();
  write_memory(w, "memory", r.memory);
  write_memory(w, "baseline_memory", r.baseline_memory);
  w.end_object();
  return out;
}

std::string to_csv(const gateway_bench_result& r) {
  std::string out = "rate,target,requests,answered,errors,achieved_rate,"
                    "p50_us,p90_us,p99_us,p99_9_us,max_us,first_byte_p50_us,"
                    "first_byte_p99_us,sustained\n";
  char line[512];
  for (const auto& s : r.steps)
    for (const auto& t : s.targets) {
      std::snprintf(line, sizeof(line),
                    "%.0f,%s,%llu,%llu,%llu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,"
                    "%.1f,%.1f,%s\n",
                    s.rate, t.name.c_str(),
                    static_cast<unsigned long long>(t.requests),
                    static_cast<unsigned long long>(t.answered),
                    static_cast<unsigned long long>(errors_of(t)),
                    t.achieved_rate, t.latency.p50_us, t.latency.p90_us,
                    t.latency.p99_us, t.latency.p99_9_us, t.latency.max_us,
                    t.first_byte.p50_us, t.first_byte.p99_us,
                    t.sustained ? "true" : "false");
      out += line;
    }
  return out;
}

std::string to_svg(const gateway_bench_result& r) {
  double rate_max = 1;
  double lat_min = 1e9;
  double lat_max = 1;
  for (const auto& s : r.steps) {
    rate_max = std::max(rate_max, s.rate);
    for (const auto& t : s.targets) {
      if (t.latency.count == 0)
        continue;
      lat_min = std::min(lat_min, t.latency.p50_us);
      lat_max = std::max(lat_max, t.latency.p99_9_us);
    }
  }
  if (lat_min >= lat_max)
    lat_min = lat_max / 10;
  svg_plot::axis x{"offered rate per target (requests/s)", 0, rate_max * 1.05};
  svg_plot::axis y{"latency from intended send (us, log)",
                   std::max(1.0, lat_min / 1.5), lat_max * 1.5, true};
  svg_plot plot{std::string{"switchyard bench gateway"}
                  + (r.options.stream ? " (streaming)" : "")
                  + ": latency percentiles against rate",
                x, y};
  struct series {
    const char* target;
    const char* which;
    const char* color;
    const char* dash;
  };
  for (auto [target, which, color, dash] :
       {series{"gateway", "p50", "#1f6fd1", ""},
        series{"gateway", "p99", "#d1491f", ""},
        series{"gateway", "p99.9", "#7a1fd1", ""},
        series{"upstream", "p50", "#1f6fd1", "6 4"},
        series{"upstream", "p99", "#d1491f", "6 4"},
        series{"upstream", "p99.9", "#7a1fd1", "6 4"},
        series{"baseline", "p50", "#1f6fd1", "1 3"},
        series{"baseline", "p99", "#d1491f", "1 3"},
        series{"baseline", "p99.9", "#7a1fd1", "1 3"}}) {
    svg_plot::points pts;
    for (const auto& s : r.steps)
      for (const auto& t : s.targets)
        if (t.name == target && t.latency.count > 0)
          pts.emplace_back(s.rate, std::string_view{which} == "p50"
                                     ? t.latency.p50_us
                                   : std::string_view{which} == "p99"
                                     ? t.latency.p99_us
                                     : t.latency.p99_9_us);
    if (pts.empty())
      continue;
    plot.line(pts, color, 2.0, dash, true);
  }
  plot.line({{0, r.options.p99_limit_ms * 1000.0},
             {rate_max * 1.05, r.options.p99_limit_ms * 1000.0}},
            "#999", 1.0, "2 3");
  plot.legend_at(90, 70);
  plot.legend("p50", "#1f6fd1");
  plot.legend("p99", "#d1491f");
  plot.legend("p99.9", "#7a1fd1");
  plot.legend("solid: gateway, dashed: upstream, dotted: baseline", "#333",
              "6 4");
  plot.legend("p99 limit of the knee", "#999", "2 3");
  return plot.str();
}

std::string to_text(const gateway_bench_result& r) {
  std::string out;
  char line[512];
  const auto& o = r.options;
  std::snprintf(line, sizeof(line),
                "gateway benchmark: open loop, %zu connections per target, "
                "%.1f s per step, %s mix (%zu bodies)%s%s\n",
                o.connections, o.duration_s,
                o.body_file.empty() ? "built-in" : o.body_file.c_str(),
                r.mix_size, o.stream ? ", streaming" : "",
                o.compare ? ", interleaved with the upstream" : "");
  out += line;
  for (const auto& s : r.steps) {
    std::snprintf(line, sizeof(line), "  %.0f req/s per target (generator lag "
                                      "max %.0f us):\n",
                  s.rate, s.max_schedule_lag_us);
    out += line;
    for (const auto& t : s.targets) {
      std::snprintf(line, sizeof(line),
                    "    %-8s achieved %8.0f/s  p50 %8.1f  p90 %8.1f  p99 %8.1f"
                    "  p99.9 %8.1f  max %9.1f us  errors %llu%s\n",
                    t.name.c_str(), t.achieved_rate, t.latency.p50_us,
                    t.latency.p90_us, t.latency.p99_us, t.latency.p99_9_us,
                    t.latency.max_us,
                    static_cast<unsigned long long>(errors_of(t)),
                    t.sustained || o.rates.size() < 2 ? "" : "  (past the knee)");
      out += line;
      if (t.cpu_us_per_request > 0) {
        std::snprintf(line, sizeof(line),
                      "             CPU %.1f us per request (all its "
                      "threads)\n",
                      t.cpu_us_per_request);
        out += line;
      }
      if (o.stream) {
        std::snprintf(line, sizeof(line),
                      "             first byte  p50 %8.1f  p99 %8.1f  p99.9 "
                      "%8.1f us\n",
                      t.first_byte.p50_us, t.first_byte.p99_us,
                      t.first_byte.p99_9_us);
        out += line;
      }
      for (std::size_t i = 0; i < load_error_count; ++i)
        if (t.errors[i] > 0) {
          std::snprintf(line, sizeof(line), "             %s: %llu\n",
                        std::string{to_string(static_cast<load_error>(i))}
                          .c_str(),
                        static_cast<unsigned long long>(t.errors[i]));
          out += line;
        }
    }
    // `whose`: how the first-byte line names the target ("" for ours).
    auto added = [&](const char* who, const char* whose,
                     const std::optional<latency_summary>& l,
                     const std::optional<latency_summary>& first_byte) {
      if (l) {
        std::snprintf(line, sizeof(line),
                      "    added by the %s: p50 %.1f  p90 %.1f  p99 %.1f  "
                      "p99.9 %.1f us\n",
                      who, l->p50_us, l->p90_us, l->p99_us, l->p99_9_us);
        out += line;
      }
      if (first_byte) {
        std::snprintf(line, sizeof(line),
                      "    %sadded time to first byte: p50 %.1f  p99 %.1f us\n",
                      whose, first_byte->p50_us, first_byte->p99_us);
        out += line;
      }
    };
    added("gateway", "", s.added_latency, s.added_first_byte);
    added("baseline", "baseline's ", s.baseline_added_latency,
          s.baseline_added_first_byte);
  }
  if (o.rates.size() > 1) {
    std::snprintf(line, sizeof(line),
                  "  knee (p99 < %.1f ms, < 1%% errors): gateway %.0f/s",
                  o.p99_limit_ms, r.gateway_knee);
    out += line;
    if (o.compare) {
      std::snprintf(line, sizeof(line), ", upstream %.0f/s", r.upstream_knee);
      out += line;
      if (r.upstream_knee > 0) {
        std::snprintf(line, sizeof(line), " (ratio %.2f)",
                      r.gateway_knee / r.upstream_knee);
        out += line;
      }
    }
    if (!o.baseline_binary.empty()) {
      std::snprintf(line, sizeof(line), ", baseline %.0f/s", r.baseline_knee);
      out += line;
    }
    out += "\n";
  }
  auto memory_line = [&](const char* who, const process_memory& m) {
    if (m.idle == 0)
      return;
    std::snprintf(line, sizeof(line),
                  "  %s RSS: idle %.1f MB, peak %.1f MB under load, "
                  "%.1f MB after; growth %.1f MB (last quarter vs second)\n",
                  who, mb(m.idle), mb(m.peak), mb(m.after),
                  static_cast<double>(m.growth) / (1024.0 * 1024.0));
    out += line;
  };
  memory_line("gateway", r.memory);
  memory_line("baseline", r.baseline_memory);
  return out;
}

} // namespace switchyard::bench
