// The server tells a handler when its client goes away before the response
// is complete (response_writer::on_abandon), and never after it is.

#include "../raw_connection.hpp"
#include "test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

using namespace switchyard;
using namespace switchyard::testing;

namespace {


std::string get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

template <class T>
T wait_for(std::future<T>& f) {
  REQUIRE(f.wait_for(wait_limit) == std::future_status::ready);
  return f.get();
}

/// What a test's handler saw: its writers, in request order, and a promise
/// per event.
struct handler_log {
  std::mutex mutex;
  std::vector<std::shared_ptr<http::response_writer>> writers;
  std::promise<void> handled;
  std::promise<void> abandoned;
  std::atomic<int> abandons{0};
};

} // namespace

TEST_CASE("a client that closes while its response is pending is noticed "
          "at once",
          "[http][abandon]") {
  auto log = std::make_shared<handler_log>();
  auto server = serve([log](const http::server_request&,
                            std::shared_ptr<http::response_writer> w) {
    w->on_abandon([log] {
      if (log->abandons.fetch_add(1) == 0)
        log->abandoned.set_value();
    });
    std::lock_guard guard{log->mutex};
    log->writers.push_back(w);
    log->handled.set_value();
  });
  auto handled = log->handled.get_future();
  auto abandoned = log->abandoned.get_future();
  raw_connection c{server->port()};
  c.send_text(get("/slow"));
  wait_for(handled);
  // Nothing is written to the connection: only the watch can notice.
  c.close_now();
  wait_for(abandoned);
  CHECK(log->abandons.load() == 1);
  std::lock_guard guard{log->mutex};
  CHECK(log->writers.front()->closed());
  // A late answer goes nowhere and reports nothing more.
  log->writers.front()->respond(200, {}, "late");
  CHECK(log->abandons.load() == 1);
}

TEST_CASE("a streamed response whose client leaves after the first chunk "
          "is abandoned",
          "[http][abandon]") {
  auto log = std::make_shared<handler_log>();
  auto server = serve([log](const http::server_request&,
                            std::shared_ptr<http::response_writer> w) {
    w->begin(200, {{"Content-Type", "text/event-stream"}});
    w->write("data: first\n\n");
    w->on_abandon([log] {
      if (log->abandons.fetch_add(1) == 0)
        log->abandoned.set_value();
    });
    std::lock_guard guard{log->mutex};
    log->writers.push_back(w);
  });
  auto abandoned = log->abandoned.get_future();
  raw_connection c{server->port()};
  c.send_text(get("/stream"));
  c.read_until("data: first");
  c.close_now();
  wait_for(abandoned);
  CHECK(log->abandons.load() == 1);
}

TEST_CASE("a complete response is never reported abandoned",
          "[http][abandon]") {
  // Two requests on one connection: the first is answered, the second is
  // left pending and its client leaves. Both register.
  std::atomic<int> first_abandons{0};
  auto log = std::make_shared<handler_log>();
  auto server = serve([log, &first_abandons](
                        const http::server_request& req,
                        std::shared_ptr<http::response_writer> w) {
    if (req.path() == "/first") {
      w->on_abandon([&first_abandons] { ++first_abandons; });
      w->respond(200, {}, "done");
      return;
    }
    w->on_abandon([log] {
      if (log->abandons.fetch_add(1) == 0)
        log->abandoned.set_value();
    });
    std::lock_guard guard{log->mutex};
    log->writers.push_back(w);
    log->handled.set_value();
  });
  auto handled = log->handled.get_future();
  auto abandoned = log->abandoned.get_future();
  raw_connection c{server->port()};
  c.send_text(get("/first"));
  c.read_until("done");
  c.send_text(get("/second"));
  wait_for(handled);
  c.close_now();
  // The connection's thread handles the close once: by the time the
  // second response hears of it, the first would have.
  wait_for(abandoned);
  CHECK(first_abandons.load() == 0);
  CHECK(log->abandons.load() == 1);
}

TEST_CASE("registering after the client has gone still reports it",
          "[http][abandon]") {
  auto log = std::make_shared<handler_log>();
  auto server = serve([log](const http::server_request&,
                            std::shared_ptr<http::response_writer> w) {
    std::lock_guard guard{log->mutex};
    log->writers.push_back(w);
    log->handled.set_value();
  });
  auto handled = log->handled.get_future();
  raw_connection c{server->port()};
  c.send_text(get("/late"));
  wait_for(handled);
  c.close_now();
  std::shared_ptr<http::response_writer> w;
  {
    std::lock_guard guard{log->mutex};
    w = log->writers.front();
  }
  auto abandoned = log->abandoned.get_future();
  // From another thread than the connection's, after the close.
  w->on_abandon([log] {
    if (log->abandons.fetch_add(1) == 0)
      log->abandoned.set_value();
  });
  wait_for(abandoned);
  CHECK(log->abandons.load() == 1);
}
