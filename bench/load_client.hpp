#pragma once

#include "latency_histogram.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::bench {

/// Why a request of the load generator did not end in a 2xx response.
enum class load_error : std::uint8_t {
  /// The TCP connection could not be opened.
  connect,
  /// No complete response within the request timeout (counted from when
  /// the request went out), or still queued when the phase ended.
  timeout,
  http_4xx,
  http_5xx,
  /// The server closed (or reset) the connection before any response byte.
  closed_without_response,
  /// The connection ended in the middle of a response.
  truncated,
  /// The response was not valid HTTP/1.1.
  malformed,
};

inline constexpr std::size_t load_error_count = 7;

[[nodiscard]] std::string_view to_string(load_error e) noexcept;

/// One server under load: keep-alive connections to 127.0.0.1:`port`,
/// each sending `requests` in turn (whole HTTP/1.1 requests, bytes as is).
struct load_target {
  std::string name;
  std::uint16_t port = 0;
  std::vector<std::string> requests;
  std::size_t connections = 32;
};

/// An open-loop phase: each target gets `rate` requests per second, due at
/// fixed intervals (the targets interleaved, one schedule, each round in
/// the opposite order of the one before). A request waits
/// for a free connection when all are busy; its latency counts from when it
/// was due, so a stalled server shows up as latency, not as a lower rate
/// (no coordinated omission).
struct load_phase {
  double rate = 1000;
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds timeout{5000};
  /// Responses are SSE streams: also time the first body byte.
  bool stream = false;
  /// Called on the load thread about every 200 ms with the fraction of the
  /// schedule that is due so far.
  std::function<void(double)> progress;
};

/// A closed-loop phase, as wrk measures: each connection sends its next
/// request as soon as the previous one is answered, so the offered rate is
/// whatever the server sustains. Latency counts from each request's send
/// (a closed loop cannot see the requests a stalled server kept it from
/// sending: use the open loop for tails under a fixed rate).
struct closed_loop_phase {
  /// No request is sent after this; those in flight still finish.
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds timeout{5000};
  /// Requests per connection; 0: as many as `duration` allows. With 1 and
  /// many connections the phase is a burst of concurrent requests, each
  /// alone on its connection (concurrent streams), and ends when all have.
  std::size_t requests_per_connection = 0;
  bool stream = false;
  /// Called on the load thread about every 200 ms with the fraction done.
  std::function<void(double)> progress;
};

struct target_outcome {
  std::string name;
  /// Due by the schedule; each ends answered or as one error.
  std::uint64_t requests = 0;
  /// Complete 2xx responses.
  std::uint64_t answered = 0;
  std::array<std::uint64_t, load_error_count> errors{};
  /// From the due time to the complete 2xx response, ns.
  latency_histogram latency;
  /// From the due time to the first body byte of a 2xx response, ns.
  latency_histogram first_byte;
  std::uint64_t connections_opened = 0;
  /// Over which the answers came. Open loop: from the first to the last,
  /// plus one mean interval between answers. Closed loop: from the start of
  /// the phase to the last answer.
  double seconds = 0;

  [[nodiscard]] std::uint64_t error_total() const noexcept;
  [[nodiscard]] double achieved_rate() const noexcept {
    return seconds > 0 ? static_cast<double>(answered) / seconds : 0.0;
  }
};

struct load_result {
  std::vector<target_outcome> targets;
  /// How late the generator itself put requests out (its own saturation).
  double max_schedule_lag_us = 0;
  /// Set when the phase could not run at all.
  std::string error;
};

/// Runs one phase on the calling thread (one Asio event loop for every
/// connection). Connections are opened before the schedule starts.
[[nodiscard]] load_result run_load(const std::vector<load_target>& targets,
                                   const load_phase& phase);

/// Runs one closed-loop phase against one target (wrk measures one server
/// at a time: two under closed loops at once would share the CPUs by
/// chance). Connections are opened before the phase starts; one that cannot
/// be opened counts as a `connect` error for the request it would have
/// carried, and the phase goes on with the others.
[[nodiscard]] load_result run_closed_loop(const load_target& target,
                                          const closed_loop_phase& phase);

} // namespace switchyard::bench
