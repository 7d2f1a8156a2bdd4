#pragma once

#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <memory>
#include <string>
#include <utility>

namespace switchyard::telemetry {

class tracer;

/// The root span of work that arrived without a trace: an embedded
/// runtime's task, which has no gateway server span above it. It starts a
/// new trace (sampled at the tracer's ratio) whose first span is this one,
/// and hands the work its context (`parent()`, for `task_spec::trace`), so
/// that the routing, plan step and upstream spans hang under it. Recorded
/// once, by `end()` or its destruction, when the trace is sampled.
///
/// One made from a null tracer is inactive: every member is a no-op and
/// nothing is allocated. Not thread-safe: one owner at a time.
class root_span {
public:
  root_span() noexcept = default;

  root_span(root_span&& other) noexcept;

  /// Ends the span this one held, then takes `other`'s.
  root_span& operator=(root_span&& other) noexcept;

  root_span(const root_span&) = delete;
  root_span& operator=(const root_span&) = delete;

  /// Ends the span if `end()` has not.
  ~root_span();

  /// A new trace rooted in a span named `name` (kind internal), begun now
  /// on `t`'s clock; inactive when `t` is null.
  [[nodiscard]] static root_span start(std::shared_ptr<const tracer> t,
                                       std::string name);

  [[nodiscard]] bool active() const noexcept {
    return parent_ != nullptr;
  }

  /// Active and sampled: its attributes will be exported.
  [[nodiscard]] bool recording() const noexcept {
    return parent_ != nullptr && parent_->context.sampled();
  }

  /// The parent for the work under this span: this span's context and the
  /// tracer. Null when inactive (and after `end()`).
  [[nodiscard]] const trace_parent_ptr& parent() const noexcept {
    return parent_;
  }

  /// Sets an attribute (see span::set) when recording.
  template <class T>
  root_span& set(std::string_view key, T&& value) {
    if (recording())
      span_.set(key, std::forward<T>(value));
    return *this;
  }

  /// Marks the span failed with a short reason (never a secret or prompt
  /// text).
  root_span& fail(std::string_view message);

  /// Ends the span now and records it when sampled; afterwards the span is
  /// inactive.
  void end();

private:
  trace_parent_ptr parent_;
  span span_;
};

} // namespace switchyard::telemetry
