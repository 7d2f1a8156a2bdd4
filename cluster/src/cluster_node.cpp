#include "switchyard/cluster/cluster_node.hpp"

#include "switchyard/actors/actor_graph.hpp"
#include "switchyard/cluster/cluster_actor.hpp"
#include "switchyard/engine/decision_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/send.hpp>

namespace switchyard::cluster {

// cluster/src/openssl_error_queue.cpp
bool openssl_error_queue_guard_linked() noexcept;

cluster_node::cluster_node(cluster_settings cfg)
  : cfg_(std::move(cfg)), view_(std::make_shared<cluster_view>()) {
}

cluster_node::~cluster_node() = default;

void cluster_node::configure(caf::actor_system_config& cfg) {
  cfg.load<caf::io::middleman>();
  if (cfg_.tls.enabled()) {
    // Keeps the OpenSSL error-queue workaround linked in (see there).
    (void) openssl_error_queue_guard_linked();
    cfg.load<caf::openssl::manager>();
    cfg.set("openssl.certificate", cfg_.tls.certificate);
    cfg.set("openssl.key", cfg_.tls.private_key);
    cfg.set("openssl.cafile", cfg_.tls.ca_file);
  }
  add_cluster_message_types(cfg);
  cfg.add_message_type<std::vector<std::string>>("std::vector<std::string>");
  cfg.add_message_type<std::vector<std::int64_t>>("std::vector<int64_t>");
}

ledger_actor cluster_node::wrap_ledger(caf::actor_system& sys,
                                       ledger_actor local) {
  actor_ = sys.spawn(cluster_actor, cfg_, view_, std::move(local));
  // The cluster actor answers the ledger's messages: reservations go to the
  // owners of the budgets.
  return caf::actor_cast<ledger_actor>(actor_);
}

std::string cluster_node::start(caf::actor_system& sys,
                                const actors::actor_graph& graph) {
  if (!actor_)
    return "the cluster actor did not start";
  caf::expected<std::uint16_t> port = caf::sec::runtime_error;
  caf::io::middleman_actor dialer;
  if (cfg_.tls.enabled()) {
    port = caf::openssl::publish(actor_, cfg_.listen_port,
                                 cfg_.listen_host.c_str(), true);
    dialer = sys.openssl_manager().actor_handle();
  } else {
    port = sys.middleman().publish(actor_, cfg_.listen_port,
                                   cfg_.listen_host.c_str(), true);
    dialer = sys.middleman().actor_handle();
  }
  if (!port)
    return "cannot listen for cluster peers on " + cfg_.listen_host + ":"
           + std::to_string(cfg_.listen_port) + ": " + sys.render(port.error());
  port_ = *port;
  caf::anon_send(actor_, start_atom::value, graph.learning, graph.breakers,
                 cfg_.listen_host + ":" + std::to_string(port_), dialer);
  return {};
}

std::uint64_t cluster_node::decision_id_prefix() const {
  return engine::decision_id_prefix(cfg_.node_id);
}

void cluster_node::stop() {
  if (actor_) {
    caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
    actor_ = nullptr;
  }
}

std::string cluster_node::status_json() const {
  std::lock_guard<std::mutex> guard{view_->mutex};
  return view_->status_json;
}

std::string cluster_node::metrics_text() const {
  std::lock_guard<std::mutex> guard{view_->mutex};
  return view_->metrics_text;
}

} // namespace switchyard::cluster
