#include "switchyard/telemetry/exporter_settings.hpp"

#include "switchyard/http/url.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/otlp_headers.hpp"

#include <array>
#include <charconv>
#include <chrono>
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

// The batch span processor's variables (OpenTelemetry SDK configuration),
// with the export timeout: switchyard's exporter is one.
constexpr std::string_view queue_size_var = "OTEL_BSP_MAX_QUEUE_SIZE";
constexpr std::string_view batch_size_var = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
constexpr std::string_view schedule_delay_var = "OTEL_BSP_SCHEDULE_DELAY";
constexpr std::string_view bsp_timeout_var = "OTEL_BSP_EXPORT_TIMEOUT";
constexpr std::string_view traces_timeout_var
  = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT";
constexpr std::string_view timeout_var = "OTEL_EXPORTER_OTLP_TIMEOUT";

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

/// A variable holding a count or milliseconds: a whole number, at least 1
/// and at most 2^31 - 1 (OpenTelemetry's variables are integers).
caf::error read_count(const config::env_lookup& env, std::string_view name,
                      std::size_t& out) {
  auto v = env_value(env, name);
  if (!v)
    return {};
  auto text = trim(*v);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n == 0
      || n > 2'147'483'647u)
    return invalid(std::string{name} + " must be a whole number from 1 to "
                   "2147483647, not '" + std::string{text} + "'");
  out = n;
  return {};
}

caf::error read_millis(const config::env_lookup& env, std::string_view name,
                       std::chrono::milliseconds& out) {
  std::size_t n = 0;
  if (auto err = read_count(env, name, n))
    return err;
  if (n > 0)
    out = std::chrono::milliseconds{static_cast<std::int64_t>(n)};
  return {};
}

/// `cfg` with the batch span processor's variables applied: the registry
/// has no keys for these limits, so a variable that is set wins.
caf::expected<telemetry_config> with_batch_variables(telemetry_config cfg,
                                                     const config::env_lookup& env) {
  if (auto err = read_count(env, queue_size_var, cfg.queue_capacity))
    return err;
  if (auto err = read_count(env, batch_size_var, cfg.max_batch))
    return err;
  if (auto err = read_millis(env, schedule_delay_var, cfg.flush_interval))
    return err;
  // The exporter's own timeout first, the processor's over it.
  for (auto name : {timeout_var, traces_timeout_var, bsp_timeout_var})
    if (auto err = read_millis(env, name, cfg.export_timeout))
      return err;
  return cfg;
}

caf::error check_limits(const telemetry_config& cfg) {
  if (!std::isfinite(cfg.sample_ratio) || cfg.sample_ratio < 0.0
      || cfg.sample_ratio > 1.0)
    return invalid("telemetry.sample_ratio must be between 0 and 1 (the "
                   "share of new traces recorded)");
  if (cfg.queue_capacity == 0)
    return invalid("the span queue (OTEL_BSP_MAX_QUEUE_SIZE) must hold at "
                   "least 1 span");
  if (cfg.max_batch == 0)
    return invalid("the export batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE) must "
                   "hold at least 1 span");
  if (cfg.max_batch > cfg.queue_capacity)
    return invalid("the export batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "
                   + std::to_string(cfg.max_batch)
                   + ") must not exceed the span queue "
                     "(OTEL_BSP_MAX_QUEUE_SIZE, "
                   + std::to_string(cfg.queue_capacity) + ")");
  if (cfg.flush_interval.count() <= 0)
    return invalid("the export delay (OTEL_BSP_SCHEDULE_DELAY) must be "
                   "positive");
  if (cfg.export_timeout.count() <= 0)
    return invalid("the export timeout (OTEL_EXPORTER_OTLP_TIMEOUT) must be "
                   "positive");
  if (cfg.shutdown_timeout.count() < 0)
    return invalid("telemetry.shutdown_timeout must not be negative");
  if (cfg.service_name && cfg.service_name->empty())
    return invalid("telemetry.service_name must not be empty (leave it out "
                   "for OTEL_SERVICE_NAME or 'switchyard')");
  return {};
}

} // namespace

caf::expected<exporter_settings>
resolve_exporter_settings(const telemetry_config& given,
                          const config::env_lookup& env) {
  auto with_env = with_batch_variables(given, env);
  if (!with_env)
    return with_env.error();
  const auto& cfg = *with_env;
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
