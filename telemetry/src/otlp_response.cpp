#include "switchyard/telemetry/otlp_response.hpp"

#include <simdjson.h>

#include <charconv>

namespace switchyard::telemetry {

std::uint64_t rejected_spans(std::string_view body) {
  if (body.empty())
    return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS)
    return 0;
  simdjson::dom::element rejected;
  if (doc.at_pointer("/partialSuccess/rejectedSpans").get(rejected)
      != simdjson::SUCCESS)
    return 0;
  // OTLP/JSON writes int64 as a string; accept a number too.
  std::string_view text;
  if (rejected.get(text) == simdjson::SUCCESS) {
    std::uint64_t n = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    return r.ec == std::errc{} && r.ptr == text.data() + text.size() ? n : 0;
  }
  std::uint64_t n = 0;
  if (rejected.get(n) == simdjson::SUCCESS)
    return n;
  std::int64_t signed_n = 0;
  if (rejected.get(signed_n) == simdjson::SUCCESS && signed_n > 0)
    return static_cast<std::uint64_t>(signed_n);
  return 0;
}

} // namespace switchyard::telemetry
