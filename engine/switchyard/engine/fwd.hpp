#pragma once

/// Forward declarations of the engine's types.
namespace switchyard::engine {

class budget_ledger;
class circuit_breaker;
class keyword_classifier;

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
struct token_estimate;

} // namespace switchyard::engine
