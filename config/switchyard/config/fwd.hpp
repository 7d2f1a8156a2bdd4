#pragma once

/// Forward declarations of the config component's types.
namespace switchyard::config {

class yaml_reader;

struct config_error;
struct interpolation;
struct registry_load_result;
struct scalar_value;

} // namespace switchyard::config
