#pragma once

#include "child_process.hpp"
#include "gateway_bench.hpp"
#include "nginx_reference.hpp"
#include "otlp_collector.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace switchyard::bench {

/// The servers one `bench gateway` run puts under load, those it starts
/// itself: sim-upstream, our gateway, the storeless one (--compare-store),
/// the traced one and its collector (--compare-tracing), another build's
/// (--baseline) and nginx (--reference nginx), on free ports of 127.0.0.1. A port given in the options is a server already
/// running (nothing started for it). Everything is stopped, and a temporary
/// store removed, on destruction.
class target_processes {
 public:
  target_processes() = default;
  ~target_processes();
  target_processes(const target_processes&) = delete;
  target_processes& operator=(const target_processes&) = delete;

  /// Starts what `o` asks for. Empty, or why not.
  [[nodiscard]] std::string start(const gateway_bench_options& o);

  /// The port of a target by its name (0: not in this run).
  [[nodiscard]] std::uint16_t port_of(std::string_view target) const noexcept;
  /// Our process for a target (null: not ours, or none).
  [[nodiscard]] const child_process*
  process_of(std::string_view target) const noexcept;

  /// Where our gateway keeps its store ("": none).
  [[nodiscard]] const std::string& store_dir() const noexcept {
    return store_dir_;
  }
  [[nodiscard]] bool store_is_temporary() const noexcept {
    return !temp_store_.empty();
  }
  [[nodiscard]] const nginx_reference* nginx() const noexcept {
    return nginx_.get();
  }
  /// The traced gateway's collector (null without --compare-tracing).
  [[nodiscard]] const otlp_collector* collector() const noexcept {
    return collector_.get();
  }

 private:
  std::string start_gateway(const gateway_bench_options& o,
                            const std::string& binary, const std::string& name,
                            const std::string& store,
                            std::unique_ptr<child_process>& proc,
                            std::uint16_t& port,
                            const std::vector<std::string>& extra_args = {});

  std::uint16_t sim_port_ = 0;
  std::uint16_t gateway_port_ = 0;
  std::uint16_t no_store_port_ = 0;
  std::uint16_t baseline_port_ = 0;
  std::uint16_t tracing_port_ = 0;
  std::unique_ptr<child_process> sim_;
  std::unique_ptr<child_process> gateway_;
  std::unique_ptr<child_process> no_store_;
  std::unique_ptr<child_process> baseline_;
  std::unique_ptr<child_process> tracing_;
  std::unique_ptr<otlp_collector> collector_;
  std::unique_ptr<nginx_reference> nginx_;
  std::string store_dir_;
  /// A store folder of our own making, removed at the end.
  std::string temp_store_;
};

} // namespace switchyard::bench
