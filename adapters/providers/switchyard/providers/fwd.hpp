#pragma once

/// Forward declarations of the providers component's types.
namespace switchyard::providers {

class provider_client;
class stream_decoder;
class wire_format;

struct model_price;
struct provider_client_options;

} // namespace switchyard::providers
