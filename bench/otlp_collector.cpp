#include "otlp_collector.hpp"

#include "switchyard/http/http_server.hpp"

#include <string_view>

namespace switchyard::bench {

std::unique_ptr<otlp_collector> otlp_collector::start(std::string& why) {
  std::unique_ptr<otlp_collector> c{new otlp_collector};
  auto* self = c.get();
  c->server_ = http::http_server::make(
    http::server_config{},
    [self](const http::server_request& req,
           std::shared_ptr<http::response_writer> w) {
      std::uint64_t n = 0;
      std::string_view body{req.body};
      for (auto at = body.find("\"spanId\""); at != std::string_view::npos;
           at = body.find("\"spanId\"", at + 8))
        ++n;
      self->spans_.fetch_add(n, std::memory_order_relaxed);
      self->requests_.fetch_add(1, std::memory_order_relaxed);
      w->respond(200, {{"content-type", "application/json"}}, "{}");
    },
    why);
  if (!c->server_)
    return nullptr;
  return c;
}

otlp_collector::~otlp_collector() {
  if (server_)
    server_->stop();
}

std::string otlp_collector::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1/traces";
}

} // namespace switchyard::bench
