#include "target_processes.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace switchyard::bench {

target_processes::~target_processes() {
  // Stop the servers before removing the store they write to.
  gateway_.reset();
  no_store_.reset();
  tracing_.reset();
  collector_.reset();
  baseline_.reset();
  nginx_.reset();
  sim_.reset();
  if (!temp_store_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(temp_store_, ignored);
  }
}

std::uint16_t target_processes::port_of(std::string_view target) const noexcept {
  if (target == "upstream")
    return sim_port_;
  if (target == "gateway")
    return gateway_port_;
  if (target == "no-store")
    return no_store_port_;
  if (target == "tracing")
    return tracing_port_;
  if (target == "baseline")
    return baseline_port_;
  if (target == "nginx")
    return nginx_ ? nginx_->port() : 0;
  return 0;
}

const child_process*
target_processes::process_of(std::string_view target) const noexcept {
  if (target == "upstream")
    return sim_.get();
  if (target == "gateway")
    return gateway_.get();
  if (target == "no-store")
    return no_store_.get();
  if (target == "tracing")
    return tracing_.get();
  if (target == "baseline")
    return baseline_.get();
  if (target == "nginx")
    return nginx_ ? nginx_->process() : nullptr;
  return nullptr;
}

std::string target_processes::start_gateway(const gateway_bench_options& o,
                                             const std::string& binary,
                                             const std::string& name,
                                             const std::string& store,
                                             std::unique_ptr<child_process>& proc,
                                             std::uint16_t& port,
                                             const std::vector<std::string>& extra_args) {
  auto base = "http://127.0.0.1:" + std::to_string(sim_port_);
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
  if (!store.empty())
    args.insert(args.end(), {"--data-dir", store});
  args.insert(args.end(), o.serve_args.begin(), o.serve_args.end());
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::string why;
  proc = child_process::start(
    args, env, o.log_dir.empty() ? std::string{} : o.log_dir + "/" + name + ".log",
    why);
  if (!proc)
    return why;
  port = proc->wait_for_port(std::chrono::seconds{20});
  if (port == 0)
    return binary + " serve (" + name + ") did not say where it listens";
  return {};
}

std::string target_processes::start(const gateway_bench_options& o) {
  std::string why;
  sim_port_ = o.upstream_port;
  gateway_port_ = o.gateway_port;
  if (sim_port_ == 0) {
    std::vector<std::string> args{o.binary, "sim-upstream", "--listen",
                                  "127.0.0.1:0"};
    if (!o.sim_config.empty())
      args.insert(args.end(), {"--config", o.sim_config});
    else if (o.mode != load_mode::concurrent_streams)
      // Streams of zero delay would end before the next one starts:
      // concurrent streams keep the simulator's own pace.
      args.push_back("--zero-delay");
    sim_ = child_process::start(args, {},
                                o.log_dir.empty()
                                  ? std::string{}
                                  : o.log_dir + "/sim-upstream.log",
                                why);
    if (!sim_)
      return why;
    sim_port_ = sim_->wait_for_port(std::chrono::seconds{20});
    if (sim_port_ == 0)
      return "sim-upstream did not say where it listens";
  }
  if (!o.data_dir.empty()) {
    store_dir_ = o.data_dir + "/gateway";
  } else if (o.compare_store && o.gateway_port == 0) {
    std::error_code ec;
    auto tmp = std::filesystem::temp_directory_path(ec);
    std::string pattern = (ec ? std::string{"/tmp"} : tmp.string())
                          + "/switchyard-bench-store-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr)
      return "cannot create a temporary store folder: "
             + std::string{std::strerror(errno)};
    temp_store_ = pattern;
    store_dir_ = temp_store_ + "/gateway";
  }
  // With --compare-tracing, ours runs with tracing off whatever OTEL_*
  // variables say, and a twin exports every span (the config's
  // sample_ratio, 1 by default) to a collector in this process.
  std::vector<std::string> tracing_off;
  if (o.compare_tracing)
    tracing_off = {"--otlp-endpoint", ""};
  if (gateway_port_ == 0 && !o.upstream_only) {
    if (auto e = start_gateway(o, o.binary, "gateway", store_dir_, gateway_,
                               gateway_port_, tracing_off);
        !e.empty())
      return e;
  } else if (gateway_port_ != 0) {
    store_dir_.clear(); // a running gateway's store is not ours to know
  }
  if (o.compare_store)
    if (auto e = start_gateway(o, o.binary, "no-store", {}, no_store_,
                               no_store_port_, tracing_off);
        !e.empty())
      return e;
  if (o.compare_tracing) {
    collector_ = otlp_collector::start(why);
    if (!collector_)
      return "the OTLP collector for --compare-tracing: " + why;
    // A store beside ours when ours has one: only tracing differs.
    auto store = store_dir_.empty()
                   ? std::string{}
                   : (std::filesystem::path{store_dir_}.parent_path()
                      / "tracing")
                       .string();
    if (auto e = start_gateway(o, o.binary, "tracing", store, tracing_,
                               tracing_port_,
          {"--otlp-endpoint", collector_->endpoint()});
        !e.empty())
      return e;
  }
  if (!o.baseline_binary.empty())
    if (auto e = start_gateway(o, o.baseline_binary, "baseline",
                               o.data_dir.empty() ? std::string{}
                                                  : o.data_dir + "/baseline",
                               baseline_, baseline_port_);
        !e.empty())
      return e;
  if (o.reference == "nginx") {
    nginx_settings s;
    s.binary = o.nginx_binary;
    s.upstream_port = sim_port_;
    s.stream = o.stream || o.mode == load_mode::concurrent_streams;
    std::size_t most = o.connections;
    if (o.mode == load_mode::closed_loop)
      for (auto n : o.closed_connections)
        most = std::max(most, n);
    if (o.mode == load_mode::concurrent_streams)
      for (auto n : o.concurrent_streams)
        most = std::max(most, n);
    s.max_connections = most;
    nginx_ = nginx_reference::start(s, why);
    if (!nginx_)
      return why;
  }
  return {};
}

} // namespace switchyard::bench
