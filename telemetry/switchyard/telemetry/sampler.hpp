#pragma once

#include "switchyard/telemetry/trace_context.hpp"
#include "switchyard/telemetry/trace_id.hpp"

#include <cstdint>
#include <string>

namespace switchyard::telemetry {

/// Head sampling as OpenTelemetry's `ParentBased(root=TraceIdRatioBased(r))`:
/// a span with a parent follows the parent's `sampled` flag (a sampled
/// incoming `traceparent` is always sampled, an unsampled one never); a
/// root is sampled by its trace id, so every process that sees the trace
/// decides alike.
///
/// The root decision is the one the OpenTelemetry SDK specification gives
/// TraceIdRatioBased (W3C Trace Context Level 2 randomness): the randomness
/// R is the rightmost 56 bits of the trace id, the rejection threshold is
/// T = (1 - r) * 2^56, and a root is sampled when R >= T. A trace sampled
/// at ratio r is therefore sampled at every ratio above r. T is computed
/// at full double precision (no `th` is written to `tracestate`).
///
/// Pure: no clock, no randomness of its own; cheap to copy.
class sampler {
public:
  /// `ratio` is clamped to [0, 1]; NaN samples no root.
  explicit sampler(double ratio = 1.0) noexcept;

  /// The decision for a new span: its parent's flag when `parent` is
  /// given, else `sample_root(id)`.
  [[nodiscard]] bool should_sample(const trace_context* parent,
                                   const trace_id& id) const noexcept {
    return parent != nullptr ? parent->sampled() : sample_root(id);
  }

  /// Whether a new trace with this id is sampled.
  [[nodiscard]] bool sample_root(const trace_id& id) const noexcept {
    return id.randomness() >= threshold_;
  }

  /// The ratio after clamping.
  [[nodiscard]] double ratio() const noexcept {
    return ratio_;
  }

  /// T in [0, 2^56]: 0 samples every root, 2^56 none.
  [[nodiscard]] std::uint64_t rejection_threshold() const noexcept {
    return threshold_;
  }

  /// `ParentBased{root=TraceIdRatioBased{0.250000}}`, as OpenTelemetry
  /// samplers describe themselves.
  [[nodiscard]] std::string description() const;

private:
  double ratio_;
  std::uint64_t threshold_;
};

} // namespace switchyard::telemetry
