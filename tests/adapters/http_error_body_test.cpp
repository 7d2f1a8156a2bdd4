// The errors the HTTP server answers by itself (413, 431, 400, 429),
// rendered by the owner's hook, and read by a client that is still writing
// when the server refuses (lingering close). Over loopback, real sockets.
#include "test_support.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <future>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace switchyard;
using namespace switchyard::http;
using namespace switchyard::testing;

namespace {

/// What the hook was last asked to render.
struct render_log {
  std::mutex mutex;
  std::vector<std::string> seen; // "status code target"

  error_renderer renderer() {
    return [this](const server_error& e) {
      {
        std::lock_guard guard{mutex};
        seen.push_back(std::to_string(e.status) + " " + std::string{e.code}
                       + " " + std::string{e.target});
      }
      return rendered_error{
        "application/json",
        R"({"error":{"message":")" + std::string{e.message}
          + R"(","type":"invalid_request_error","param":null,"code":")"
          + std::string{e.code} + R"("}})"};
    };
  }

  std::string last() {
    std::lock_guard guard{mutex};
    return seen.empty() ? std::string{} : seen.back();
  }
};

/// A blocking socket to the server; sends and receives give up after 10 s
/// (the test's deadline, not a wait).
int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

/// What a client that writes its whole request before reading sees, as
/// Python's http.client does: every byte sent (else the errno of the failed
/// send), then everything until the server closes (else the errno of the
/// failed receive).
struct exchange {
  int send_errno = 0;
  int recv_errno = 0;
  std::string received;
};

exchange write_all_then_read(std::uint16_t port, const std::string& request) {
  exchange out;
  int fd = connect_to(port);
  std::size_t at = 0;
  while (at < request.size()) {
    auto n = ::send(fd, request.data() + at, request.size() - at, MSG_NOSIGNAL);
    if (n < 0) {
      out.send_errno = errno;
      break;
    }
    at += static_cast<std::size_t>(n);
  }
  char buf[16384];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0) {
      out.recv_errno = errno;
      break;
    }
    if (n == 0)
      break;
    out.received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string post(std::string_view target, const std::string& body,
                 std::string_view extra_headers = {}) {
  std::string r = "POST " + std::string{target} + " HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/json\r\n"
                  + std::string{extra_headers} + "Content-Length: "
                  + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

/// A JSON body of exactly `size` bytes carrying a base64 "image".
std::string image_body(std::size_t size) {
  std::string head = R"({"model":"auto","messages":[{"role":"user","content":)"
                     R"([{"type":"image_url","image_url":{"url":")"
                     "data:image/png;base64,";
  std::string tail = R"("}}]}]})";
  REQUIRE(size > head.size() + tail.size());
  return head + std::string(size - head.size() - tail.size(), 'A') + tail;
}

request_handler echo_size() {
  return [](const server_request& req, std::shared_ptr<response_writer> w) {
    w->respond(200, {{"Content-Type", "text/plain"}},
               std::to_string(req.body.size()));
  };
}

} // namespace

TEST_CASE("a client that writes a whole 2 MiB body before reading gets the "
          "rendered 413",
          "[http][error-body]") {
  render_log log;
  server_config sc;
  sc.max_body_bytes = 1u << 20;
  sc.render_error = log.renderer();
  auto server = serve(echo_size(), sc);
  const auto body = image_body(2u << 20);
  SECTION("with Content-Length (refused at the headers)") {
    // The refusal raced the upload 3 tries of 3 before lingering close.
    for (int i = 0; i < 5; ++i) {
      auto x = write_all_then_read(server->port(),
                                   post("/v1/chat/completions", body));
      INFO("try " << i << ": send errno " << x.send_errno << ", recv errno "
                  << x.recv_errno);
      CHECK(x.send_errno == 0);
      CHECK(x.recv_errno == 0);
      CHECK(x.received.rfind("HTTP/1.1 413 ", 0) == 0);
      CHECK(x.received.find("Content-Type: application/json\r\n")
            != std::string::npos);
      CHECK(x.received.find("Connection: close\r\n") != std::string::npos);
      CHECK(x.received.find(R"("code":"request_too_large")")
            != std::string::npos);
      CHECK(log.last() == "413 request_too_large /v1/chat/completions");
    }
  }
  SECTION("chunked (refused in the middle of the body)") {
    std::string req = "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n";
    for (std::size_t at = 0; at < body.size(); at += 65536) {
      auto piece = body.substr(at, 65536);
      char size[20];
      std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
      req += size;
      req += piece;
      req += "\r\n";
    }
    req += "0\r\n\r\n";
    for (int i = 0; i < 3; ++i) {
      auto x = write_all_then_read(server->port(), req);
      INFO("try " << i << ": send errno " << x.send_errno << ", recv errno "
                  << x.recv_errno);
      CHECK(x.send_errno == 0);
      CHECK(x.recv_errno == 0);
      CHECK(x.received.rfind("HTTP/1.1 413 ", 0) == 0);
      CHECK(log.last() == "413 request_too_large /v1/messages");
    }
  }
}

TEST_CASE("a body just under the limit passes, one byte over gets the JSON "
          "413, read by the HTTP client",
          "[http][error-body]") {
  render_log log;
  server_config sc;
  sc.max_body_bytes = 1u << 20;
  sc.render_error = log.renderer();
  auto server = serve(echo_size(), sc);
  auto c = make_client();
  auto r = fetch(*c, local(server->port()),
                 {"POST", "/v1/chat/completions", {}, image_body(1u << 20)});
  REQUIRE(r.ok());
  CHECK(r.status == 200);
  CHECK(r.body == std::to_string(1u << 20));
  r = fetch(*c, local(server->port()),
            {"POST", "/v1/chat/completions", {}, image_body((1u << 20) + 1)});
  REQUIRE(r.ok());
  CHECK(r.status == 413);
  CHECK(r.body.find(R"("code":"request_too_large")") != std::string::npos);
  CHECK(r.body.find("1048576") != std::string::npos);
}

TEST_CASE("431 and bad framing are rendered through the hook",
          "[http][error-body]") {
  render_log log;
  server_config sc;
  sc.max_header_bytes = 4096;
  sc.render_error = log.renderer();
  auto server = serve(echo_size(), sc);
  SECTION("headers over the limit") {
    auto x = write_all_then_read(
      server->port(),
      post("/v1/messages", "{}", "X-Big: " + std::string(16384, 'h') + "\r\n"));
    CHECK(x.recv_errno == 0);
    CHECK(x.received.rfind("HTTP/1.1 431 ", 0) == 0);
    CHECK(x.received.find(R"("code":"request_headers_too_large")")
          != std::string::npos);
    CHECK(log.last().rfind("431 request_headers_too_large", 0) == 0);
  }
  SECTION("Content-Length with Transfer-Encoding") {
    auto x = write_all_then_read(
      server->port(),
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    CHECK(x.recv_errno == 0);
    CHECK(x.received.rfind("HTTP/1.1 400 ", 0) == 0);
    CHECK(x.received.find(R"("code":"bad_request")") != std::string::npos);
    CHECK(log.last() == "400 bad_request /v1/messages");
  }
  SECTION("bad chunking") {
    auto x = write_all_then_read(
      server->port(), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                      "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n");
    CHECK(x.received.rfind("HTTP/1.1 400 ", 0) == 0);
    CHECK(log.last() == "400 bad_request /v1/chat/completions");
  }
}

TEST_CASE("without a hook the server answers plain text as before",
          "[http][error-body]") {
  server_config sc;
  sc.max_body_bytes = 1024;
  auto server = serve(echo_size(), sc);
  auto x = write_all_then_read(server->port(), post("/v1/chat/completions",
                                                    std::string(4096, 'b')));
  CHECK(x.received.rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(x.received.find("Content-Type: text/plain\r\n") != std::string::npos);
}

TEST_CASE("request bodies in flight over the bound get 429 with Retry-After",
          "[http][error-body]") {
  render_log log;
  server_config sc;
  sc.max_body_bytes = 2u << 20;
  sc.max_body_bytes_in_flight = (3u << 20) / 2; // room for one 1 MiB body
  sc.render_error = log.renderer();
  std::mutex mutex;
  std::shared_ptr<response_writer> held;
  auto first_arrived = std::make_shared<std::promise<void>>();
  auto arrived = first_arrived->get_future();
  auto server = serve(
    [&](const server_request& req, std::shared_ptr<response_writer> w) {
      if (req.path() == "/hold") {
        // Unanswered: its body stays in flight until the test answers.
        std::lock_guard guard{mutex};
        held = std::move(w);
        first_arrived->set_value();
        return;
      }
      w->respond(200, {}, std::to_string(req.body.size()));
    },
    sc);
  const std::string body(1u << 20, 'x');
  auto c = make_client();
  auto first = std::make_shared<std::promise<client_response>>();
  auto first_done = first->get_future();
  response_callbacks cb;
  cb.on_done = [first](client_response r) {
    first->set_value(std::move(r));
  };
  c->send(local(server->port()), {"POST", "/hold", {}, body}, {},
          std::move(cb));
  REQUIRE(arrived.wait_for(wait_limit) == std::future_status::ready);

  // A second large upload while the first is held: refused, its body
  // discarded, the answer readable.
  auto x = write_all_then_read(server->port(), post("/v1/messages", body));
  CHECK(x.send_errno == 0);
  CHECK(x.recv_errno == 0);
  CHECK(x.received.rfind("HTTP/1.1 429 ", 0) == 0);
  CHECK(x.received.find("Retry-After: 1\r\n") != std::string::npos);
  CHECK(x.received.find(R"("code":"server_busy")") != std::string::npos);
  CHECK(log.last() == "429 server_busy /v1/messages");
  // A small one still fits beside it.
  auto small = fetch(*c, local(server->port()), {"POST", "/", {}, "tiny"});
  REQUIRE(small.ok());
  CHECK(small.status == 200);

  {
    std::lock_guard guard{mutex};
    REQUIRE(held);
    held->respond(200, {}, "done");
    held.reset();
  }
  REQUIRE(first_done.wait_for(wait_limit) == std::future_status::ready);
  CHECK(first_done.get().status == 200);
  // Answered, the first body no longer counts: the same upload passes.
  auto again = fetch(*c, local(server->port()), {"POST", "/", {}, body});
  REQUIRE(again.ok());
  CHECK(again.status == 200);
  CHECK(again.body == std::to_string(body.size()));
}
