#include "switchyard/telemetry/otlp_json.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <variant>

namespace switchyard::telemetry {

namespace {

using engine::json_writer;

/// `s` with every invalid UTF-8 sequence replaced by U+FFFD. Only called
/// for text that failed validation.
std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x06 ? 2
                      : (c >> 4) == 0x0e ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    if (len > 0 && i + len <= s.size()
        && simdjson::validate_utf8(s.data() + i, len)) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

void write_text(json_writer& w, std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size()))
    w.value(s);
  else
    w.value(std::string_view{repair_utf8(s)});
}

/// A 64-bit integer as a JSON string (OTLP/JSON's rule for int64/fixed64).
template <class Int>
void write_int_string(json_writer& w, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  w.value(std::string_view{buf, static_cast<std::size_t>(r.ptr - buf)});
}

void write_double(json_writer& w, double d) {
  // protobuf's JSON mapping writes non-finite doubles as strings.
  if (std::isnan(d))
    w.value("NaN");
  else if (std::isinf(d))
    w.value(d > 0 ? "Infinity" : "-Infinity");
  else
    w.value(d);
}

void write_any_value(json_writer& w, const attribute_value& v) {
  w.begin_object();
  std::visit(
    [&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, std::string>) {
        w.key("stringValue");
        write_text(w, x);
      } else if constexpr (std::is_same_v<T, bool>) {
        w.key("boolValue").value(x);
      } else if constexpr (std::is_same_v<T, std::int64_t>) {
        w.key("intValue");
        write_int_string(w, x);
      } else if constexpr (std::is_same_v<T, double>) {
        w.key("doubleValue");
        write_double(w, x);
      } else {
        w.key("arrayValue").begin_object().key("values").begin_array();
        for (const auto& item : x) {
          w.begin_object().key("stringValue");
          write_text(w, item);
          w.end_object();
        }
        w.end_array().end_object();
      }
    },
    v);
  w.end_object();
}

void write_key_value(json_writer& w, std::string_view key,
                     const attribute_value& v) {
  w.begin_object().key("key");
  write_text(w, key);
  w.key("value");
  write_any_value(w, v);
  w.end_object();
}

void write_string_attribute(json_writer& w, std::string_view key,
                            std::string_view value) {
  w.begin_object().key("key").value(key).key("value").begin_object().key(
    "stringValue");
  write_text(w, value);
  w.end_object().end_object();
}

void write_id(json_writer& w, std::string& scratch, const auto& id) {
  scratch.clear();
  id.append_hex(scratch);
  w.value(std::string_view{scratch});
}

void write_span(json_writer& w, std::string& scratch, const span& s) {
  w.begin_object();
  w.key("traceId");
  write_id(w, scratch, s.trace_id);
  w.key("spanId");
  write_id(w, scratch, s.span_id);
  if (!s.trace_state.empty()) {
    w.key("traceState");
    write_text(w, s.trace_state);
  }
  if (s.parent_span_id.valid()) {
    w.key("parentSpanId");
    write_id(w, scratch, s.parent_span_id);
  }
  w.key("name");
  write_text(w, s.name);
  w.key("kind").value(static_cast<int>(s.kind));
  w.key("startTimeUnixNano");
  write_int_string(w, s.start_unix_nanos);
  w.key("endTimeUnixNano");
  write_int_string(w, s.end_unix_nanos);
  if (!s.attributes.empty()) {
    w.key("attributes").begin_array();
    for (const auto& a : s.attributes)
      write_key_value(w, a.key, a.value);
    w.end_array();
  }
  if (s.status.code != status_code::unset) {
    w.key("status").begin_object();
    if (s.status.code == status_code::error && !s.status.message.empty()) {
      w.key("message");
      write_text(w, s.status.message);
    }
    w.key("code").value(static_cast<int>(s.status.code));
    w.end_object();
  }
  w.end_object();
}

} // namespace

void append_otlp_json(std::string& out, const resource& res,
                      std::span<const span> spans) {
  json_writer w{out};
  std::string scratch;
  w.begin_object().key("resourceSpans").begin_array().begin_object();
  w.key("resource").begin_object().key("attributes").begin_array();
  write_string_attribute(w, "service.name", res.service_name);
  if (!res.service_version.empty())
    write_string_attribute(w, "service.version", res.service_version);
  if (!res.node_id.empty())
    write_string_attribute(w, attrs::node_id, res.node_id);
  w.end_array().end_object();
  w.key("scopeSpans").begin_array().begin_object();
  w.key("scope").begin_object();
  w.key("name").value(scope_name);
  w.key("version").value(library_version());
  w.end_object();
  w.key("spans").begin_array();
  for (const auto& s : spans)
    write_span(w, scratch, s);
  w.end_array();
  w.key("schemaUrl").value(genai::schema_url);
  w.end_object().end_array();
  w.end_object().end_array().end_object();
}

} // namespace switchyard::telemetry
