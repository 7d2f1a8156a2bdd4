#pragma once

/// Forward declarations of the engine's types.
namespace switchyard::engine {

class budget_ledger;
class circuit_breaker;
class keyword_classifier;
class success_predictor;

struct breaker_config;
struct classification;
struct cost_range;
struct decision;
struct model_spec;
struct performance_table;
struct provider_spec;
struct registry;
struct retry_config;
struct route_request;
struct routing_policy;
struct sparse_feature;
struct success_estimate;
struct success_predictor_params;
struct token_estimate;

} // namespace switchyard::engine
