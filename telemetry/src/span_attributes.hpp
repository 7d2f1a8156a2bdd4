#pragma once

// A span description's output into a `span` (describe_upstream,
// describe_server). Internal to the telemetry component.

#include "switchyard/telemetry/span.hpp"

#include <string_view>
#include <utility>

namespace switchyard::telemetry::detail {

struct span_attributes {
  span& s;

  template <class T>
  void add(const attribute_key& key, T&& value) {
    s.add(key, std::forward<T>(value));
  }

  void fail(std::string_view message) {
    s.fail(message);
  }
};

} // namespace switchyard::telemetry::detail
