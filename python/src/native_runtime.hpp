#pragma once

#include "chunk_stream.hpp"
#include "completion_queue.hpp"
#include "python_reply.hpp"
#include "runtime_handle.hpp"

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace switchyard::python {

/// The native half of `switchyard.Runtime` (python/switchyard/__init__.py
/// adds asyncio and the context manager). Every wait releases the GIL.
class native_runtime {
public:
  /// Starts the runtime; raises SwitchyardError when it cannot (a bad
  /// endpoint, an empty service name or a sample ratio outside 0..1 is
  /// `invalid_config`, as the embedding API reports it). The tracing arguments are
  /// `embedding_options`'s: None leaves each to the registry's
  /// `telemetry:` section and the OTEL_* variables. `instant`: every call
  /// answers at once in-process (instant_provider.hpp), for benchmarks.
  native_runtime(std::string config_path, std::string registry_yaml,
                 std::string data_dir, std::size_t worker_threads,
                 std::size_t io_threads, double drain_timeout_s,
                 std::optional<std::string> otlp_endpoint,
                 std::optional<std::string> service_name,
                 std::optional<double> sample_ratio, bool instant);

  /// Closes (drains) if close() was not called.
  ~native_runtime();

  native_runtime(const native_runtime&) = delete;
  native_runtime& operator=(const native_runtime&) = delete;

  /// The decision id and the decision as `switchyard route --json` prints it.
  [[nodiscard]] std::pair<std::uint64_t, std::string>
  route(const pybind11::dict& task);

  /// Waits for the answer; raises SwitchyardError for a failed task.
  [[nodiscard]] python_reply execute(const pybind11::dict& task);

  /// Submits; the reply resolves `future` on the loop behind `queue`.
  void submit(const pybind11::dict& task,
              const std::shared_ptr<completion_queue>& queue,
              const pybind11::object& future);

  [[nodiscard]] std::shared_ptr<chunk_stream>
  stream(const pybind11::dict& task);

  /// Waits until the feedback is stored (applied, without a data_dir).
  void feedback(std::uint64_t decision_id, const std::string& outcome,
                std::optional<double> quality, std::optional<int> rating,
                std::optional<bool> pr_merged, std::optional<bool> pr_reverted);

  /// The logged decision as JSON text.
  [[nodiscard]] std::string explain(std::uint64_t decision_id);

  [[nodiscard]] pybind11::dict stats() const;

  /// The runtime itself, for the benchmark; raises once closed.
  [[nodiscard]] embedded_runtime& runtime() {
    return rt();
  }

  void close();
  [[nodiscard]] bool closed() const noexcept {
    return closed_;
  }

private:
  [[nodiscard]] embedded_runtime& rt();

  runtime_handle_ptr handle_;
  bool closed_ = false;
};

} // namespace switchyard::python
