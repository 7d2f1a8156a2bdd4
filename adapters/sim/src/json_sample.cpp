#include "json_sample.hpp"

#include "sim_replies.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/sim/request_plan.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <simdjson.h>

namespace switchyard::sim::detail {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

/// Deeper schemas end in empty containers: a recursive `$ref` must stop.
constexpr int max_depth = 12;
/// Arrays get `minItems` items up to this many.
constexpr std::uint64_t max_items = 64;

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class sampler {
 public:
  sampler(element root, std::uint64_t seed, std::string& out)
      : root_(root), rng_(seed), w_(out) {}

  void value(element schema, int depth) {
    if (!schema.is_object()) {
      // `true` (anything) or a malformed schema.
      w_.value(word());
      return;
    }
    std::string_view ref;
    if (!schema["$ref"].get(ref) && ref.substr(0, 1) == "#") {
      element target;
      if (depth < max_depth && !root_.at_pointer(ref.substr(1)).get(target))
        return value(target, depth + 1);
      w_.null();
      return;
    }
    element e;
    if (!schema["const"].get(e)) {
      w_.raw(simdjson::to_string(e));
      return;
    }
    array alternatives;
    if (!schema["enum"].get(alternatives) && alternatives.size() > 0) {
      w_.raw(simdjson::to_string(alternatives.at(0).value_unsafe()));
      return;
    }
    for (auto key : {"anyOf", "oneOf", "allOf", "any_of"})
      if (!schema[key].get(alternatives) && alternatives.size() > 0)
        return value(first_not_null(alternatives), depth + 1);
    auto type = type_of(schema);
    if (type == "object")
      return object_value(schema, depth);
    if (type == "array")
      return array_value(schema, depth);
    if (type == "integer" || type == "number")
      return number_value(schema, type == "integer");
    if (type == "boolean") {
      w_.value(true);
      return;
    }
    if (type == "null") {
      w_.null();
      return;
    }
    string_value(schema);
  }

 private:
  static element first_not_null(array alternatives) {
    for (auto a : alternatives)
      if (type_of(a) != "null")
        return a;
    return alternatives.at(0).value_unsafe();
  }

  /// The schema's type, lower case; a list gives its first non-null
  /// entry; none is guessed from the keywords present.
  static std::string type_of(element schema) {
    std::string_view type;
    if (!schema["type"].get(type))
      return lower(type);
    array types;
    if (!schema["type"].get(types)) {
      for (auto t : types)
        if (!t.get(type) && lower(type) != "null")
          return lower(type);
      return "null";
    }
    element e;
    if (!schema["properties"].get(e))
      return "object";
    if (!schema["items"].get(e))
      return "array";
    return "string";
  }

  void object_value(element schema, int depth) {
    w_.begin_object();
    if (depth >= max_depth) {
      w_.end_object();
      return;
    }
    object properties;
    bool has_properties = !schema["properties"].get(properties);
    array required;
    if (!schema["required"].get(required)) {
      for (auto r : required) {
        std::string_view name;
        if (r.get(name))
          continue;
        w_.key(name);
        element property;
        if (has_properties && !properties[name].get(property))
          value(property, depth + 1);
        else
          w_.value(word());
      }
    } else if (has_properties) {
      for (auto field : properties) {
        w_.key(field.key);
        value(field.value, depth + 1);
      }
    }
    w_.end_object();
  }

  void array_value(element schema, int depth) {
    w_.begin_array();
    if (depth >= max_depth) {
      w_.end_array();
      return;
    }
    std::uint64_t count = 1;
    std::uint64_t n = 0;
    if (!schema["minItems"].get(n) || !schema["min_items"].get(n))
      count = std::max<std::uint64_t>(n, 1);
    if (!schema["maxItems"].get(n) || !schema["max_items"].get(n))
      count = std::min(count, n);
    count = std::min(count, max_items);
    array tuple;
    bool has_tuple = !schema["prefixItems"].get(tuple);
    element items;
    bool has_items = !schema["items"].get(items);
    for (std::uint64_t i = 0; i < count; ++i) {
      if (has_tuple && i < tuple.size())
        value(tuple.at(i).value_unsafe(), depth + 1);
      else if (has_items)
        value(items, depth + 1);
      else
        w_.value(word());
    }
    w_.end_array();
  }

  void number_value(element schema, bool integer) {
    double v = integer ? 1.0 : 1.5;
    double bound = 0.0;
    if (!schema["minimum"].get(bound))
      v = bound;
    else if (!schema["exclusiveMinimum"].get(bound))
      v = integer ? std::floor(bound) + 1.0 : bound + 0.5;
    if (integer)
      v = std::ceil(v);
    if (!schema["maximum"].get(bound) && v > bound)
      v = integer ? std::floor(bound) : bound;
    if (integer)
      w_.value(static_cast<std::int64_t>(v));
    else
      w_.value(v);
  }

  void string_value(element schema) {
    auto format = lower(string_or(schema["format"]));
    std::string s;
    if (format == "date-time")
      s = "2024-01-01T00:00:00Z";
    else if (format == "date")
      s = "2024-01-01";
    else if (format == "time")
      s = "00:00:00Z";
    else if (format == "email")
      s = "sim@example.com";
    else if (format == "uri" || format == "url")
      s = "https://example.com/sim";
    else if (format == "uuid")
      s = "00000000-0000-4000-8000-000000000000";
    else
      s = word();
    std::uint64_t n = 0;
    if (!schema["minLength"].get(n) && s.size() < n)
      s.append(std::min<std::uint64_t>(n, 4096) - s.size(), 'x');
    if (!schema["maxLength"].get(n) && s.size() > n)
      s.resize(n);
    w_.value(s);
  }

  static std::string_view string_or(simdjson::simdjson_result<element> e) {
    std::string_view s;
    if (e.get(s))
      return {};
    return s;
  }

  std::string word() {
    return std::string{lorem_word(rng_.next())};
  }

  element root_;
  split_mix rng_;
  engine::json_writer w_;
};

} // namespace

std::string sample_json(std::string_view schema, std::uint64_t seed) {
  std::string out;
  if (!schema.empty()) {
    thread_local simdjson::dom::parser parser;
    element root;
    if (!parser.parse(schema.data(), schema.size()).get(root)) {
      sampler{root, seed, out}.value(root, 0);
      return out;
    }
  }
  split_mix rng{seed};
  engine::json_writer w{out};
  w.begin_object();
  std::string answer;
  for (int i = 0; i < 4; ++i) {
    if (i > 0)
      answer += ' ';
    answer += lorem_word(rng.next());
  }
  w.field("answer", answer);
  w.end_object();
  return out;
}

std::string sample_arguments(std::string_view schema, std::uint64_t seed) {
  if (schema.empty())
    return "{}";
  auto out = sample_json(schema, seed);
  return out.empty() || out.front() != '{' ? "{}" : out;
}

} // namespace switchyard::sim::detail
