#include "switchyard/telemetry/upstream_span.hpp"

#include "span_attributes.hpp"
#include "upstream_attributes.hpp"

#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/genai_content.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"
#include "switchyard/telemetry/tracer.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <utility>

namespace switchyard::telemetry {

namespace {

/// splitmix64's finaliser (Steele, Lea and Flood, 2014).
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

} // namespace

std::string_view
genai_provider_name(const engine::provider_spec& p) noexcept {
  // Provider ids that name a well-known provider whatever format it speaks
  // (Mistral, Groq, DeepSeek and xAI speak OpenAI's).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9>
    known{{{"openai", genai::provider_openai},
           {"anthropic", genai::provider_anthropic},
           {"mistral", genai::provider_mistral_ai},
           {"groq", genai::provider_groq},
           {"deepseek", genai::provider_deepseek},
           {"xai", genai::provider_x_ai},
           {"cohere", genai::provider_cohere},
           {"azure", genai::provider_azure_openai},
           {"bedrock", genai::provider_aws_bedrock}}};
  for (const auto& [id, name] : known)
    if (p.id == id)
      return name;
  switch (p.kind) {
    case engine::provider_kind::anthropic: return genai::provider_anthropic;
    case engine::provider_kind::gemini: return genai::provider_gcp_gemini;
    case engine::provider_kind::cohere: return genai::provider_cohere;
    case engine::provider_kind::ollama: return "ollama";
    default: break;
  }
  return p.id;
}

bool propagates_to(const trace_parent& parent,
                   const engine::provider_spec& p) noexcept {
  return p.local || p.kind == engine::provider_kind::ollama
         || parent.tracer->options().propagate_to_providers;
}

trace_context attempt_context(const trace_context& parent,
                              std::uint64_t call_id,
                              std::uint32_t attempt) noexcept {
  std::uint64_t parent_bits = 0;
  std::memcpy(&parent_bits, parent.span_id.bytes.data(), sizeof(parent_bits));
  auto id = mix(parent_bits ^ mix(call_id ^ mix(attempt)));
  if (id == 0)
    id = 1;
  trace_context ctx;
  ctx.trace_id = parent.trace_id;
  std::memcpy(ctx.span_id.bytes.data(), &id, sizeof(id));
  ctx.flags = parent.flags;
  ctx.trace_state = parent.trace_state;
  return ctx;
}

span make_upstream_span(const upstream_attempt& a) {
  std::string name;
  detail::upstream_span_name(detail::upstream_model(a), name);
  auto s = make_span(std::move(name), span_kind::client,
                     attempt_context(a.parent.context, a.call_id, a.attempt),
                     a.parent.context.span_id, a.start_unix_nanos);
  s.end_unix_nanos = a.end_unix_nanos;
  // Up to 20 attributes before the content ones; one allocation.
  s.attributes.reserve(20);
  detail::span_attributes out{s};
  detail::describe_upstream(a, out);
  return s;
}

namespace detail {

std::pair<std::string_view, int> origin_of(std::string_view url) noexcept {
  int port = url.starts_with("https://") ? 443
             : url.starts_with("http://") ? 80
                                          : 0;
  if (port == 0)
    return {{}, 0};
  auto rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos)
    rest.remove_prefix(at + 1);
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find(']', colon) == rest.npos) {
    int given = 0;
    auto digits = rest.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(),
                                     digits.data() + digits.size(), given);
    if (ec == std::errc{} && end == digits.data() + digits.size())
      port = given;
    rest = rest.substr(0, colon);
  }
  if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']')
    rest = rest.substr(1, rest.size() - 2);
  return {rest, port};
}

} // namespace detail

} // namespace switchyard::telemetry
