#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard sim-upstream [--config F] [--listen HOST:PORT] [--seed S]
/// [--zero-delay] [--threads N]`: serves the simulated provider fleet until
/// SIGINT or SIGTERM. The first line on stdout is `listening on HOST:PORT`
/// with the bound port (useful with port 0).
int run_sim_upstream_command(const std::vector<std::string>& args);

/// Splits `HOST:PORT` (`[v6]:PORT` for IPv6); false when malformed.
bool split_host_port(const std::string& text, std::string& host,
                     std::uint16_t& port);

} // namespace switchyard::cli
