#include "switchyard/gateway/cluster_routes.hpp"

#include "switchyard/gateway/api_formats.hpp"

namespace switchyard::gateway {

int serve_cluster_status(const gateway_config& cfg, http::response_writer& w) {
  http::header_list headers{{"content-type", "application/json"}};
  auto body = cfg.cluster_status ? cfg.cluster_status() : std::string{};
  if (body.empty()) {
    api_error e{404, "invalid_request_error", "no_cluster",
                cfg.cluster_status
                  ? "The cluster is still starting; retry in a moment."
                  : "This node runs alone: start `switchyard serve` with "
                    "--node-id and --cluster-listen (and --cluster-seeds) to "
                    "join a cluster."};
    w.respond(e.status, std::move(headers), openai_error_body(e));
    return e.status;
  }
  w.respond(200, std::move(headers), std::move(body));
  return 200;
}

} // namespace switchyard::gateway
