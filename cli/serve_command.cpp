#include "provider_report.hpp"
#include "serve_command.hpp"

#include "command_line.hpp"
#include "open_file_limit.hpp"

#include "switchyard/cluster/cluster_node.hpp"
#include "switchyard/config/provider_health.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/gateway/gateway_server.hpp"
#include "switchyard/messages/error_code.hpp"

#include <csignal>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>
#include <pthread.h>

namespace switchyard::cli {

int run_serve_command(const std::vector<std::string>& args) {
  command_line cl{
    "serve",
    "switchyard serve [--config F] [--listen HOST:PORT] [--data-dir D] "
    "[--no-auth] "
    "[--admin-key-env NAME]\n"
    "                 [--threads N] [--io-threads N] [--max-body-bytes N]\n"
    "                 [--scheduler io|stealing|sharing] [--poll-attempts N]\n"
    "                 [--global-budget USD] [--daily-budget USD] "
    "[--drain-timeout S]\n"
    "                 [--max-connections N] [--otlp-endpoint URL]\n\n"
    "The OpenAI- and Anthropic-compatible gateway: POST /v1/chat/completions,\n"
    "POST /v1/messages, POST /v1/route, POST /v1/feedback, GET /v1/models,\n"
    "GET|POST|DELETE /v1/keys (admin), GET /metrics, /healthz, /readyz.\n"
    "Clients authenticate with `Authorization: Bearer KEY` or `x-api-key`;\n"
    "the admin key is read from the environment variable --admin-key-env\n"
    "names. Prints `listening on HOST:PORT` first (then, in a cluster,\n"
    "`cluster listening on HOST:PORT`); SIGTERM drains in-flight\n"
    "requests (up to --drain-timeout) and exits 0.\n\n"
    "With --node-id the node joins a cluster through the seeds: learning and\n"
    "breakers are shared, each budget has one owner node, GET /v1/cluster\n"
    "shows the members. TLS between nodes needs all three --cluster-cert,\n"
    "--cluster-key and --cluster-ca (PEM). The config's `cluster:` section\n"
    "(node_id, listen, seeds, tls: {cert, key, ca}) sets the same; each flag\n"
    "overrides its value.\n\n"
    "With --otlp-endpoint (or the config's telemetry.otlp_endpoint, or\n"
    "OTEL_EXPORTER_OTLP_ENDPOINT) every request is traced to an OpenTelemetry\n"
    "collector over OTLP/HTTP: a server span per request and a client span\n"
    "per upstream attempt (docs/telemetry.md).",
    {
      {"config", takes::text,
       "registry YAML (default: the built-in models.yaml)"},
      {"data-dir", takes::text,
       "the node's store (default $SWITCHYARD_DATA_DIR; "
       "unset: state in memory only)"},
      {"listen", takes::text,
       "address to bind (default 127.0.0.1:8080; port 0 "
       "picks a free one)"},
      {"prompts", takes::text,
       "what the decision log keeps of each prompt: full (the newest user "
       "turn and tool names; the default, so replay works), hash (its "
       "SHA-256) or none"},
      {"decision-log-queue", takes::integer,
       "decision records that may wait for the store before new ones are "
       "dropped and counted (default 16384)"},
      {"store-max-bytes", takes::integer,
       "the most the decision log may take on disk before its oldest "
       "decisions are evicted (default: half the data directory's file "
       "system; 0: no cap)"},
      {"no-auth", takes::nothing, "serve without API keys (local use only)"},
      {"no-health-checks", takes::nothing,
       "route to every configured provider without probing them (local "
       "servers are then assumed to serve their registry models)"},
      {"probe-interval", takes::number,
       "seconds between health probes of a provider (default 30; doubled "
       "after failures, up to 300)"},
      {"admin-key-env", takes::text,
       "variable holding the admin key (default SWITCHYARD_ADMIN_KEY)"},
      {"threads", takes::integer,
       "CAF worker threads with --scheduler stealing or "
       "sharing (default: one per core)"},
      {"io-threads", takes::integer,
       "HTTP I/O threads, which also run the actors with "
       "--scheduler io (default: one per core; 1 with "
       "stealing or sharing)"},
      {"scheduler", takes::text,
       "where the actors run: io (on the HTTP I/O threads, no thread hop "
       "per request; the default), stealing or sharing (CAF's workers, "
       "--threads of them: per-worker queues that idle workers poll, or one "
       "queue)"},
      {"poll-attempts", takes::integer,
       "stealing: quick polls before an idle worker naps (default 1000)"},
      {"max-body-bytes", takes::integer,
       "largest request body (default 33554432, 32 MiB)"},
      {"global-budget", takes::number, "global budget in USD (default: none)"},
      {"daily-budget", takes::number, "daily budget in USD (default: none)"},
      {"key-budget", takes::number,
       "budget per API key in USD (default: none)"},
      {"drain-timeout", takes::number,
       "seconds to drain on SIGTERM (default 30)"},
      {"max-connections", takes::integer,
       "open client connections at most; over it a new connection gets 503 "
       "too_many_connections and is closed (default: the config's "
       "server.max_connections, 10000; 0: no limit)"},
      {"node-id", takes::text, "this node's name in a cluster"},
      {"cluster-listen", takes::text,
       "HOST:PORT for cluster peers (port 0 picks a free one)"},
      {"cluster-seeds", takes::text,
       "comma-separated HOST:PORT of nodes to join"},
      {"cluster-cert", takes::text,
       "PEM certificate this node shows its peers"},
      {"cluster-key", takes::text, "PEM private key of --cluster-cert"},
      {"cluster-ca", takes::text,
       "PEM CA file that peers' certificates must chain to"},
      {"otlp-endpoint", takes::text,
       "OpenTelemetry collector's OTLP/HTTP URL for traces, e.g. "
       "http://127.0.0.1:4318 (/v1/traces is added to a bare origin); over "
       "the config's telemetry.otlp_endpoint and OTEL_EXPORTER_OTLP_*; "
       "\"\" turns tracing off"},
    }};
  auto fail = [](const std::string& msg) {
    std::cerr << "switchyard serve: " << msg << "\n";
    return 2;
  };
  if (auto done = cl.parse_or_exit(args, "switchyard serve"))
    return *done;
  if (!cl.positional().empty())
    return fail("unexpected argument '" + cl.positional().front() + "'");
  gateway::gateway_config cfg;
  if (!split_host_port(cl.value("listen").value_or("127.0.0.1:8080"), cfg.host,
                       cfg.port))
    return fail("--listen must be HOST:PORT");
  auto threads = cl.integer("threads");
  auto io_threads = cl.integer("io-threads");
  auto poll_attempts = cl.integer("poll-attempts");
  auto max_body = cl.integer("max-body-bytes");
  auto max_connections = cl.integer("max-connections");
  cfg.global_budget_usd = cl.number("global-budget");
  cfg.daily_budget_usd = cl.number("daily-budget");
  cfg.per_key_budget_usd = cl.number("key-budget");
  auto drain_s = cl.number("drain-timeout").value_or(30.0);
  if ((threads && (*threads < 1 || *threads > 256))
      || (io_threads && (*io_threads < 1 || *io_threads > 64))
      || (max_body && *max_body < 1) || drain_s < 0
      || (max_connections
          && (*max_connections < 0 || *max_connections > 1'000'000)))
    return fail("--threads 1-256, --io-threads 1-64, --max-body-bytes >= 1, "
                "--drain-timeout >= 0, --max-connections 0-1000000");
  cfg.runtime_threads = threads ? static_cast<std::size_t>(*threads) : 0;
  cfg.io_threads = io_threads ? static_cast<std::size_t>(*io_threads) : 0;
  if (auto sched = cl.value("scheduler")) {
    using actor_threads = gateway::gateway_config::actor_threads;
    if (*sched == "io")
      cfg.actors_on = actor_threads::io;
    else if (*sched == "stealing")
      cfg.actors_on = actor_threads::stealing;
    else if (*sched == "sharing")
      cfg.actors_on = actor_threads::sharing;
    else
      return fail("--scheduler is io, stealing or sharing, not '" + *sched
                  + "'");
  }
  if (poll_attempts) {
    if (*poll_attempts < 1 || *poll_attempts > 1'000'000)
      return fail("--poll-attempts 1-1000000");
    cfg.poll_attempts = static_cast<std::size_t>(*poll_attempts);
  }
  if (max_body)
    cfg.max_body_bytes = static_cast<std::size_t>(*max_body);
  cfg.auth = !cl.has("no-auth");
  if (auto p = cl.value("prompts")) {
    if (*p == "full")
      cfg.prompts = prompt_retention::full;
    else if (*p == "hash")
      cfg.prompts = prompt_retention::hash;
    else if (*p == "none")
      cfg.prompts = prompt_retention::none;
    else
      return fail("--prompts is full, hash or none, not '" + *p + "'");
  }
  if (auto q = cl.integer("decision-log-queue")) {
    if (*q < 1 || *q > 10'000'000)
      return fail("--decision-log-queue 1-10000000");
    cfg.decision_log_queue = static_cast<std::size_t>(*q);
  }
  if (auto m = cl.integer("store-max-bytes")) {
    if (*m < 0)
      return fail("--store-max-bytes >= 0");
    cfg.store_max_bytes = static_cast<std::uint64_t>(*m);
  }
  if (auto d = cl.value("data-dir"))
    cfg.data_dir = *d;
  else if (const char* env_dir = std::getenv("SWITCHYARD_DATA_DIR"))
    cfg.data_dir = env_dir;
  auto admin_env = cl.value("admin-key-env").value_or("SWITCHYARD_ADMIN_KEY");
  if (const char* admin = std::getenv(admin_env.c_str()); admin && *admin)
    cfg.admin_key_hash = gateway::hash_secret(admin);
  else if (cfg.auth)
    std::cerr << "switchyard serve: " << admin_env
              << " is not set: key management is disabled and only keys "
                 "created through it are accepted\n";

  auto reg = config::load_registry(cl.value("config").value_or(""));
  if (!reg) {
    std::cerr << error_message(reg.error()) << "\n";
    return 2;
  }
  cfg.registry = std::move(*reg);
  // The flag wins over the file, which wins over OTEL_* (the gateway
  // resolves the rest).
  if (auto endpoint = cl.value("otlp-endpoint"))
    cfg.registry.telemetry.otlp_endpoint = *endpoint;
  // What the configuration alone says: a provider whose key variable is
  // unset or whose URL is unusable is never routed to.
  auto env = config::process_env();
  auto configuration = check_provider_configuration(
    cfg.registry, [&env](std::string_view name) { return env(name); });
  {
    // Without health checks a provider without its key is still never
    // routed to: that is configuration, not something a probe finds.
    actors::health_config hc;
    hc.configured = configuration.state;
    engine::probe_policy policy;
    policy.enabled = !cl.has("no-health-checks");
    if (auto interval = cl.number("probe-interval")) {
      if (!(*interval > 0))
        return fail("--probe-interval must be > 0 seconds");
      policy.interval = std::chrono::milliseconds{
        static_cast<std::int64_t>(*interval * 1000.0)};
      policy.max_backoff = std::max(policy.max_backoff, policy.interval);
    }
    hc.probes.assign(cfg.registry.providers.size(), policy);
    // Each provider's own `health:` settings in the registry win.
    auto path = cl.value("config").value_or("");
    std::string text;
    if (path.empty()) {
      text = std::string{config::default_registry_yaml()};
    } else {
      std::ifstream in{path};
      text.assign(std::istreambuf_iterator<char>{in}, {});
    }
    auto per_provider = config::read_provider_health(text, env);
    for (std::size_t p = 0; p < cfg.registry.providers.size(); ++p) {
      auto found = per_provider.find(cfg.registry.providers[p].id);
      if (found == per_provider.end())
        continue;
      auto& probe = hc.probes[p];
      const auto& h = found->second;
      probe.enabled = probe.enabled && h.probe;
      auto ms = [](double s) {
        return std::chrono::milliseconds{static_cast<std::int64_t>(s * 1000.0)};
      };
      if (h.interval_s) {
        probe.interval = ms(*h.interval_s);
        probe.max_backoff = std::max(probe.max_backoff, probe.interval);
      }
      if (h.timeout_s)
        probe.timeout = ms(*h.timeout_s);
    }
    cfg.health = std::move(hc);
  }
  // The config's `storage:` section, where no flag set it.
  const auto& file_storage = cfg.registry.storage;
  if (!cl.value("prompts") && file_storage.prompts)
    cfg.prompts = *file_storage.prompts == "hash"   ? prompt_retention::hash
                  : *file_storage.prompts == "none" ? prompt_retention::none
                                                    : prompt_retention::full;
  if (!cl.value("store-max-bytes") && file_storage.max_bytes)
    cfg.store_max_bytes = file_storage.max_bytes;
  if (!cl.value("decision-log-queue") && file_storage.decision_log_queue)
    cfg.decision_log_queue = *file_storage.decision_log_queue;
  auto report_registry = cfg.registry;
  cfg.max_connections = max_connections
                          ? static_cast<std::size_t>(*max_connections)
                          : cfg.registry.server.max_connections;

  // The config's `cluster:` section, each value overridden by its flag.
  const auto& file_cluster = cfg.registry.cluster;
  auto flag_or_file = [&cl](const char* flag, const std::string& from_file) {
    return cl.value(flag).value_or(from_file);
  };
  auto node_id = flag_or_file("node-id", file_cluster.node_id);
  auto cluster_listen = flag_or_file("cluster-listen", file_cluster.listen);
  std::vector<std::string> seed_list = file_cluster.seeds;
  if (auto seeds = cl.value("cluster-seeds")) {
    seed_list.clear();
    std::size_t start = 0;
    while (start <= seeds->size()) {
      auto comma = seeds->find(',', start);
      auto seed = seeds->substr(start, comma == std::string::npos
                                         ? std::string::npos
                                         : comma - start);
      std::string h;
      std::uint16_t p = 0;
      if (!seed.empty()) {
        if (!cluster::parse_host_port(seed, h, p))
          return fail("--cluster-seeds: '" + seed + "' is not HOST:PORT");
        seed_list.push_back(seed);
      }
      if (comma == std::string::npos)
        break;
      start = comma + 1;
    }
  }
  if (cluster_listen.empty())
    cluster_listen = "127.0.0.1:0";

  std::shared_ptr<cluster::cluster_node> node;
  if (!node_id.empty()) {
    cluster::cluster_settings cs;
    cs.node_id = node_id;
    if (cs.node_id.find_first_of("=,# ") != std::string::npos)
      return fail("--node-id must be a non-empty name without '=', ',', '#' "
                  "or spaces");
    if (!cluster::parse_host_port(cluster_listen, cs.listen_host,
                                  cs.listen_port))
      return fail("--cluster-listen must be HOST:PORT");
    cs.seeds = std::move(seed_list);
    cs.tls.certificate = flag_or_file("cluster-cert", file_cluster.tls_cert);
    cs.tls.private_key = flag_or_file("cluster-key", file_cluster.tls_key);
    cs.tls.ca_file = flag_or_file("cluster-ca", file_cluster.tls_ca);
    if ((!cs.tls.certificate.empty() || !cs.tls.private_key.empty()
         || !cs.tls.ca_file.empty())
        && (cs.tls.certificate.empty() || cs.tls.private_key.empty()
            || cs.tls.ca_file.empty()))
      return fail("TLS between nodes needs all of --cluster-cert, "
                  "--cluster-key and --cluster-ca (or cluster.tls's cert, "
                  "key and ca)");
    auto nanos = [](const std::optional<double>& usd)
      -> std::optional<engine::usd_nanos> {
      if (!usd)
        return std::nullopt;
      return engine::usd_to_nanos_ceil(*usd);
    };
    cs.caps = {nanos(cfg.global_budget_usd), nanos(cfg.daily_budget_usd),
               nanos(cfg.per_key_budget_usd)};
    for (const auto& p : cfg.registry.providers)
      cs.provider_ids.push_back(p.id);
    node = std::make_shared<cluster::cluster_node>(std::move(cs));
    cfg.extension = node;
    cfg.cluster_status = [node] { return node->status_json(); };
    cfg.cluster_metrics = [node] { return node->metrics_text(); };
  } else if (cl.value("node-id")) {
    return fail("--node-id must be a non-empty name without '=', ',', '#' "
                "or spaces");
  } else if (cl.value("cluster-listen") || cl.value("cluster-seeds")
             || !file_cluster.listen.empty() || !file_cluster.seeds.empty()) {
    return fail("--cluster-listen and --cluster-seeds (or cluster.listen and "
                "cluster.seeds) need a node id: --node-id or "
                "cluster.node_id");
  }

  // Every client and upstream connection is a descriptor: up to the hard
  // limit, before any thread starts.
  auto files = raise_open_file_limit();
  std::cerr << R"({"level":")" << (files.error.empty() ? "info" : "warn")
            << R"(","msg":")" << describe(files) << "\"}\n";

  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string why;
  auto gw = gateway::gateway_server::start(std::move(cfg), why);
  if (!gw)
    return fail(why);
  // The start-up report, once the first discovery round has answered (the
  // health checks bound it at 2 s), and before the port is announced: the
  // first request never finds local servers still unknown.
  for (int i = 0; i < 300 && !gw->discovery_done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  auto availability = gw->availability();
  print_provider_report(std::cerr, report_registry, configuration,
                        cl.has("no-health-checks") ? nullptr : &availability);
  std::printf("listening on %s:%u\n",
              cl.value("listen").value_or("127.0.0.1:8080").substr(
                0, cl.value("listen").value_or("127.0.0.1:8080").rfind(':'))
                .c_str(),
              static_cast<unsigned>(gw->port()));
  if (node)
    std::printf("cluster listening on %s:%u\n",
                cluster_listen.substr(0, cluster_listen.rfind(':')).c_str(),
                static_cast<unsigned>(node->port()));
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << R"({"level":"info","msg":"draining","signal":)" << signal
            << "}\n";
  gw->drain_and_stop(std::chrono::milliseconds{
    static_cast<std::int64_t>(drain_s * 1000.0)});
  gw.reset();
  std::cerr << R"({"level":"info","msg":"stopped"})" << "\n";
  return 0;
}

} // namespace switchyard::cli
