#include "analytics_command.hpp"
#include "demo_client_command.hpp"
#include "experiments_command.hpp"
#include "explain_command.hpp"
#include "store_stats_command.hpp"
#include "keys_command.hpp"
#include "route_command.hpp"
#include "serve_command.hpp"
#include "sim_upstream_command.hpp"

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view usage
  = "switchyard: routes each LLM task to the smallest capable model.\n\n"
    "usage: switchyard COMMAND [ARGS] (every command has --help)\n\n"
    "commands:\n"
    "  route \"TASK\"        print the routing decision for a task\n"
    "  serve               the OpenAI- and Anthropic-compatible gateway\n"
    "  demo-client         send the demo workload through a gateway\n"
    "  config check FILE   validate a registry file\n"
    "  bench engine        measure the routing engine's decision rate\n"
    "  bench adapters      measure the HTTP client + adapter overhead\n"
    "  bench quality       replay recorded outcomes: routing accuracy vs cost\n"
    "  sim-upstream        serve a simulated provider fleet (all five wire\n"
    "                      formats) for demos, tests and benchmarks\n"
    "  explain ID          print a logged decision (--data-dir D)\n"
    "  replay ID           recompute a logged decision and compare\n"
    "  experiments         list, start or stop A/B tests\n"
    "  keys                create, list or revoke client API keys\n"
    "  analytics           performance, costs or recommendations\n"
    "  store-stats         records and bytes on disk per column (--data-dir D)\n";

} // namespace

int main(int argc, char** argv) {
  using namespace switchyard::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h"
      || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  auto command = args.front();
  args.erase(args.begin());
  if (command == "route")
    return run_route_command(args);
  if (command == "config")
    return run_config_command(args);
  if (command == "bench")
    return run_bench_command(args);
  if (command == "demo-client")
    return run_demo_client_command(args);
  if (command == "serve")
    return run_serve_command(args);
  if (command == "sim-upstream")
    return run_sim_upstream_command(args);
  if (command == "explain")
    return run_explain_command(args);
  if (command == "replay")
    return run_replay_command(args);
  if (command == "experiments")
    return run_experiments_command(args);
  if (command == "keys")
    return run_keys_command(args);
  if (command == "analytics")
    return run_analytics_command(args);
  if (command == "store-stats")
    return run_store_stats_command(args);
  std::cerr << "switchyard: unknown command '" << command << "'\n\n" << usage;
  return 2;
}
