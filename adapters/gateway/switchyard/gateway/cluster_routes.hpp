#pragma once

#include "switchyard/gateway/gateway_server.hpp"
#include "switchyard/http/response_writer.hpp"

namespace switchyard::gateway {

/// GET /v1/cluster: the members, their state and the budgets each owns, or
/// a 404 on a node that runs without a cluster. Returns the HTTP status.
int serve_cluster_status(const gateway_config& cfg, http::response_writer& w);

} // namespace switchyard::gateway
