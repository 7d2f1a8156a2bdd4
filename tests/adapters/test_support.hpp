#pragma once

// Helpers shared by the adapter tests: in-process servers and clients on
// loopback, and waiting with deadlines (never sleeping).

#include "switchyard/http/http_client.hpp"
#include "switchyard/http/http_server.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>

namespace switchyard::testing {

inline constexpr std::chrono::seconds wait_limit{20};

inline std::unique_ptr<http::http_server> serve(http::request_handler handler,
                                                http::server_config cfg = {}) {
  std::string why;
  auto server = http::http_server::make(std::move(cfg), std::move(handler),
                                        why);
  INFO(why);
  REQUIRE(server);
  return server;
}

inline std::unique_ptr<http::http_client>
make_client(http::client_config cfg = {}) {
  std::string why;
  auto c = http::http_client::make(std::move(cfg), why);
  INFO(why);
  REQUIRE(c);
  return c;
}

inline http::origin local(std::uint16_t port) {
  return http::origin{false, "127.0.0.1", port};
}

/// Sends and waits, with a deadline, for the response.
inline http::client_response fetch(http::http_client& c, const http::origin& to,
                                   http::client_request req,
                                   http::request_options opts = {}) {
  auto promise = std::make_shared<std::promise<http::client_response>>();
  auto future = promise->get_future();
  http::response_callbacks cb;
  cb.on_done = [promise](http::client_response r) {
    promise->set_value(std::move(r));
  };
  c.send(to, std::move(req), opts, std::move(cb));
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  return future.get();
}

} // namespace switchyard::testing
