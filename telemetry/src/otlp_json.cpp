#include "switchyard/telemetry/otlp_json.hpp"

#include "hex.hpp"
#include "otlp_span_writer.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <variant>

namespace switchyard::telemetry {

namespace {

// A span is written through a raw pointer into room reserved up front
// (`span_bound`): one size check per span rather than one per append, which
// was most of the encoder's cost on the request path, where a span is
// encoded as it is recorded.

/// The most a text of `n` bytes takes as a JSON string: every byte escaped
/// as `\u00XX`, plus the quotes. Repaired UTF-8 (U+FFFD for a bad byte)
/// takes 3 bytes per byte, within it.
constexpr std::size_t text_bound(std::size_t n) noexcept {
  return 6 * n + 2;
}

/// Room for any number, bool or `NaN`-like string, with quotes.
constexpr std::size_t number_bound = 40;

/// The JSON around one attribute, its key and value excluded.
constexpr std::size_t attribute_frame = 48;

/// The JSON around a span, its texts and attributes excluded (ids, times,
/// kind, field names, status code): some 300 bytes.
constexpr std::size_t span_frame = 400;

/// The most an array value of `items` takes.
std::size_t array_bound(const std::vector<std::string>& items) noexcept {
  std::size_t n = 32;
  for (const auto& item : items)
    n += text_bound(item.size()) + 20;
  return n;
}

std::size_t value_bound(const attribute_value& v) noexcept {
  if (const auto* s = std::get_if<std::string>(&v))
    return text_bound(s->size());
  if (const auto* list = std::get_if<std::vector<std::string>>(&v))
    return array_bound(*list);
  return number_bound;
}

std::size_t span_bound(const span& s) noexcept {
  auto n = span_frame + text_bound(s.name.size())
           + text_bound(s.trace_state.size())
           + text_bound(s.status.message.size());
  for (const auto& a : s.attributes)
    n += attribute_frame + text_bound(a.key.text().size())
         + value_bound(a.value);
  return n;
}

/// Copies a literal without its terminating zero.
template <std::size_t N>
char* put(char* p, const char (&literal)[N]) noexcept {
  std::memcpy(p, literal, N - 1);
  return p + N - 1;
}

char* put(char* p, std::string_view s) noexcept {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

/// Whether any of the 8 bytes in `v` is a control character, `"`, `\` or
/// not ASCII: then the text takes the slow path (escapes, UTF-8 checks).
bool word_is_special(std::uint64_t v) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto below_0x20 = (v - ones * 0x20) & ~v;
  auto q = v ^ (ones * '"');
  auto quote = (q - ones) & ~q;
  auto b = v ^ (ones * '\\');
  auto backslash = (b - ones) & ~b;
  return ((below_0x20 | quote | backslash | v) & highs) != 0;
}

bool is_plain(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    if (word_is_special(v))
      return false;
  }
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
      return false;
  }
  return true;
}

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

/// Valid UTF-8 `s` with JSON's escapes.
char* put_escaped(char* p, std::string_view s) noexcept {
  for (auto ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *p++ = ch;
      continue;
    }
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      case '\b': *p++ = 'b'; break;
      case '\f': *p++ = 'f'; break;
      default:
        p = put(p, "u00");
        *p++ = detail::hex_digits[c >> 4];
        *p++ = detail::hex_digits[c & 0x0f];
    }
  }
  return p;
}

/// `s` as a quoted JSON string, escaped, invalid UTF-8 repaired; at most
/// `text_bound(s.size())` bytes.
char* put_text(char* p, std::string_view s) {
  *p++ = '"';
  if (is_plain(s))
    p = put(p, s);
  else if (simdjson::validate_utf8(s.data(), s.size()))
    p = put_escaped(p, s);
  else
    p = put_escaped(p, repair_utf8(s));
  *p++ = '"';
  return p;
}

template <class Int>
char* put_int(char* p, Int v) noexcept {
  return std::to_chars(p, p + 24, v).ptr;
}

/// A 64-bit integer as a JSON string (OTLP/JSON's rule for int64/fixed64).
template <class Int>
char* put_int_string(char* p, Int v) noexcept {
  *p++ = '"';
  p = put_int(p, v);
  *p++ = '"';
  return p;
}

char* put_double(char* p, double d) noexcept {
  // protobuf's JSON mapping writes non-finite doubles as strings.
  if (std::isnan(d))
    return put(p, "\"NaN\"");
  if (std::isinf(d))
    return d > 0 ? put(p, "\"Infinity\"") : put(p, "\"-Infinity\"");
  return std::to_chars(p, p + 32, d).ptr;
}

/// Lowercase hex in quotes.
template <std::size_t N>
char* put_id(char* p, const std::array<std::uint8_t, N>& bytes) noexcept {
  *p++ = '"';
  for (auto b : bytes) {
    *p++ = detail::hex_digits[b >> 4];
    *p++ = detail::hex_digits[b & 0x0f];
  }
  *p++ = '"';
  return p;
}

char* put_string_value(char* p, std::string_view v) {
  p = put(p, "{\"stringValue\":");
  p = put_text(p, v);
  *p++ = '}';
  return p;
}

char* put_bool_value(char* p, bool v) noexcept {
  return v ? put(p, "{\"boolValue\":true}") : put(p, "{\"boolValue\":false}");
}

char* put_int_value(char* p, std::int64_t v) noexcept {
  p = put(p, "{\"intValue\":");
  p = put_int_string(p, v);
  *p++ = '}';
  return p;
}

char* put_double_value(char* p, double v) noexcept {
  p = put(p, "{\"doubleValue\":");
  p = put_double(p, v);
  *p++ = '}';
  return p;
}

char* put_array_value(char* p, const std::vector<std::string>& items) {
  p = put(p, "{\"arrayValue\":{\"values\":[");
  bool first = true;
  for (const auto& item : items) {
    if (!first)
      *p++ = ',';
    first = false;
    p = put_string_value(p, item);
  }
  return put(p, "]}}");
}

char* put_value(char* p, const attribute_value& v) {
  switch (v.index()) {
    case 0: return put_string_value(p, *std::get_if<std::string>(&v));
    case 1: return put_bool_value(p, *std::get_if<bool>(&v));
    case 2: return put_int_value(p, *std::get_if<std::int64_t>(&v));
    case 3: return put_double_value(p, *std::get_if<double>(&v));
    default:
      return put_array_value(p, *std::get_if<std::vector<std::string>>(&v));
  }
}

/// An attribute's start: `{"key":...,"value":`.
char* put_key(char* p, const attribute_key& key) {
  p = put(p, "{\"key\":");
  if (key.json_safe()) {
    *p++ = '"';
    p = put(p, key.text());
    *p++ = '"';
  } else {
    p = put_text(p, key.text());
  }
  return put(p, ",\"value\":");
}

char* put_attribute(char* p, const attribute& a) {
  p = put_key(p, a.key);
  p = put_value(p, a.value);
  *p++ = '}';
  return p;
}

/// A span's fields before its attributes, in their fixed order.
char* put_head(char* p, const trace_id& trace, const span_id& id,
               std::string_view trace_state, const span_id& parent,
               std::string_view name, span_kind kind,
               std::uint64_t start_unix_nanos, std::uint64_t end_unix_nanos) {
  p = put(p, "{\"traceId\":");
  p = put_id(p, trace.bytes);
  p = put(p, ",\"spanId\":");
  p = put_id(p, id.bytes);
  if (!trace_state.empty()) {
    p = put(p, ",\"traceState\":");
    p = put_text(p, trace_state);
  }
  if (parent.valid()) {
    p = put(p, ",\"parentSpanId\":");
    p = put_id(p, parent.bytes);
  }
  p = put(p, ",\"name\":");
  p = put_text(p, name);
  p = put(p, ",\"kind\":");
  p = put_int(p, static_cast<int>(kind));
  p = put(p, ",\"startTimeUnixNano\":");
  p = put_int_string(p, start_unix_nanos);
  p = put(p, ",\"endTimeUnixNano\":");
  return put_int_string(p, end_unix_nanos);
}

/// A set status, after the attributes (none when unset).
char* put_status(char* p, status_code code, std::string_view message) {
  if (code == status_code::unset)
    return p;
  p = put(p, ",\"status\":{");
  if (code == status_code::error && !message.empty()) {
    p = put(p, "\"message\":");
    p = put_text(p, message);
    *p++ = ',';
  }
  p = put(p, "\"code\":");
  p = put_int(p, static_cast<int>(code));
  *p++ = '}';
  return p;
}

/// One span. The field names and their order are fixed, so commas are
/// written with them; only text goes through escaping.
char* put_span(char* p, const span& s) {
  p = put_head(p, s.trace_id, s.span_id, s.trace_state, s.parent_span_id,
               s.name, s.kind, s.start_unix_nanos, s.end_unix_nanos);
  if (!s.attributes.empty()) {
    p = put(p, ",\"attributes\":[");
    bool first = true;
    for (const auto& a : s.attributes) {
      if (!first)
        *p++ = ',';
      first = false;
      p = put_attribute(p, a);
    }
    *p++ = ']';
  }
  p = put_status(p, s.status.code, s.status.message);
  *p++ = '}';
  return p;
}

/// `text` as a JSON string appended to `out` (the body's head and tail:
/// once per exporter, not per span).
void append_text(std::string& out, std::string_view text) {
  auto at = out.size();
  out.resize(at + text_bound(text.size()));
  auto* end = put_text(out.data() + at, text);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_string_attribute(std::string& out, std::string_view key,
                             std::string_view value) {
  out += "{\"key\":";
  append_text(out, key);
  out += ",\"value\":{\"stringValue\":";
  append_text(out, value);
  out += "}}";
}

} // namespace

void append_otlp_json(std::string& out, const resource& res,
                      std::span<const span> spans) {
  append_otlp_json_head(out, res);
  bool first = true;
  for (const auto& s : spans) {
    if (!first)
      out.push_back(',');
    first = false;
    append_otlp_json_span(out, s);
  }
  append_otlp_json_tail(out);
}

void append_otlp_json_head(std::string& out, const resource& res) {
  out += "{\"resourceSpans\":[{\"resource\":{\"attributes\":[";
  append_string_attribute(out, "service.name", res.service_name);
  if (!res.service_version.empty()) {
    out.push_back(',');
    append_string_attribute(out, "service.version", res.service_version);
  }
  if (!res.node_id.empty()) {
    out.push_back(',');
    append_string_attribute(out, attrs::node_id, res.node_id);
  }
  out += "]},\"scopeSpans\":[{\"scope\":{\"name\":";
  append_text(out, scope_name);
  out += ",\"version\":";
  append_text(out, library_version());
  out += "},\"spans\":[";
}

void append_otlp_json_span(std::string& out, const span& s) {
  auto at = out.size();
  auto bound = span_bound(s);
  out.resize(at + bound);
  auto* end = put_span(out.data() + at, s);
  assert(static_cast<std::size_t>(end - (out.data() + at)) <= bound);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

namespace detail {

std::size_t otlp_span_bound(const span& s) noexcept {
  return span_bound(s);
}

char* write_otlp_span(char* out, const span& s) {
  return put_span(out, s);
}

// -- text_buffer ---------------------------------------------------------------

char* text_buffer::room(std::size_t n) {
  if (capacity_ - size_ < n) {
    auto capacity = std::max({capacity_ * 2, size_ + n, std::size_t{4096}});
    auto bytes = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0)
      std::memcpy(bytes.get(), bytes_.get(), size_);
    bytes_ = std::move(bytes);
    capacity_ = capacity;
  }
  return bytes_.get() + size_;
}

void text_buffer::trim(std::size_t keep) noexcept {
  if (capacity_ > keep) {
    bytes_.reset();
    capacity_ = 0;
    size_ = 0;
  }
}

// -- span_text -----------------------------------------------------------------

span_text::span_text(text_buffer& buf, const trace_context& ctx,
                     const span_id& parent, std::string_view name,
                     span_kind kind, std::uint64_t start_unix_nanos,
                     std::uint64_t end_unix_nanos)
  : buf_(buf) {
  buf_.clear();
  auto* p = buf_.room(span_frame + text_bound(ctx.trace_state.size())
                      + text_bound(name.size()));
  p = put_head(p, ctx.trace_id, ctx.span_id, ctx.trace_state, parent, name,
               kind, start_unix_nanos, end_unix_nanos);
  buf_.grow_to(p);
}

char* span_text::begin_attribute(const attribute_key& key,
                                 std::size_t value_bound) {
  auto* p = buf_.room(attribute_frame + 16 + text_bound(key.text().size())
                      + value_bound);
  if (any_attribute_) {
    *p++ = ',';
  } else {
    p = put(p, ",\"attributes\":[");
    any_attribute_ = true;
  }
  return put_key(p, key);
}

void span_text::add(const attribute_key& key, std::string_view value) {
  auto* p = begin_attribute(key, text_bound(value.size()) + 20);
  p = put_string_value(p, value);
  buf_.grow_to(put(p, "}"));
}

void span_text::add(const attribute_key& key, bool value) {
  auto* p = begin_attribute(key, number_bound);
  p = put_bool_value(p, value);
  buf_.grow_to(put(p, "}"));
}

void span_text::add(const attribute_key& key, double value) {
  auto* p = begin_attribute(key, number_bound + 20);
  p = put_double_value(p, value);
  buf_.grow_to(put(p, "}"));
}

void span_text::add_int(const attribute_key& key, std::int64_t value) {
  auto* p = begin_attribute(key, number_bound + 20);
  p = put_int_value(p, value);
  buf_.grow_to(put(p, "}"));
}

void span_text::add(const attribute_key& key,
                    const std::vector<std::string>& value) {
  auto* p = begin_attribute(key, array_bound(value));
  p = put_array_value(p, value);
  buf_.grow_to(put(p, "}"));
}

void span_text::fail(std::string_view message) {
  failed_ = true;
  status_message_.assign(message);
}

std::string_view span_text::finish() {
  auto* p = buf_.room(40 + text_bound(status_message_.size()));
  if (any_attribute_)
    *p++ = ']';
  p = put_status(p, failed_ ? status_code::error : status_code::unset,
                 status_message_);
  *p++ = '}';
  buf_.grow_to(p);
  return buf_.text();
}

} // namespace detail

void append_otlp_json_tail(std::string& out) {
  out += "],\"schemaUrl\":";
  append_text(out, genai::schema_url);
  out += "}]}]}";
}

} // namespace switchyard::telemetry
