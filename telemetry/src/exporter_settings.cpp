#include "switchyard/telemetry/exporter_settings.hpp"

#include "switchyard/http/url.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/otlp_headers.hpp"

#include <array>
#include <cmath>
#include <optional>

namespace switchyard::telemetry {

namespace {

// -- the OpenTelemetry variables read (OTLP exporter configuration) -----------

constexpr std::string_view traces_endpoint_var
  = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
constexpr std::string_view endpoint_var = "OTEL_EXPORTER_OTLP_ENDPOINT";
constexpr std::string_view traces_headers_var
  = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
constexpr std::string_view headers_var = "OTEL_EXPORTER_OTLP_HEADERS";
constexpr std::string_view service_name_var = "OTEL_SERVICE_NAME";

constexpr std::string_view endpoint_key
  = "telemetry.otlp_endpoint (or --otlp-endpoint)";

/// Where OTLP/HTTP serves traces on a collector.
constexpr std::string_view traces_path = "/v1/traces";

/// Headers the HTTP client or the exporter writes itself; a second copy
/// would break the request.
constexpr std::array<std::string_view, 5> reserved_headers{
  "Host", "Content-Length", "Transfer-Encoding", "Connection",
  "Content-Type"};

/// A variable's value; empty counts as unset (OpenTelemetry's rule).
std::optional<std::string> env_value(const config::env_lookup& env,
                                     std::string_view name) {
  if (!env)
    return std::nullopt;
  auto v = env(name);
  if (!v || v->empty())
    return std::nullopt;
  return v;
}

caf::error invalid(std::string msg) {
  return caf::make_error(error_code::invalid_config, std::move(msg));
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

caf::error check_limits(const telemetry_config& cfg) {
  if (!std::isfinite(cfg.sample_ratio) || cfg.sample_ratio < 0.0
      || cfg.sample_ratio > 1.0)
    return invalid("telemetry.sample_ratio must be between 0 and 1 (the "
                   "share of new traces recorded)");
  if (cfg.queue_capacity == 0)
    return invalid("telemetry.queue_capacity must be at least 1");
  if (cfg.max_batch == 0)
    return invalid("telemetry.max_batch must be at least 1");
  if (cfg.max_batch > cfg.queue_capacity)
    return invalid("telemetry.max_batch must not exceed "
                   "telemetry.queue_capacity");
  if (cfg.flush_interval.count() <= 0)
    return invalid("telemetry.flush_interval must be positive");
  if (cfg.export_timeout.count() <= 0)
    return invalid("telemetry.export_timeout must be positive");
  if (cfg.shutdown_timeout.count() < 0)
    return invalid("telemetry.shutdown_timeout must not be negative");
  if (cfg.service_name && cfg.service_name->empty())
    return invalid("telemetry.service_name must not be empty (leave it out "
                   "for OTEL_SERVICE_NAME or 'switchyard')");
  return {};
}

} // namespace

caf::expected<exporter_settings>
resolve_exporter_settings(const telemetry_config& cfg,
                          const config::env_lookup& env) {
  if (auto err = check_limits(cfg))
    return err;
  exporter_settings s;
  s.queue_capacity = cfg.queue_capacity;
  s.max_batch = cfg.max_batch;
  s.flush_interval = cfg.flush_interval;
  s.export_timeout = cfg.export_timeout;
  s.shutdown_timeout = cfg.shutdown_timeout;
  if (cfg.service_name)
    s.resource.service_name = *cfg.service_name;
  else if (auto name = env_value(env, service_name_var))
    s.resource.service_name = std::move(*name);
  s.resource.node_id = cfg.node_id;

  // -- the endpoint: explicit setting, then the variables, else off -----------
  std::string text;
  std::string_view source;
  bool default_path = false;
  if (cfg.otlp_endpoint) {
    if (cfg.otlp_endpoint->empty())
      return s; // explicitly off
    text = *cfg.otlp_endpoint;
    source = endpoint_key;
    default_path = true;
  } else if (auto traces = env_value(env, traces_endpoint_var)) {
    text = std::move(*traces);
    source = traces_endpoint_var;
  } else if (auto base = env_value(env, endpoint_var)) {
    // The signal path goes after the base URL's own path (OpenTelemetry:
    // `http://c:4318/prefix` -> `http://c:4318/prefix/v1/traces`).
    text = std::string{trim(*base)};
    if (!text.empty() && text.back() == '/')
      text.pop_back();
    text += traces_path;
    source = endpoint_var;
  } else {
    return s; // no endpoint: off
  }
  std::string why;
  auto url = http::parse_url(trim(text), why);
  if (!url) // never the text itself: it could hold a credential
    return invalid(std::string{source}
                   + ": not a usable OTLP/HTTP endpoint: the URL " + why);
  if (default_path && url->path.empty())
    url->path = traces_path;
  s.endpoint = url->origin.to_string() + (url->path.empty() ? "/" : url->path);

  // -- the headers: read only when exporting ----------------------------------
  std::string_view headers_source = traces_headers_var;
  auto raw = env_value(env, traces_headers_var);
  if (!raw) {
    headers_source = headers_var;
    raw = env_value(env, headers_var);
  }
  if (raw) {
    auto headers = parse_otlp_headers(*raw, headers_source);
    if (!headers)
      return headers.error();
    for (const auto& h : *headers)
      for (auto reserved : reserved_headers)
        if (http::iequals(h.name, reserved))
          return invalid(std::string{headers_source} + ": sets "
                         + std::string{reserved}
                         + ", which the exporter sets itself");
    s.headers = std::move(*headers);
  }
  return s;
}

std::string exporter_settings::to_string() const {
  if (!enabled())
    return "off (no OTLP endpoint)";
  std::string out = "endpoint=" + endpoint + " headers=[";
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += headers[i].name;
    out += "=<redacted>";
  }
  out += "] service.name=" + resource.service_name;
  if (!resource.service_version.empty())
    out += " service.version=" + resource.service_version;
  if (!resource.node_id.empty())
    out += " switchyard.node.id=" + resource.node_id;
  out += " queue=" + std::to_string(queue_capacity);
  out += " batch=" + std::to_string(max_batch);
  out += " flush=" + std::to_string(flush_interval.count()) + "ms";
  out += " timeout=" + std::to_string(export_timeout.count()) + "ms";
  return out;
}

} // namespace switchyard::telemetry
