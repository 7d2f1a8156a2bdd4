#pragma once

#include <string>
#include <string_view>

namespace switchyard::telemetry {

/// The version this library was built as (the project's version), the
/// default `service.version` and the instrumentation scope's version.
[[nodiscard]] std::string_view library_version() noexcept;

/// What produced the spans: OTLP resource attributes sent once per export.
struct resource {
  /// `service.name`.
  std::string service_name = "switchyard";
  /// `service.version`.
  std::string service_version = std::string{library_version()};
  /// `switchyard.node.id`: the cluster node id; empty leaves it out.
  std::string node_id;
};

} // namespace switchyard::telemetry
