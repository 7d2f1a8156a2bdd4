#pragma once

#include "switchyard/telemetry/attribute.hpp"
#include "switchyard/telemetry/span_id.hpp"
#include "switchyard/telemetry/span_kind.hpp"
#include "switchyard/telemetry/span_status.hpp"
#include "switchyard/telemetry/trace_context.hpp"
#include "switchyard/telemetry/trace_id.hpp"

#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace switchyard::telemetry {

/// A finished span, as handed to `span_exporter::record`: plain data,
/// movable, no I/O.
///
/// Times are Unix nanoseconds. Read the wall clock once (the injected
/// `engine::time_source`) and add monotonic durations, so that a span's
/// length does not jump with the wall clock.
struct span {
  std::string name;
  span_kind kind = span_kind::internal;
  telemetry::trace_id trace_id;
  telemetry::span_id span_id;
  /// All zeros for a root span.
  telemetry::span_id parent_span_id;
  /// The W3C `tracestate` of the span's context; may be empty.
  std::string trace_state;
  std::uint64_t start_unix_nanos = 0;
  std::uint64_t end_unix_nanos = 0;
  span_status status;
  std::vector<attribute> attributes;

  // -- attributes -------------------------------------------------------------
  //
  // Keys convert from their names (`genai::request_model`, a literal); code
  // that sets the same keys on every span can make its `attribute_key`s
  // once and skip the lookup.

  /// Sets `key` (replacing an earlier value, as OpenTelemetry does).
  span& set(const attribute_key& key, std::string_view value);

  /// Takes `value` without a copy.
  span& set(const attribute_key& key, std::string&& value);

  span& set(const attribute_key& key, const char* value) {
    return set(key, std::string_view{value});
  }

  span& set(const attribute_key& key, bool value);

  span& set(const attribute_key& key, double value);

  span& set(const attribute_key& key, std::vector<std::string> value);

  /// Any integer but bool. An unsigned value above INT64_MAX (which OTLP's
  /// `intValue` cannot hold) is set as its decimal string.
  template <std::integral Int>
    requires(!std::same_as<Int, bool>)
  span& set(const attribute_key& key, Int value) {
    if constexpr (std::is_unsigned_v<Int>
                  && sizeof(Int) >= sizeof(std::int64_t)) {
      if (value > static_cast<Int>(std::numeric_limits<std::int64_t>::max()))
        return set(key, std::to_string(value));
    }
    return set_value(key, attribute_value{std::in_place_type<std::int64_t>,
                                          static_cast<std::int64_t>(value)});
  }

  /// Appends `key` without looking for an earlier value: for code that
  /// builds a span's attributes once, each key set at most once (the
  /// upstream and server spans). A key already present would be exported
  /// twice.
  template <class T>
  span& add(const attribute_key& key, T&& value) {
    if constexpr (std::is_floating_point_v<std::remove_cvref_t<T>>)
      return append_value(key, attribute_value{std::in_place_type<double>,
                                               static_cast<double>(value)});
    else if constexpr (std::is_same_v<std::remove_cvref_t<T>, bool>
                       || std::is_same_v<std::remove_cvref_t<T>, std::string>
                       || std::is_same_v<std::remove_cvref_t<T>,
                                         std::vector<std::string>>)
      return append_value(key, attribute_value{
                                 std::in_place_type<std::remove_cvref_t<T>>,
                                 std::forward<T>(value)});
    else if constexpr (std::is_integral_v<std::remove_cvref_t<T>>)
      return add_integer(key, value);
    else
      return append_value(key, attribute_value{
                                 std::in_place_type<std::string>,
                                 std::string_view{value}});
  }

  /// The value of `key`, or null.
  [[nodiscard]] const attribute_value*
  find(std::string_view key) const noexcept;

  /// Marks the span failed with a short reason (never a secret).
  span& fail(std::string_view message);

private:
  /// Room made at the first attribute: an upstream span has about 16, so
  /// most spans allocate their list once.
  static constexpr std::size_t initial_attribute_capacity = 16;

  span& set_value(const attribute_key& key, attribute_value value);

  span& append_value(const attribute_key& key, attribute_value&& value);

  template <std::integral Int>
  span& add_integer(const attribute_key& key, Int value) {
    if constexpr (std::is_unsigned_v<Int>
                  && sizeof(Int) >= sizeof(std::int64_t)) {
      if (value > static_cast<Int>(std::numeric_limits<std::int64_t>::max()))
        return append_value(key, attribute_value{
                                   std::in_place_type<std::string>,
                                   std::to_string(value)});
    }
    return append_value(key, attribute_value{std::in_place_type<std::int64_t>,
                                             static_cast<std::int64_t>(value)});
  }
};

/// A span named `name` of `kind` in the context `ctx` (its trace id, span
/// id and `tracestate`), a child of `parent` (all zeros: a root), started at
/// `start_unix_nanos`.
[[nodiscard]] span make_span(std::string name, span_kind kind,
                             const trace_context& ctx,
                             const telemetry::span_id& parent,
                             std::uint64_t start_unix_nanos);

} // namespace switchyard::telemetry
