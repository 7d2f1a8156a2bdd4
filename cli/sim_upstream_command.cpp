#include "sim_upstream_command.hpp"

#include "command_line.hpp"
#include "open_file_limit.hpp"
#include "switchyard/config/env_lookup.hpp"
#include "switchyard/sim/sim_config.hpp"
#include "switchyard/sim/sim_upstream.hpp"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>

namespace switchyard::cli {

int run_sim_upstream_command(const std::vector<std::string>& args) {
  command_line cl{
    "sim-upstream",
    "switchyard sim-upstream [--config F] [--listen HOST:PORT] [--seed S]\n"
    "         [--zero-delay] [--threads N] [--max-body-bytes N]\n\n"
    "Serves a simulated provider fleet on one port, in each provider's real\n"
    "wire format: OpenAI chat completions (/v1/chat/completions), Anthropic\n"
    "messages (/v1/messages), Gemini (/v1beta/models/M:generateContent and\n"
    ":streamGenerateContent), Cohere chat v2 (/v2/chat) and Ollama\n"
    "(/api/chat), streaming included, with the latency, speed and faults of\n"
    "its config. Agent conversations too: tool calls in each provider's\n"
    "shapes when tool_choice forces one, else at the model's tool_call_rate\n"
    "(config key, 0..1); text after a tool result; JSON for a schema.\n"
    "\n"
    "Model listings, of the listed models, in each API's shape:\n"
    "  GET /v1/models      OpenAI, LM Studio, vLLM, Anthropic and Cohere (one\n"
    "                      body each of them reads; /v2/models too)\n"
    "  GET /v1beta/models  Gemini\n"
    "  GET /api/tags       Ollama\n"
    "A model with `listed: false` in the config is not listed, and a chat for\n"
    "it gets a 404 in its format's error shape, as from a local server that\n"
    "does not have it.\n"
    "\n"
    "Admin and inspection:\n"
    "  POST /sim/models    with {\"name\": \"M\"}: list M from now on (its\n"
    "                      config's settings, or the defaults if it has none)\n"
    "  DELETE /sim/models/M\n"
    "                      unlist M (a '/' in M may be sent as %2F)\n"
    "  GET /sim/models     the listed and unlisted models\n"
    "  GET /sim/stats      requests per model, format and fault, tool calls,\n"
    "                      images, listings served and the listed models\n"
    "  GET /sim/requests?model=M&format=F&limit=N\n"
    "                      the newest request bodies as received (newest\n"
    "                      first; filters optional, limit 20 by default)\n"
    "  GET /healthz\n"
    "\n"
    "Prints `listening on HOST:PORT` first; stops on SIGINT or SIGTERM.",
    {
      {"config", takes::text,
       "sim YAML (default: the built-in config/sim-upstream.yaml)"},
      {"listen", takes::text,
       "address to bind, HOST:PORT (default 127.0.0.1:9000; "
       "port 0 picks a free one)"},
      {"seed", takes::integer, "seed for every draw (default: the config's)"},
      {"zero-delay", takes::nothing,
       "no delays and no faults (for benchmarks)"},
      {"threads", takes::integer, "I/O threads (default 1)"},
      {"max-body-bytes", takes::integer,
       "largest request body (default 33554432: 32 MiB)"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard sim-upstream"))
    return *done;
  if (!cl.positional().empty()) {
    std::cerr << "switchyard sim-upstream: unexpected argument '"
              << cl.positional().front() << "' (see --help)\n";
    return 2;
  }
  sim::sim_options opts;
  opts.port = 9000;
  if (auto listen = cl.value("listen")) {
    if (!split_host_port(*listen, opts.host, opts.port)) {
      std::cerr << "switchyard sim-upstream: --listen must be HOST:PORT, got '"
                << *listen << "'\n";
      return 2;
    }
  }
  auto seed = cl.integer("seed");
  auto threads = cl.integer("threads");
  auto max_body = cl.integer("max-body-bytes");
  if (seed) {
    if (*seed < 0) {
      std::cerr << "switchyard sim-upstream: --seed must be >= 0\n";
      return 2;
    }
    opts.seed = static_cast<std::uint64_t>(*seed);
  }
  if (threads) {
    if (*threads < 1 || *threads > 64) {
      std::cerr << "switchyard sim-upstream: --threads must be in [1, 64]\n";
      return 2;
    }
    opts.io_threads = static_cast<std::size_t>(*threads);
  }
  if (max_body) {
    if (*max_body < 1) {
      std::cerr << "switchyard sim-upstream: --max-body-bytes must be >= 1\n";
      return 2;
    }
    opts.max_body_bytes = static_cast<std::size_t>(*max_body);
  }
  auto path = cl.value("config");
  auto loaded = path ? sim::load_sim_config(*path, config::process_env())
                     : sim::parse_sim_config(sim::default_sim_config_yaml(),
                                             sim::default_sim_config_name,
                                             config::process_env());
  if (!loaded.config) {
    for (const auto& e : loaded.errors)
      std::cerr << e.to_string() << "\n";
    return 2;
  }
  if (cl.has("zero-delay"))
    loaded.config->zero_delay();

  // Every connection is a descriptor: up to the hard limit, before any
  // thread starts.
  std::cerr << "switchyard sim-upstream: "
            << describe(raise_open_file_limit()) << "\n";

  // Block the stop signals before the server starts its threads (they
  // inherit the mask), then wait for one here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string why;
  auto server = sim::sim_upstream::make(std::move(*loaded.config), opts, why);
  if (!server) {
    std::cerr << "switchyard sim-upstream: " << why << "\n";
    return 1;
  }
  auto shown_host = opts.host.find(':') != std::string::npos
                      ? "[" + opts.host + "]"
                      : opts.host;
  std::printf("listening on %s:%u\n", shown_host.c_str(),
              static_cast<unsigned>(server->port()));
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->stop();
  std::fprintf(stderr, "switchyard sim-upstream: stopped (%s); stats: %s\n",
               signal == SIGINT ? "SIGINT" : "SIGTERM",
               server->stats_json().c_str());
  return 0;
}

} // namespace switchyard::cli
