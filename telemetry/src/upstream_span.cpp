#include "switchyard/telemetry/upstream_span.hpp"

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

/// The host and port of an http(s) base URL, as written; port 0 when the
/// URL is not one.
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

/// The keys of an upstream span, looked up once per process rather than
/// per attempt.
struct upstream_keys {
  attribute_key operation_name{genai::operation_name};
  attribute_key provider_name{genai::provider_name};
  attribute_key request_model{genai::request_model};
  attribute_key request_max_tokens{genai::request_max_tokens};
  attribute_key request_temperature{genai::request_temperature};
  attribute_key request_top_p{genai::request_top_p};
  attribute_key server_address{genai::server_address};
  attribute_key server_port{genai::server_port};
  attribute_key retry{attrs::retry};
  attribute_key http_request_resend_count{genai::http_request_resend_count};
  attribute_key decision_id{attrs::decision_id};
  attribute_key http_response_status_code{genai::http_response_status_code};
  attribute_key time_to_first_token{attrs::time_to_first_token};
  attribute_key cost_usd{attrs::cost_usd};
  attribute_key usage_input_tokens{genai::usage_input_tokens};
  attribute_key usage_output_tokens{genai::usage_output_tokens};
  attribute_key error_class{attrs::error_class};
  attribute_key response_model{genai::response_model};
  attribute_key response_finish_reasons{genai::response_finish_reasons};
  attribute_key error_type{genai::error_type};
  attribute_key system_instructions{genai::system_instructions};
  attribute_key input_messages{genai::input_messages};
  attribute_key output_messages{genai::output_messages};

  static const upstream_keys& get() {
    static const upstream_keys keys;
    return keys;
  }
};

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
  const auto& k = upstream_keys::get();
  const auto& req = a.request;
  const auto& res = a.result;
  auto model = req.upstream_model.empty() ? std::string_view{req.model}
                                          : std::string_view{req.upstream_model};
  std::string name;
  name.reserve(genai::operation_chat.size() + 1 + model.size());
  name += genai::operation_chat;
  name += ' ';
  name += model;
  auto s = make_span(std::move(name), span_kind::client,
                     attempt_context(a.parent.context, a.call_id, a.attempt),
                     a.parent.context.span_id, a.start_unix_nanos);
  s.end_unix_nanos = a.end_unix_nanos;
  // Up to 20 attributes before the content ones; one allocation.
  s.attributes.reserve(20);
  s.add(k.operation_name, genai::operation_chat)
    .add(k.provider_name, genai_provider_name(a.provider))
    .add(k.request_model, model)
    .add(k.request_max_tokens, req.max_tokens);
  if (req.temperature)
    s.add(k.request_temperature, *req.temperature);
  if (req.options.top_p)
    s.add(k.request_top_p, *req.options.top_p);
  if (auto [host, port] = origin_of(a.provider.base_url); port != 0) {
    s.add(k.server_address, host);
    s.add(k.server_port, port);
  }
  auto retry = a.attempt > 0 ? a.attempt - 1 : 0;
  s.add(k.retry, retry);
  if (retry > 0)
    s.add(k.http_request_resend_count, retry);
  if (a.parent.decision_id != 0)
    s.add(k.decision_id, decision_id_text(a.parent.decision_id));
  if (res.http_status != 0)
    s.add(k.http_response_status_code, res.http_status);
  if (res.time_to_first_token_ms > 0)
    s.add(k.time_to_first_token, res.time_to_first_token_ms / 1000.0);
  if (res.cost_nanos > 0)
    s.add(k.cost_usd, static_cast<double>(res.cost_nanos) / 1e9);
  // A stream cut at its budget cap is an answer (the client got it, with
  // finish reason "length"), not a failure.
  bool cut = res.error == engine::call_error::budget_exceeded;
  bool answered = res.ok() || cut;
  if (res.input_tokens > 0 || answered)
    s.add(k.usage_input_tokens, res.input_tokens);
  if (res.output_tokens > 0 || answered)
    s.add(k.usage_output_tokens, res.output_tokens);
  if (cut)
    s.add(k.error_class, engine::to_string(res.error));
  if (answered) {
    s.add(k.response_model, res.response_model.empty()
                              ? model
                              : std::string_view{res.response_model});
    if (!res.finish_reason.empty())
      s.add(k.response_finish_reasons,
            std::vector<std::string>{res.finish_reason});
  } else {
    auto error_class = engine::to_string(res.error);
    s.add(k.error_class, error_class);
    if (res.http_status >= 400)
      s.add(k.error_type, std::to_string(res.http_status));
    else
      s.add(k.error_type, error_class);
    s.fail(error_class);
  }
  if (a.parent.tracer && a.parent.tracer->options().capture_content) {
    if (auto system = system_instructions_json(req.messages); !system.empty())
      s.add(k.system_instructions, std::move(system));
    s.add(k.input_messages, input_messages_json(req.messages));
    if (answered)
      s.add(k.output_messages, output_messages_json(res));
  }
  return s;
}

} // namespace switchyard::telemetry
