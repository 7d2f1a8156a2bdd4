#include "switchyard/telemetry/root_span.hpp"

#include "switchyard/telemetry/tracer.hpp"

namespace switchyard::telemetry {

root_span::root_span(root_span&& other) noexcept
  : parent_(std::move(other.parent_)), span_(std::move(other.span_)) {
  other.parent_.reset();
}

root_span& root_span::operator=(root_span&& other) noexcept {
  if (this != &other) {
    end();
    parent_ = std::move(other.parent_);
    span_ = std::move(other.span_);
    other.parent_.reset();
  }
  return *this;
}

root_span::~root_span() {
  end();
}

root_span root_span::start(std::shared_ptr<const tracer> t, std::string name) {
  root_span s;
  if (!t)
    return s;
  s.parent_ = t->start_root_trace();
  if (s.parent_->context.sampled())
    s.span_ = make_span(std::move(name), span_kind::internal,
                        s.parent_->context, telemetry::span_id{},
                        t->now_unix_nanos());
  return s;
}

root_span& root_span::fail(std::string_view message) {
  if (recording())
    span_.fail(message);
  return *this;
}

void root_span::end() {
  if (!parent_)
    return;
  auto parent = std::move(parent_);
  parent_.reset();
  if (!parent->context.sampled())
    return;
  span_.end_unix_nanos = parent->tracer->now_unix_nanos();
  parent->tracer->record(std::move(span_));
}

} // namespace switchyard::telemetry
