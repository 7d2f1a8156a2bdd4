#pragma once

// Reads an OTLP/JSON export body back with simdjson, for the tests'
// assertions: what a collector would see.

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::testing {

struct received_span {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;
  std::string trace_state;
  std::string name;
  std::int64_t kind = 0;
  std::string start_unix_nanos;
  std::string end_unix_nanos;
  bool has_status = false;
  std::int64_t status_code = 0;
  std::string status_message;
  /// key -> the attribute's `value` (an AnyValue) as minified JSON.
  std::map<std::string, std::string> attributes;
};

struct received_batch {
  /// key -> the resource attribute's `value` as minified JSON.
  std::map<std::string, std::string> resource;
  std::string scope_name;
  std::string scope_version;
  std::string schema_url;
  std::vector<received_span> spans;
};

namespace detail {

inline std::string string_at(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS)
    return {};
  return std::string{v};
}

inline std::map<std::string, std::string>
attributes_of(simdjson::dom::element e) {
  std::map<std::string, std::string> out;
  simdjson::dom::array list;
  if (e["attributes"].get(list) != simdjson::SUCCESS)
    return out;
  for (auto kv : list)
    out[string_at(kv, "key")] = simdjson::minify(kv["value"]);
  return out;
}

} // namespace detail

/// The one ResourceSpans / ScopeSpans the exporter writes, or nullopt when
/// `body` is not JSON of that shape.
inline std::optional<received_batch> parse_otlp_batch(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS)
    return std::nullopt;
  simdjson::dom::array resource_spans;
  if (doc["resourceSpans"].get(resource_spans) != simdjson::SUCCESS
      || resource_spans.size() != 1)
    return std::nullopt;
  auto rs = resource_spans.at(0).value();
  received_batch batch;
  simdjson::dom::element resource;
  if (rs["resource"].get(resource) != simdjson::SUCCESS)
    return std::nullopt;
  batch.resource = detail::attributes_of(resource);
  simdjson::dom::array scope_spans;
  if (rs["scopeSpans"].get(scope_spans) != simdjson::SUCCESS
      || scope_spans.size() != 1)
    return std::nullopt;
  auto ss = scope_spans.at(0).value();
  batch.scope_name = detail::string_at(ss["scope"].value(), "name");
  batch.scope_version = detail::string_at(ss["scope"].value(), "version");
  batch.schema_url = detail::string_at(ss, "schemaUrl");
  simdjson::dom::array spans;
  if (ss["spans"].get(spans) != simdjson::SUCCESS)
    return std::nullopt;
  for (auto s : spans) {
    received_span r;
    r.trace_id = detail::string_at(s, "traceId");
    r.span_id = detail::string_at(s, "spanId");
    r.parent_span_id = detail::string_at(s, "parentSpanId");
    r.trace_state = detail::string_at(s, "traceState");
    r.name = detail::string_at(s, "name");
    if (s["kind"].get(r.kind) != simdjson::SUCCESS)
      return std::nullopt;
    r.start_unix_nanos = detail::string_at(s, "startTimeUnixNano");
    r.end_unix_nanos = detail::string_at(s, "endTimeUnixNano");
    simdjson::dom::element status;
    if (s["status"].get(status) == simdjson::SUCCESS) {
      r.has_status = true;
      if (status["code"].get(r.status_code) != simdjson::SUCCESS)
        return std::nullopt;
      r.status_message = detail::string_at(status, "message");
    }
    r.attributes = detail::attributes_of(s);
    batch.spans.push_back(std::move(r));
  }
  return batch;
}

} // namespace switchyard::testing
