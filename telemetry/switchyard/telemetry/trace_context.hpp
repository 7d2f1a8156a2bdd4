#pragma once

#include "switchyard/telemetry/span_id.hpp"
#include "switchyard/telemetry/trace_id.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::telemetry {

/// `trace-flags` bit: the caller may have recorded this trace.
inline constexpr std::uint8_t sampled_flag = 0x01;

/// `trace-flags` bit of W3C Trace Context Level 2: the rightmost 7 bytes
/// of the trace id are random. Set on the roots this library starts.
inline constexpr std::uint8_t random_flag = 0x02;

/// The flags this library knows and passes on; W3C says to zero the others.
inline constexpr std::uint8_t known_flags = sampled_flag | random_flag;

/// The longest `tracestate` carried: W3C asks vendors to propagate at least
/// 512 characters, and this is the bound on what one request can make us
/// hold and forward.
inline constexpr std::size_t max_trace_state_chars = 512;

/// Where a span sits in a distributed trace, as W3C Trace Context carries it
/// between processes (`traceparent`, `tracestate`).
struct trace_context {
  telemetry::trace_id trace_id;
  /// The id of the span this context belongs to (the `parent-id` field
  /// when sent on: the receiver's parent).
  telemetry::span_id span_id;
  /// Only `known_flags` bits are ever set.
  std::uint8_t flags = 0;
  /// The `tracestate` header, opaque, at most `max_trace_state_chars`;
  /// empty for none.
  std::string trace_state;

  [[nodiscard]] bool sampled() const noexcept {
    return (flags & sampled_flag) != 0;
  }

  /// Both ids non-zero.
  [[nodiscard]] bool valid() const noexcept {
    return trace_id.valid() && span_id.valid();
  }

  /// The `traceparent` value, version 00: `00-<trace id>-<span id>-<flags>`,
  /// 55 characters.
  [[nodiscard]] std::string traceparent() const;

  void append_traceparent(std::string& out) const;
};

/// Reads the W3C `traceparent` and `tracestate` headers of a request (their
/// values, surrounding spaces allowed). Returns `nullopt`, meaning "start a
/// new trace" (W3C: a receiver that cannot parse `traceparent` restarts the
/// trace and ignores `tracestate`), when `traceparent`
/// - is not `version-traceid-parentid-flags` with 2, 32, 16 and 2
///   lowercase hex digits (uppercase is refused, as W3C requires);
/// - has version `ff`, or version `00` and anything after the flags;
/// - has an all-zero trace id or parent id.
///
/// A later version (01..fe) is read as version 00 when its first 55
/// characters parse and any further ones start with `-` (W3C's rule for
/// versions it does not know). Flags other than `known_flags` are dropped.
///
/// `tracestate` is kept as is (trimmed) when it is printable ASCII and at
/// most `max_trace_state_chars` long. A longer one is cut at list-member
/// boundaries, as W3C says to truncate: members over 128 characters go
/// first, then members from the right, and at most 32 are kept. One with a
/// control or non-ASCII character is dropped (it would be forwarded as a
/// header).
[[nodiscard]] std::optional<trace_context>
parse_trace_context(std::string_view traceparent,
                    std::string_view tracestate = {});

} // namespace switchyard::telemetry
