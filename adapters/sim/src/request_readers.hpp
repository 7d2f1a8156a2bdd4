#pragma once

// The per-format halves of `parse_request`: each reads the tools, tool
// choice, tool results, images and structured-output request of one wire
// format from a parsed body. Shared by request_reading*.cpp only.

#include "sim_request.hpp"

#include <simdjson.h>

namespace switchyard::sim::detail {

using json_result = simdjson::simdjson_result<simdjson::dom::element>;

/// `e[a]`, else `e[b]`: Google's JSON takes camelCase and snake_case
/// names alike.
json_result either(simdjson::dom::element e, std::string_view a,
                   std::string_view b);

/// `e` as compact JSON text.
std::string minified(simdjson::dom::element e);

/// The string at `r`, or empty.
std::string_view string_or_empty(json_result r);
std::string_view string_or_empty(simdjson::dom::element e);

/// Counts an image given as a URL: a `data:` URL is inline bytes, any
/// other is a URL image.
void count_image_url(std::string_view url, image_tally& t);

/// OpenAI-style `tools` (also Cohere's and Ollama's):
/// `[{type: function, function: {name, parameters}}]`.
void read_function_tools(json_result tools, parsed_request& out);

void read_openai(simdjson::dom::element doc, parsed_request& out);
void read_cohere(simdjson::dom::element doc, parsed_request& out);
void read_ollama(simdjson::dom::element doc, parsed_request& out);
void read_anthropic(simdjson::dom::element doc, parsed_request& out);
void read_gemini(simdjson::dom::element doc, parsed_request& out);

} // namespace switchyard::sim::detail
