#pragma once

/// Forward declarations of the telemetry component's types.
namespace switchyard::telemetry {

class attribute_key;
class id_generator;
class sampler;
class span_batches;
class span_exporter;

struct attribute;
struct exporter_settings;
struct exporter_stats;
struct resource;
struct span;
struct span_id;
struct span_status;
struct telemetry_config;
struct trace_context;
struct trace_id;

enum class span_kind : int;
enum class status_code : int;

} // namespace switchyard::telemetry
