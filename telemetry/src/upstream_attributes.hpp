#pragma once

// The client span of an upstream attempt, described once for both ways it
// is made: as a `span` (make_upstream_span, for any sink) and straight into
// OTLP/JSON (the exporter's record_upstream, without the span object in
// between). Internal to the telemetry component.

#include "switchyard/telemetry/attribute_key.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/genai_content.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"
#include "switchyard/telemetry/tracer.hpp"
#include "switchyard/telemetry/upstream_span.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::telemetry::detail {

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

/// The host and port of an http(s) base URL, as written; port 0 when the
/// URL is not one.
[[nodiscard]] std::pair<std::string_view, int>
origin_of(std::string_view url) noexcept;

/// The model an attempt asked for, by the upstream's name.
[[nodiscard]] inline std::string_view
upstream_model(const upstream_attempt& a) noexcept {
  return a.request.upstream_model.empty()
           ? std::string_view{a.request.model}
           : std::string_view{a.request.upstream_model};
}

/// `chat {model}` into `name` (its memory kept).
inline void upstream_span_name(std::string_view model, std::string& name) {
  name.clear();
  name.reserve(genai::operation_chat.size() + 1 + model.size());
  name += genai::operation_chat;
  name += ' ';
  name += model;
}

/// Gives `out` the attributes of `a`'s span in their order (`out.add(key,
/// value)`, each key once) and, for a failure, its status (`out.fail`).
/// See make_upstream_span for what each means.
template <class Out>
void describe_upstream(const upstream_attempt& a, Out& out) {
  const auto& k = upstream_keys::get();
  const auto& req = a.request;
  const auto& res = a.result;
  auto model = upstream_model(a);
  out.add(k.operation_name, genai::operation_chat);
  out.add(k.provider_name, genai_provider_name(a.provider));
  out.add(k.request_model, model);
  out.add(k.request_max_tokens, req.max_tokens);
  if (req.temperature)
    out.add(k.request_temperature, *req.temperature);
  if (req.options.top_p)
    out.add(k.request_top_p, *req.options.top_p);
  if (auto [host, port] = origin_of(a.provider.base_url); port != 0) {
    out.add(k.server_address, host);
    out.add(k.server_port, port);
  }
  auto retry = a.attempt > 0 ? a.attempt - 1 : 0;
  out.add(k.retry, retry);
  if (retry > 0)
    out.add(k.http_request_resend_count, retry);
  if (a.parent.decision_id != 0)
    out.add(k.decision_id, decision_id_text(a.parent.decision_id));
  if (res.http_status != 0)
    out.add(k.http_response_status_code, res.http_status);
  if (res.time_to_first_token_ms > 0)
    out.add(k.time_to_first_token, res.time_to_first_token_ms / 1000.0);
  if (res.cost_nanos > 0)
    out.add(k.cost_usd, static_cast<double>(res.cost_nanos) / 1e9);
  // A stream cut at its budget cap is an answer (the client got it, with
  // finish reason "length"), not a failure.
  bool cut = res.error == engine::call_error::budget_exceeded;
  bool answered = res.ok() || cut;
  if (res.input_tokens > 0 || answered)
    out.add(k.usage_input_tokens, res.input_tokens);
  if (res.output_tokens > 0 || answered)
    out.add(k.usage_output_tokens, res.output_tokens);
  if (cut)
    out.add(k.error_class, engine::to_string(res.error));
  if (answered) {
    out.add(k.response_model, res.response_model.empty()
                                ? model
                                : std::string_view{res.response_model});
    if (!res.finish_reason.empty())
      out.add(k.response_finish_reasons,
              std::vector<std::string>{res.finish_reason});
  } else {
    auto error_class = engine::to_string(res.error);
    out.add(k.error_class, error_class);
    if (res.http_status >= 400)
      out.add(k.error_type, std::to_string(res.http_status));
    else
      out.add(k.error_type, error_class);
    out.fail(error_class);
  }
  if (a.parent.tracer && a.parent.tracer->options().capture_content) {
    if (auto system = system_instructions_json(req.messages); !system.empty())
      out.add(k.system_instructions, std::move(system));
    out.add(k.input_messages, input_messages_json(req.messages));
    if (answered)
      out.add(k.output_messages, output_messages_json(res));
  }
}

} // namespace switchyard::telemetry::detail
