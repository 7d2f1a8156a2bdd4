// Timeouts, limits, cuts, cancellation and pooling of the HTTP client and
// server, over loopback.
#include "test_support.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <mutex>
#include <vector>

using namespace switchyard;
using namespace switchyard::http;
using namespace switchyard::testing;
using namespace std::chrono_literals;

namespace {

/// Keeps writers alive (unanswered) until the test ends.
struct parked_writers {
  std::mutex mutex;
  std::vector<std::shared_ptr<response_writer>> writers;

  void park(std::shared_ptr<response_writer> w) {
    std::lock_guard guard{mutex};
    writers.push_back(std::move(w));
  }
};

/// A plain socket connected to the server on loopback, for speaking raw
/// HTTP. Receives give up after 10 s (the test's deadline, not a wait);
/// `receive_buffer`, when set, asks for a receive buffer that small.
int connect_raw(std::uint16_t port, int receive_buffer = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  if (receive_buffer > 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
               sizeof(receive_buffer));
  timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

} // namespace

TEST_CASE("a 10 MB body is refused at the configured limit", "[http]") {
  const std::string big(10u << 20, 'x');
  auto server
    = serve([&big](const server_request&, std::shared_ptr<response_writer> w) {
        w->respond(200, {{"Content-Type", "text/plain"}}, big);
      });
  client_config cfg;
  cfg.max_body_bytes = 1u << 20;
  auto c = make_client(cfg);
  auto r = fetch(*c, local(server->port()), {"GET", "/", {}, {}});
  // Refused as soon as the Content-Length is read, before any body byte.
  CHECK(r.error == transfer_error::body_too_large);
  CHECK(r.body.empty());
  CHECK(r.error_detail.find("1048576") != std::string::npos);
  SECTION("a per-request limit above it lets it through") {
    request_options opts;
    opts.max_body_bytes = 11u << 20;
    auto ok = fetch(*c, local(server->port()), {"GET", "/", {}, {}}, opts);
    REQUIRE(ok.ok());
    CHECK(ok.body.size() == big.size());
  }
}

TEST_CASE("no answer ends in a first-byte timeout", "[http]") {
  auto parked = std::make_shared<parked_writers>();
  auto server = serve(
    [parked](const server_request&, std::shared_ptr<response_writer> w) {
      parked->park(std::move(w));
    });
  auto c = make_client();
  request_options opts;
  opts.first_byte_timeout = 200ms;
  auto r = fetch(*c, local(server->port()), {"GET", "/", {}, {}}, opts);
  CHECK(r.error == transfer_error::first_byte_timeout);
  CHECK(r.finished - r.started >= 200ms);
  CHECK(r.finished - r.started < 5s);
  CHECK(r.error_detail.find("200 ms") != std::string::npos);
}

TEST_CASE("a stalled stream ends in a total timeout", "[http]") {
  auto parked = std::make_shared<parked_writers>();
  auto server = serve(
    [parked](const server_request&, std::shared_ptr<response_writer> w) {
      w->begin(200, {{"Content-Type", "text/event-stream"}});
      w->write("data: first\n\n");
      parked->park(std::move(w));
    });
  auto c = make_client();
  request_options opts;
  opts.total_timeout = 300ms;
  auto r = fetch(*c, local(server->port()), {"GET", "/", {}, {}}, opts);
  CHECK(r.error == transfer_error::total_timeout);
  CHECK(r.body == "data: first\n\n");
}

TEST_CASE("a refused connection is a connect error", "[http]") {
  std::uint16_t port = 0;
  {
    auto server
      = serve([](const server_request&, std::shared_ptr<response_writer> w) {
          w->respond(200, {}, "");
        });
    port = server->port();
  }
  auto c = make_client();
  auto r = fetch(*c, local(port), {"GET", "/", {}, {}});
  CHECK(r.error == transfer_error::connect);
  CHECK(r.status == 0);
}

TEST_CASE("a body cut by a reset is truncated, never complete", "[http]") {
  auto server
    = serve([](const server_request& req, std::shared_ptr<response_writer> w) {
        if (req.target == "/length") {
          w->begin(200, {{"Content-Length", "100"}});
          w->write(std::string(50, 'a'));
        } else {
          w->begin(200, {{"Content-Type", "text/event-stream"}});
          w->write("data: 1\n\n");
        }
        w->reset();
      });
  auto c = make_client();
  auto r = fetch(*c, local(server->port()), {"GET", "/length", {}, {}});
  CHECK(r.error == transfer_error::truncated);
  CHECK(r.status == 200);
  r = fetch(*c, local(server->port()), {"GET", "/chunked", {}, {}});
  CHECK(r.error == transfer_error::truncated);
  CHECK(r.body == "data: 1\n\n");
}

TEST_CASE("a reset before any response is a connection error", "[http]") {
  auto server
    = serve([](const server_request&, std::shared_ptr<response_writer> w) {
        w->reset();
      });
  auto c = make_client();
  auto r = fetch(*c, local(server->port()), {"POST", "/", {}, "x"});
  CHECK(r.error == transfer_error::connection);
}

TEST_CASE("cancel ends a request at once with cancelled", "[http]") {
  auto parked = std::make_shared<parked_writers>();
  auto server = serve(
    [parked](const server_request&, std::shared_ptr<response_writer> w) {
      parked->park(std::move(w));
    });
  auto c = make_client();
  auto promise = std::make_shared<std::promise<client_response>>();
  auto future = promise->get_future();
  auto calls = std::make_shared<std::atomic<int>>(0);
  response_callbacks cb;
  cb.on_done = [promise, calls](client_response r) {
    if (++*calls == 1)
      promise->set_value(std::move(r));
  };
  auto handle = c->send(local(server->port()), {"GET", "/", {}, {}}, {},
                        std::move(cb));
  CHECK(handle.active());
  handle.cancel();
  handle.cancel();
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  auto r = future.get();
  CHECK(r.error == transfer_error::cancelled);
  // A later request on the same client still works (and is counted once).
  auto ok = fetch(*c, local(server->port()), {"GET", "/", {}, {}}, [] {
    request_options o;
    o.first_byte_timeout = 100ms;
    return o;
  }());
  CHECK(ok.error == transfer_error::first_byte_timeout);
  CHECK(*calls == 1);
}

TEST_CASE("destroying the client reports what is in flight", "[http]") {
  auto parked = std::make_shared<parked_writers>();
  auto server = serve(
    [parked](const server_request&, std::shared_ptr<response_writer> w) {
      parked->park(std::move(w));
    });
  auto promise = std::make_shared<std::promise<client_response>>();
  auto future = promise->get_future();
  {
    auto c = make_client();
    response_callbacks cb;
    cb.on_done = [promise](client_response r) {
      promise->set_value(std::move(r));
    };
    c->send(local(server->port()), {"GET", "/", {}, {}}, {}, std::move(cb));
  }
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  CHECK(future.get().error == transfer_error::cancelled);
}

TEST_CASE("a pooled connection the server dropped is replaced", "[http]") {
  // The response is complete (Content-Length) but the server resets the
  // connection right after: the pooled connection is dead.
  auto server
    = serve([](const server_request&, std::shared_ptr<response_writer> w) {
        w->begin(200, {{"Content-Length", "2"}});
        w->write("ok");
        w->reset();
      });
  auto c = make_client();
  auto first = fetch(*c, local(server->port()), {"POST", "/", {}, "a"});
  REQUIRE(first.ok());
  CHECK(first.body == "ok");
  auto second = fetch(*c, local(server->port()), {"POST", "/", {}, "b"});
  REQUIRE(second.ok());
  CHECK(second.body == "ok");
  CHECK_FALSE(second.reused_connection);
  CHECK(c->stats().connections_opened == 2);
}

TEST_CASE("requests over the connection limit queue for a connection",
          "[http]") {
  auto server
    = serve([](const server_request& req, std::shared_ptr<response_writer> w) {
        auto body = std::string{req.body};
        w->after(20ms, [w, body] {
          w->respond(200, {}, body);
        });
      });
  client_config cfg;
  cfg.max_connections_per_origin = 1;
  auto c = make_client(cfg);
  std::vector<std::future<client_response>> futures;
  for (int i = 0; i < 4; ++i) {
    auto promise = std::make_shared<std::promise<client_response>>();
    futures.push_back(promise->get_future());
    response_callbacks cb;
    cb.on_done = [promise](client_response r) {
      promise->set_value(std::move(r));
    };
    c->send(local(server->port()), {"POST", "/", {}, std::to_string(i)}, {},
            std::move(cb));
  }
  for (int i = 0; i < 4; ++i) {
    REQUIRE(futures[i].wait_for(wait_limit) == std::future_status::ready);
    auto r = futures[i].get();
    REQUIRE(r.ok());
    CHECK(r.body == std::to_string(i));
  }
  CHECK(c->stats().connections_opened == 1);
}

TEST_CASE("the server refuses oversized requests", "[http]") {
  server_config sc;
  sc.max_body_bytes = 1024;
  sc.max_header_bytes = 2048;
  auto server = serve(
    [](const server_request&, std::shared_ptr<response_writer> w) {
      w->respond(200, {}, "fine");
    },
    sc);
  auto c = make_client();
  auto r = fetch(*c, local(server->port()),
                 {"POST", "/", {}, std::string(4096, 'b')});
  REQUIRE(r.ok());
  CHECK(r.status == 413);
  r = fetch(*c, local(server->port()),
            {"GET", "/", {{"X-Big", std::string(4096, 'h')}}, {}});
  REQUIRE(r.ok());
  CHECK(r.status == 431);
  r = fetch(*c, local(server->port()), {"POST", "/", {}, "small"});
  REQUIRE(r.ok());
  CHECK(r.status == 200);
}

TEST_CASE("a handler that throws answers 500", "[http]") {
  auto server
    = serve([](const server_request&, std::shared_ptr<response_writer>) {
        throw std::runtime_error{"boom"};
      });
  auto c = make_client();
  auto r = fetch(*c, local(server->port()), {"GET", "/", {}, {}});
  REQUIRE(r.ok());
  CHECK(r.status == 500);
}

TEST_CASE("the server drops a connection that never completes its request",
          "[http]") {
  server_config sc;
  sc.request_timeout = 200ms;
  auto server = serve([](const server_request&,
                         std::shared_ptr<response_writer> w) {
    w->respond(200, {}, "never");
  }, sc);
  int fd = connect_raw(server->port());
  const char partial[] = "POST / HTTP/1.1\r\nHost: x\r\nContent-Le";
  REQUIRE(::send(fd, partial, sizeof(partial) - 1, 0) > 0);
  auto start = std::chrono::steady_clock::now();
  char buf[64];
  auto n = ::recv(fd, buf, sizeof(buf), 0);
  auto waited = std::chrono::steady_clock::now() - start;
  ::close(fd);
  CHECK(n == 0); // closed by the server, nothing sent
  CHECK(waited >= 150ms);
  CHECK(waited < 5s);
}

namespace {

/// Resolves `done` once the writer's connection is closed, checking every
/// 20 ms on the connection's own thread (the server's timers, not the test's).
void resolve_when_closed(std::shared_ptr<response_writer> w,
                         std::shared_ptr<std::promise<void>> done) {
  if (w->closed()) {
    done->set_value();
    return;
  }
  w->after(20ms, [w, done] { resolve_when_closed(w, done); });
}

} // namespace

TEST_CASE("the server drops a connection whose peer stops reading its "
          "response",
          "[http]") {
  server_config sc;
  sc.request_timeout = 30s;
  sc.write_timeout = 200ms;
  auto closed = std::make_shared<std::promise<void>>();
  auto closed_future = closed->get_future();
  std::atomic<std::int64_t> answered_at{0};
  auto server = serve([closed, &answered_at](const server_request&,
                                             std::shared_ptr<response_writer> w) {
    // More than the kernel buffers on both sides hold.
    w->respond(200, {}, std::string(16u << 20, 'x'));
    answered_at = std::chrono::steady_clock::now().time_since_epoch().count();
    resolve_when_closed(w, closed);
  }, sc);
  int fd = connect_raw(server->port(), 4096);
  const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(fd, req, sizeof(req) - 1, 0) > 0);
  // Nothing is read until the server has given up on the write.
  REQUIRE(closed_future.wait_for(10s) == std::future_status::ready);
  auto waited = std::chrono::steady_clock::now().time_since_epoch()
                - std::chrono::steady_clock::duration{answered_at.load()};
  CHECK(waited >= 150ms);
  CHECK(waited < 5s);
  // What the kernels had buffered arrives, then the close: never the whole
  // response.
  std::size_t got = 0;
  char buf[65536];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  CHECK(got > 0);
  CHECK(got < (16u << 20));
}

TEST_CASE("a kept-alive response says how long the server keeps the idle "
          "connection, and the server closes it then",
          "[http]") {
  server_config sc;
  sc.request_timeout = 1500ms;
  auto server = serve([](const server_request&,
                         std::shared_ptr<response_writer> w) {
    w->respond(200, {}, "ok");
  }, sc);
  int fd = connect_raw(server->port());
  const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(::send(fd, req, sizeof(req) - 1, 0) > 0);
  std::string got;
  char buf[512];
  while (got.find("\r\n\r\nok") == std::string::npos) {
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    REQUIRE(n > 0);
    got.append(buf, static_cast<std::size_t>(n));
  }
  CHECK(got.find("Keep-Alive: timeout=1\r\n") != std::string::npos);
  CHECK(got.find("Connection: close") == std::string::npos);
  // Idle past the timeout: the server closes (EOF), no bytes.
  auto start = std::chrono::steady_clock::now();
  auto n = ::recv(fd, buf, sizeof(buf), 0);
  auto waited = std::chrono::steady_clock::now() - start;
  ::close(fd);
  CHECK(n == 0);
  CHECK(waited >= 1000ms);
  CHECK(waited < 5s);
}
