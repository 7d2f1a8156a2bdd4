#pragma once

#include <cstdint>
#include <string_view>

namespace switchyard::telemetry {

/// The spans a collector's successful answer (an OTLP/JSON
/// `ExportTraceServiceResponse`) says it rejected:
/// `partialSuccess.rejectedSpans`, as a string or a number. 0 for an empty
/// body, one that is not JSON, or one without a partial success.
[[nodiscard]] std::uint64_t rejected_spans(std::string_view body);

} // namespace switchyard::telemetry
