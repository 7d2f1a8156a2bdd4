#include "switchyard/telemetry/span.hpp"

#include <algorithm>

namespace switchyard::telemetry {

span& span::set(const attribute_key& key, std::string_view value) {
  return set_value(key,
                   attribute_value{std::in_place_type<std::string>, value});
}

span& span::set(const attribute_key& key, std::string&& value) {
  return set_value(key, attribute_value{std::in_place_type<std::string>,
                                        std::move(value)});
}

span& span::set(const attribute_key& key, bool value) {
  return set_value(key, attribute_value{std::in_place_type<bool>, value});
}

span& span::set(const attribute_key& key, double value) {
  return set_value(key, attribute_value{std::in_place_type<double>, value});
}

span& span::set(const attribute_key& key, std::vector<std::string> value) {
  return set_value(key,
                   attribute_value{std::in_place_type<std::vector<std::string>>,
                                   std::move(value)});
}

const attribute_value* span::find(std::string_view key) const noexcept {
  auto i = std::find_if(attributes.begin(), attributes.end(),
                        [&](const attribute& a) { return a.key == key; });
  return i == attributes.end() ? nullptr : &i->value;
}

span& span::fail(std::string_view message) {
  status.code = status_code::error;
  status.message.assign(message);
  return *this;
}

span& span::set_value(const attribute_key& key, attribute_value value) {
  // Interned keys compare by address: the search costs no string compare.
  auto i = std::find_if(attributes.begin(), attributes.end(),
                        [&](const attribute& a) { return a.key == key; });
  if (i != attributes.end()) {
    i->value = std::move(value);
    return *this;
  }
  return append_value(key, std::move(value));
}

span& span::append_value(const attribute_key& key, attribute_value&& value) {
  if (attributes.capacity() == 0)
    attributes.reserve(initial_attribute_capacity);
  attributes.emplace_back(key, std::move(value));
  return *this;
}

span make_span(std::string name, span_kind kind, const trace_context& ctx,
               const telemetry::span_id& parent,
               std::uint64_t start_unix_nanos) {
  span s;
  s.name = std::move(name);
  s.kind = kind;
  s.trace_id = ctx.trace_id;
  s.span_id = ctx.span_id;
  s.parent_span_id = parent;
  s.trace_state = ctx.trace_state;
  s.start_unix_nanos = start_unix_nanos;
  return s;
}

} // namespace switchyard::telemetry
