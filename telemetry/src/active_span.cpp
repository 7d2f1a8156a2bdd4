#include "switchyard/telemetry/active_span.hpp"

#include "switchyard/telemetry/id_generator.hpp"
#include "switchyard/telemetry/start_context.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"
#include "switchyard/telemetry/tracer.hpp"

namespace switchyard::telemetry {

active_span::active_span(active_span&& other) noexcept
  : parent_(std::move(other.parent_)),
    context_(std::move(other.context_)),
    span_(std::move(other.span_)),
    as_parent_(std::move(other.as_parent_)) {
  other.parent_.reset();
}

active_span& active_span::operator=(active_span&& other) noexcept {
  if (this != &other) {
    end();
    parent_ = std::move(other.parent_);
    context_ = std::move(other.context_);
    span_ = std::move(other.span_);
    as_parent_ = std::move(other.as_parent_);
    other.parent_.reset();
  }
  return *this;
}

active_span::~active_span() {
  end();
}

trace_parent_ptr active_span::as_parent() const {
  if (!parent_)
    return nullptr;
  if (!as_parent_) {
    auto p = std::make_shared<trace_parent>();
    p->context = context_;
    // Shares the parent's ownership, not the tracer's (see with_decision).
    p->tracer = std::shared_ptr<const tracer>(parent_, parent_->tracer.get());
    p->decision_id = parent_->decision_id;
    as_parent_ = std::move(p);
  }
  return as_parent_;
}

active_span& active_span::fail(std::string_view message) {
  if (recording())
    span_.fail(message);
  return *this;
}

void active_span::end() {
  if (!parent_)
    return;
  auto parent = std::move(parent_);
  parent_.reset();
  as_parent_.reset();
  if (!context_.sampled())
    return;
  span_.end_unix_nanos = parent->tracer->now_unix_nanos();
  parent->tracer->record(std::move(span_));
}

active_span start_span(const trace_parent_ptr& parent, std::string name,
                       span_kind kind) {
  active_span s;
  if (!parent)
    return s;
  s.parent_ = parent;
  s.context_ = start_child_context(parent->context, thread_id_generator());
  if (!s.context_.sampled())
    return s;
  s.span_ = make_span(std::move(name), kind, s.context_,
                      parent->context.span_id,
                      parent->tracer->now_unix_nanos());
  if (parent->decision_id != 0) {
    static const attribute_key decision_key{attrs::decision_id};
    s.span_.add(decision_key, decision_id_text(parent->decision_id));
  }
  return s;
}

std::shared_ptr<active_span> start_shared_span(const trace_parent_ptr& parent,
                                               std::string name,
                                               span_kind kind) {
  if (!parent)
    return nullptr;
  return std::make_shared<active_span>(
    start_span(parent, std::move(name), kind));
}

} // namespace switchyard::telemetry
