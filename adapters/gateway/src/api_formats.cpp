#include "switchyard/gateway/api_formats.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/decision_id.hpp"

#include <algorithm>

namespace switchyard::gateway {

using engine::json_writer;

std::string decision_ref(std::uint64_t decision_id) {
  return format_decision_id(decision_id);
}

std::string openai_error_body(const api_error& e) {
  std::string out;
  json_writer w{out};
  w.begin_object().key("error").begin_object();
  w.field("message", std::string_view{e.message});
  w.field("type", std::string_view{e.type});
  w.key("param").null();
  w.key("code");
  if (e.code.empty())
    w.null();
  else
    w.value(std::string_view{e.code});
  w.end_object().end_object();
  return out;
}

std::string anthropic_error_body(const api_error& e) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("type", "error");
  w.key("error").begin_object();
  w.field("type", std::string_view{e.type});
  w.field("message", std::string_view{e.message});
  w.end_object().end_object();
  return out;
}

std::string_view client_finish_reason(std::string_view finish,
                                      bool has_tool_calls) {
  if (finish == "length" || finish == "content_filter")
    return finish;
  if (has_tool_calls || finish == "tool_calls")
    return "tool_calls";
  return "stop";
}

bool refused_as_overloaded(const task_reply& r) {
  if (r.error == error_code::overloaded)
    return true;
  if (r.error != error_code::no_candidate || r.attempts.empty())
    return false;
  // Every model tried was refused by this node's own limits: no upstream
  // failed, so the client is told to come back rather than that nothing
  // can answer.
  return std::all_of(r.attempts.begin(), r.attempts.end(),
                     [](const attempt_record& a) {
                       return a.error == engine::call_error::overloaded;
                     });
}

api_error error_for(const task_reply& r) {
  if (refused_as_overloaded(r))
    return {429, "rate_limit_error", "rate_limit_exceeded",
            "This gateway is at its concurrency limit for every model that "
            "can take this request (each provider's max_concurrency calls in "
            "flight and max_queued waiting); retry after the Retry-After "
            "delay. "
              + r.error_message};
  switch (r.error) {
    case error_code::cancelled:
      // nginx's "client closed request": only the access log sees it.
      return {499, "api_error", "client_closed_request", r.error_message};
    case error_code::unknown_model:
      return {404, "invalid_request_error", "model_not_found", r.error_message};
    case error_code::budget_exhausted:
      return {429, "insufficient_quota", "insufficient_quota", r.error_message};
    case error_code::invalid_argument:
      // Also a forced model that cannot express a field the request uses
      // (decision_note::forced_cannot_express): the message names both.
      return {400, "invalid_request_error", "", r.error_message};
    case error_code::no_candidate:
      return {503, "api_error", "no_model_available", r.error_message};
    case error_code::model_unavailable:
      // A forced model whose provider has no key or whose local server
      // does not serve it: the operator's configuration, not a bad request.
      // 404, as OpenAI answers for a model the caller cannot access.
      return {404, "invalid_request_error", "model_not_available",
              r.error_message};
    default: return {502, "api_error", "upstream_error", r.error_message};
  }
}

} // namespace switchyard::gateway
