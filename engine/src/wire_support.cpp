#include "switchyard/engine/wire_support.hpp"

namespace switchyard::engine {

bool wire_expresses(provider_kind kind, request_field field) noexcept {
  using f = request_field;
  switch (field) {
    case f::tools:
    case f::image_base64:
      return true;
    case f::tool_choice_required:
    case f::tool_choice_none:
      // Ollama's /api/chat has no tool_choice.
      return kind != provider_kind::ollama;
    case f::tool_strict:
      // OpenAI's strict function calling, Cohere's strict_tools.
      return kind == provider_kind::openai || kind == provider_kind::cohere;
    case f::tool_choice_named:
      // Cohere v2 has REQUIRED and NONE only.
      return kind != provider_kind::ollama && kind != provider_kind::cohere;
    case f::parallel_tool_calls_off:
      // OpenAI's parallel_tool_calls, Anthropic's disable_parallel_tool_use.
      return kind == provider_kind::openai || kind == provider_kind::anthropic;
    case f::image_url:
      // Gemini takes only its own uploaded or gs:// files; Ollama takes
      // bytes only. The gateway never fetches a URL for a client.
      return kind == provider_kind::openai || kind == provider_kind::anthropic
             || kind == provider_kind::cohere;
    case f::json_object:
    case f::json_schema:
      return kind != provider_kind::anthropic;
    case f::seed:
      return kind != provider_kind::anthropic;
    case f::top_k:
      return kind != provider_kind::openai;
    case f::logprobs:
    case f::reasoning_effort:
      return kind == provider_kind::openai;
    case f::thinking:
    case f::tool_result_image:
      return kind == provider_kind::anthropic;
  }
  return false;
}

std::optional<request_field>
first_unexpressible(provider_kind kind, request_field_set used) noexcept {
  for (std::size_t i = 0; i < request_field_count; ++i) {
    auto field = static_cast<request_field>(i);
    if (used.has(field) && !wire_expresses(kind, field))
      return field;
  }
  return std::nullopt;
}

capability_set required_capabilities(request_field_set used) noexcept {
  capability_set caps;
  if (used.has(request_field::tools)
      || used.has(request_field::tool_choice_required)
      || used.has(request_field::tool_choice_named)
      || used.has(request_field::parallel_tool_calls_off))
    caps.add(capability::tools);
  if (used.has(request_field::image_url)
      || used.has(request_field::image_base64)
      || used.has(request_field::tool_result_image))
    caps.add(capability::vision);
  if (used.has(request_field::json_object)
      || used.has(request_field::json_schema))
    caps.add(capability::json);
  return caps;
}

} // namespace switchyard::engine
