#pragma once

#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace switchyard::telemetry {

/// A span under way: begun by `start_span`, ended once by `end()` (or by
/// its destruction), and recorded then when its trace is sampled. For work
/// that spans several messages, such as the routing decision or a plan
/// step; it moves, so an actor keeps it in its state until the work ends.
///
/// An active_span made from a null parent (the task is not traced) is
/// inactive: every member is a no-op and nothing is allocated.
/// Attributes are kept only when the trace is sampled. Not thread-safe:
/// one owner at a time.
class active_span {
public:
  active_span() noexcept = default;

  active_span(active_span&& other) noexcept;

  /// Ends the span this one held, then takes `other`'s.
  active_span& operator=(active_span&& other) noexcept;

  active_span(const active_span&) = delete;
  active_span& operator=(const active_span&) = delete;

  /// Ends the span if `end()` has not.
  ~active_span();

  /// Begun from a traced parent and not ended yet.
  [[nodiscard]] bool active() const noexcept {
    return parent_ != nullptr;
  }

  /// Active and sampled: its attributes will be exported.
  [[nodiscard]] bool recording() const noexcept {
    return parent_ != nullptr && context_.sampled();
  }

  /// This span's context (for a `traceparent`); null when inactive.
  [[nodiscard]] const trace_context* context() const noexcept {
    return parent_ ? &context_ : nullptr;
  }

  /// The parent for work under this span (the calls of a plan step go in
  /// `call_request::trace`): this span's context, the same tracer and
  /// decision id. Null when inactive. Made once, then shared.
  [[nodiscard]] trace_parent_ptr as_parent() const;

  /// Sets an attribute (see span::set) when recording.
  template <class T>
  active_span& set(const attribute_key& key, T&& value) {
    if (recording())
      span_.set(key, std::forward<T>(value));
    return *this;
  }

  /// The same by the key's name, looked up only when recording. Code that
  /// sets attributes on every span keeps `attribute_key`s instead.
  template <class Name, class T>
    requires(std::convertible_to<Name, std::string_view>
             && !std::same_as<std::remove_cvref_t<Name>, attribute_key>)
  active_span& set(Name&& name, T&& value) {
    if (recording())
      span_.set(attribute_key{std::string_view{name}}, std::forward<T>(value));
    return *this;
  }

  /// Marks the span failed with a short reason (never a secret or prompt
  /// text).
  active_span& fail(std::string_view message);

  /// Ends the span now and records it when sampled; afterwards the span is
  /// inactive.
  void end();

private:
  friend active_span start_span(const trace_parent_ptr& parent,
                                std::string name, span_kind kind);

  trace_parent_ptr parent_;
  trace_context context_;
  span span_;
  mutable trace_parent_ptr as_parent_;
};

/// A child span of `parent` named `name`, begun now on the parent's
/// tracer's clock; it carries `switchyard.decision.id` when the parent
/// has a decision. Inactive when `parent` is null.
///
/// ```cpp
/// auto s = telemetry::start_span(task.trace, "route");
/// s.set(telemetry::attrs::task_type, "code_generation");
/// ...
/// s.end();
/// ```
[[nodiscard]] active_span start_span(const trace_parent_ptr& parent,
                                     std::string name,
                                     span_kind kind = span_kind::internal);

/// `start_span`'s span, shared by the continuations of asynchronous work
/// (an actor's request and its answer); null, with nothing allocated, when
/// `parent` is null.
[[nodiscard]] std::shared_ptr<active_span>
start_shared_span(const trace_parent_ptr& parent, std::string name,
                  span_kind kind = span_kind::internal);

} // namespace switchyard::telemetry
