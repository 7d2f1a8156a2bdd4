#pragma once

#include <string_view>

/// Attribute names of the OpenTelemetry semantic conventions that
/// switchyard's spans use, and a few of their well-known values.
///
/// Version followed: semantic conventions **v1.37.0**, the first release in
/// which `gen_ai.provider.name` replaced `gen_ai.system` (v1.36.0 and
/// earlier). That is what OpenTelemetry calls "the latest experimental"
/// GenAI conventions (`OTEL_SEMCONV_STABILITY_OPT_IN` set to
/// `gen_ai_latest_experimental`); switchyard emits them only, never the
/// older names. The GenAI conventions have since moved to the
/// open-telemetry/semantic-conventions-genai repository with these names
/// unchanged; all of them are still of "Development" stability and may be
/// renamed again.
///
/// Content attributes (`gen_ai.input.messages`, `gen_ai.output.messages`,
/// `gen_ai.system_instructions`) are Opt-In: set only when the operator
/// turns on `telemetry.capture_content`. No attribute ever holds a key.
namespace switchyard::telemetry::genai {

/// The schema URL of the conventions followed, sent with every export.
inline constexpr std::string_view schema_url
  = "https://opentelemetry.io/schemas/1.37.0";

// -- request ------------------------------------------------------------------

/// Required. The operation: see `operation_*` below.
inline constexpr std::string_view operation_name = "gen_ai.operation.name";
/// Required. The provider (the API spoken): see `provider_*` below.
inline constexpr std::string_view provider_name = "gen_ai.provider.name";
/// The model asked for (string).
inline constexpr std::string_view request_model = "gen_ai.request.model";
/// int.
inline constexpr std::string_view request_max_tokens
  = "gen_ai.request.max_tokens";
/// double.
inline constexpr std::string_view request_temperature
  = "gen_ai.request.temperature";
/// double.
inline constexpr std::string_view request_top_p = "gen_ai.request.top_p";

// -- response -----------------------------------------------------------------

/// The model that answered (string); may differ from the one asked for.
inline constexpr std::string_view response_model = "gen_ai.response.model";
/// The completion's id (string), e.g. `chatcmpl-123`.
inline constexpr std::string_view response_id = "gen_ai.response.id";
/// string[]: one reason per choice, e.g. ["stop"].
inline constexpr std::string_view response_finish_reasons
  = "gen_ai.response.finish_reasons";
/// int: prompt tokens.
inline constexpr std::string_view usage_input_tokens
  = "gen_ai.usage.input_tokens";
/// int: completion tokens.
inline constexpr std::string_view usage_output_tokens
  = "gen_ai.usage.output_tokens";

// -- content (Opt-In: telemetry.capture_content) ------------------------------

inline constexpr std::string_view input_messages = "gen_ai.input.messages";
inline constexpr std::string_view output_messages = "gen_ai.output.messages";
inline constexpr std::string_view system_instructions
  = "gen_ai.system_instructions";

// -- general conventions used on upstream spans (stable) ----------------------

/// The class of error a call ended with (string), e.g. `timeout`, `500`.
inline constexpr std::string_view error_type = "error.type";
/// The upstream's host (string).
inline constexpr std::string_view server_address = "server.address";
/// The upstream's port (int).
inline constexpr std::string_view server_port = "server.port";
/// The HTTP status of the upstream's answer (int).
inline constexpr std::string_view http_response_status_code
  = "http.response.status_code";
/// How many times this request was sent before (int; the retry number).
inline constexpr std::string_view http_request_resend_count
  = "http.request.resend_count";

// -- HTTP server spans (stable) -----------------------------------------------

/// The request's method (string), e.g. `POST`.
inline constexpr std::string_view http_request_method = "http.request.method";
/// The route template (string), e.g. `/v1/decisions/{id}`.
inline constexpr std::string_view http_route = "http.route";
/// The request's path (string), without the query.
inline constexpr std::string_view url_path = "url.path";
/// `http` (string): the gateway serves plain HTTP (TLS ends before it).
inline constexpr std::string_view url_scheme = "url.scheme";

// -- well-known values of gen_ai.operation.name -------------------------------

inline constexpr std::string_view operation_chat = "chat";
inline constexpr std::string_view operation_text_completion
  = "text_completion";
inline constexpr std::string_view operation_embeddings = "embeddings";

// -- well-known values of gen_ai.provider.name --------------------------------

inline constexpr std::string_view provider_openai = "openai";
inline constexpr std::string_view provider_anthropic = "anthropic";
inline constexpr std::string_view provider_gcp_gemini = "gcp.gemini";
inline constexpr std::string_view provider_aws_bedrock = "aws.bedrock";
inline constexpr std::string_view provider_azure_openai = "azure.ai.openai";
inline constexpr std::string_view provider_cohere = "cohere";
inline constexpr std::string_view provider_mistral_ai = "mistral_ai";
inline constexpr std::string_view provider_deepseek = "deepseek";
inline constexpr std::string_view provider_groq = "groq";
inline constexpr std::string_view provider_x_ai = "x_ai";

} // namespace switchyard::telemetry::genai
