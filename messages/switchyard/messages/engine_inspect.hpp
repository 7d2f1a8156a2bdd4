#pragma once

// inspect() overloads for the engine's value types, so that they travel in
// CAF messages and across the network unchanged. They live in the engine's
// namespace for argument-dependent lookup but need no change to engine/.

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/execution_plan.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/engine/prompt_evidence.hpp"
#include "switchyard/engine/prompt_terms.hpp"
#include "switchyard/engine/sparse_feature.hpp"
#include "switchyard/engine/step_outcome.hpp"
#include "switchyard/messages/optional_field.hpp"

#include <caf/meta/type_name.hpp>

namespace switchyard::engine {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, content_part& x) {
  return f(caf::meta::type_name("content_part"), x.kind, x.text, x.url,
           x.media_type, x.data, x.detail, x.id, x.name, x.arguments,
           x.content, x.is_error, x.signature, x.redacted, x.cache_control);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_message& x) {
  return f(caf::meta::type_name("chat_message"), x.role, x.parts, x.name);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_definition& x) {
  optional_field strict{x.strict};
  return f(caf::meta::type_name("tool_definition"), x.name, x.description,
           x.parameters, strict, x.cache_control);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_choice& x) {
  return f(caf::meta::type_name("tool_choice"), x.mode, x.name);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, response_format& x) {
  optional_field strict{x.strict};
  return f(caf::meta::type_name("response_format"), x.kind, x.name, x.schema,
           strict, x.description);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_options& x) {
  optional_field parallel{x.parallel_tool_calls};
  optional_field seed{x.seed};
  optional_field top_p{x.top_p};
  optional_field top_k{x.top_k};
  optional_field logprobs{x.logprobs};
  optional_field top_logprobs{x.top_logprobs};
  optional_field thinking{x.thinking_budget};
  return f(caf::meta::type_name("request_options"), x.tools, x.choice,
           parallel, x.format, seed, top_p, top_k, logprobs, top_logprobs,
           x.reasoning_effort, thinking, x.user, x.system_cache_control);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_listing& x) {
  return f(caf::meta::type_name("model_listing"), x.reached, x.http_status,
           x.models, x.error_message);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, step_outcome& x) {
  return f(caf::meta::type_name("step_outcome"), x.role, x.route_as,
           x.revision, x.ran, x.ok, x.final, x.has_model, x.model,
           x.worst_cost_nanos, x.cost_nanos, x.started_ms, x.latency_ms,
           x.input_tokens, x.output_tokens, x.score, x.error, x.note);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_timeouts& x) {
  return f(caf::meta::type_name("call_timeouts"), x.connect, x.first_byte,
           x.total);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_request& x) {
  optional_field temperature{x.temperature};
  return f(caf::meta::type_name("call_request"), x.model, x.upstream_model,
           x.messages, x.options, temperature, x.max_tokens, x.stop, x.stream,
           x.timeouts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_result& x) {
  optional_field retry_after{x.retry_after};
  return f(caf::meta::type_name("call_result"), x.model, x.error, x.text,
           x.content, x.finish_reason, x.input_tokens, x.output_tokens,
           x.cost_nanos, x.latency_ms, x.time_to_first_token_ms, x.http_status,
           retry_after, x.error_message, x.retries);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, classification& x) {
  return f(caf::meta::type_name("classification"), x.tier, x.score, x.type,
           x.tier_given, x.type_given, x.matched, x.matched_count,
           x.word_count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_estimate& x) {
  return f(caf::meta::type_name("token_estimate"), x.input, x.output);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cost_range& x) {
  return f(caf::meta::type_name("cost_range"), x.min, x.expected, x.max);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, factor_points& x) {
  return f(caf::meta::type_name("factor_points"), x.quality, x.cost, x.history,
           x.learned, x.preference, x.diversity, x.vendor);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, candidate& x) {
  return f(caf::meta::type_name("candidate"), x.model, x.points, x.total,
           x.predicted_quality, x.capable, x.cost, x.latency_s,
           x.expected_latency_s, x.predicted_cost_usd);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, filtered_model& x) {
  return f(caf::meta::type_name("filtered_model"), x.model, x.reason, x.value,
           x.limit, x.missing);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ensemble_plan& x) {
  return f(caf::meta::type_name("ensemble_plan"), x.members, x.has_judge,
           x.judge, x.strategy, x.max_cost, x.quorum, x.deadline_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_performance& x);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sparse_feature& x) {
  return f(caf::meta::type_name("sparse_feature"), x.index, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, success_estimate& x) {
  return f(caf::meta::type_name("success_estimate"), x.probability, x.weight,
           x.cost_usd);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, prompt_evidence& x) {
  return f(caf::meta::type_name("prompt_evidence"), x.cluster, x.neighbours,
           x.mean_similarity);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, prompt_term& x) {
  return f(caf::meta::type_name("prompt_term"), x.id, x.count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, routing_inputs& x) {
  optional_field remaining{x.budget_remaining};
  return f(caf::meta::type_name("routing_inputs"), x.recorded, x.performance,
           x.breaker_open, remaining, x.provider_share, x.predicted_success,
           x.prompt);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision& x) {
  return f(caf::meta::type_name("decision"), x.cls, x.tokens,
           x.quality_required, x.budget_cap, x.latency_bound_s, x.rule,
           x.notes, x.model, x.fallbacks, x.parallel, x.ensemble, x.candidates,
           x.filtered_out, x.config_hash, x.inputs);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_performance& x) {
  return f(caf::meta::type_name("model_performance"), x.success, x.latency_ms,
           x.feedback_weight, x.samples, x.confidence);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, performance_table& x) {
  return f(caf::meta::type_name("performance_table"), x.model_count, x.cells);
}

// -- learning -----------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ema& x) {
  return f(caf::meta::type_name("ema"), x.value, x.initialized);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decayed_count& x) {
  return f(caf::meta::type_name("decayed_count"), x.count, x.as_of_s);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learned_cell& x) {
  return f(caf::meta::type_name("learned_cell"), x.success, x.latency_ms,
           x.cost_nanos, x.feedback, x.calls, x.successes, x.feedback_count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learned_entry& x) {
  return f(caf::meta::type_name("learned_entry"), x.model, x.type, x.cell);
}

// -- experiments --------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sample_tally& x) {
  return f(caf::meta::type_name("sample_tally"), x.n, x.sum, x.sum_squares);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_arm& x) {
  return f(caf::meta::type_name("experiment_arm"), x.name, x.model);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_spec& x) {
  return f(caf::meta::type_name("experiment_spec"), x.id, x.type, x.arms,
           x.traffic_share, x.seed, x.metric, x.min_samples_per_arm,
           x.significance);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mean_comparison& x) {
  return f(caf::meta::type_name("mean_comparison"), x.difference,
           x.standard_error, x.statistic, x.degrees_of_freedom, x.p_value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_result& x) {
  return f(caf::meta::type_name("experiment_result"), x.verdict, x.leader,
           x.p_value, x.threshold, x.versus_leader);
}

} // namespace switchyard::engine
