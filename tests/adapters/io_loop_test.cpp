// io_loop's threads: one event loop each, connections spread over them, work
// kept on the thread that started it. Real server and client over loopback.
#include "switchyard/http/http_client.hpp"
#include "switchyard/http/http_server.hpp"
#include "switchyard/http/io_loop.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>

using namespace switchyard::http;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<io_loop> start_loop(std::size_t threads) {
  std::string why;
  auto loop = io_loop::start(threads, why);
  INFO(why);
  REQUIRE(loop);
  return loop;
}

/// The thread a job posted to `loop` runs on.
std::thread::id thread_of_post(io_loop& loop) {
  std::promise<std::thread::id> where;
  auto f = where.get_future();
  loop.post([&where] { where.set_value(std::this_thread::get_id()); });
  REQUIRE(f.wait_for(20s) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("a loop runs one thread per event loop, and posts from outside "
          "take them in turn",
          "[http][io_loop]") {
  auto loop = start_loop(3);
  CHECK(loop->threads() == 3);
  CHECK_FALSE(loop->on_loop_thread());
  std::set<std::thread::id> seen;
  for (int i = 0; i < 6; ++i)
    seen.insert(thread_of_post(*loop));
  CHECK(seen.size() == 3);
  CHECK(seen.count(std::this_thread::get_id()) == 0);
  loop->stop();
}

TEST_CASE("a job posted from a loop thread runs on that thread",
          "[http][io_loop]") {
  auto loop = start_loop(2);
  for (int i = 0; i < 4; ++i) {
    std::promise<std::pair<std::thread::id, std::thread::id>> result;
    auto f = result.get_future();
    loop->post([&result, l = loop.get()] {
      auto outer = std::this_thread::get_id();
      CHECK(l->on_loop_thread());
      l->post([&result, outer] {
        result.set_value({outer, std::this_thread::get_id()});
      });
    });
    REQUIRE(f.wait_for(20s) == std::future_status::ready);
    auto [outer, inner] = f.get();
    CHECK(outer == inner);
  }
  loop->stop();
}

TEST_CASE("a shared loop's server spreads connections over its threads, and "
          "an upstream request answers on the thread that sent it",
          "[http][io_loop]") {
  auto loop = start_loop(2);
  std::mutex m;
  std::set<std::thread::id> server_threads;
  server_config sc;
  sc.loop = loop;
  std::string why;
  auto server = http_server::make(
    sc,
    [&](const server_request&, std::shared_ptr<response_writer> w) {
      {
        std::lock_guard guard{m};
        server_threads.insert(std::this_thread::get_id());
      }
      w->respond(200, {{"Content-Type", "text/plain"}}, "ok");
    },
    why);
  INFO(why);
  REQUIRE(server);
  client_config cc;
  cc.loop = loop;
  auto client = http_client::make(cc, why);
  INFO(why);
  REQUIRE(client);
  origin to{false, "127.0.0.1", server->port()};
  // Four requests, sent from the loop's threads in turn: each thread has a
  // pool of its own, so there are at least two connections, and the server
  // accepts them onto its threads in turn.
  struct outcome {
    std::thread::id sent_on;
    std::thread::id answered_on;
    int status = 0;
  };
  std::vector<std::promise<outcome>> promises(4);
  std::vector<std::future<outcome>> futures;
  for (auto& p : promises)
    futures.push_back(p.get_future());
  for (auto& p : promises)
    loop->post([&p, &client, to] {
      auto sent_on = std::this_thread::get_id();
      response_callbacks cb;
      cb.on_done = [&p, sent_on](client_response r) {
        p.set_value({sent_on, std::this_thread::get_id(), r.status});
      };
      client->send(to, client_request{"GET", "/", {}, ""}, {}, std::move(cb));
    });
  std::set<std::thread::id> senders;
  for (auto& f : futures) {
    REQUIRE(f.wait_for(20s) == std::future_status::ready);
    auto o = f.get();
    CHECK(o.status == 200);
    CHECK(o.sent_on == o.answered_on);
    senders.insert(o.sent_on);
  }
  CHECK(senders.size() == 2);
  CHECK(client->stats().connections_opened >= 2);
  {
    std::lock_guard guard{m};
    CHECK(server_threads.size() == 2);
  }
  loop->stop();
  server->stop();
}

TEST_CASE("a stopped loop with a server on it is destroyed cleanly, whichever "
          "threads hold the acceptor and its next socket",
          "[http][io_loop]") {
  // The server's pending accept sits on the acceptor's thread but holds the
  // socket it will accept onto, made on the next thread in turn. Destroying
  // one thread's context before the other had dropped its handlers used
  // that socket's freed service (ASan: heap-use-after-free, in the sanitizer
  // build). Every placement: the acceptor on either thread (skew), the next
  // socket on either (connections so far).
  for (int skew = 0; skew < 2; ++skew)
    for (int connections = 0; connections < 2; ++connections) {
      auto loop = start_loop(2);
      for (int i = 0; i < skew; ++i)
        thread_of_post(*loop); // moves the round robin the acceptor takes
      server_config sc;
      sc.loop = loop;
      std::string why;
      auto server = http_server::make(
        sc,
        [](const server_request&, std::shared_ptr<response_writer> w) {
          w->respond(200, {{"Content-Type", "text/plain"}}, "ok");
        },
        why);
      INFO(why);
      REQUIRE(server);
      if (connections > 0) {
        auto client = http_client::make(client_config{}, why);
        REQUIRE(client);
        std::promise<int> status;
        auto f = status.get_future();
        response_callbacks cb;
        cb.on_done = [&status](client_response r) {
          status.set_value(r.status);
        };
        client->send(origin{false, "127.0.0.1", server->port()},
                     client_request{"GET", "/", {}, ""}, {}, std::move(cb));
        REQUIRE(f.wait_for(20s) == std::future_status::ready);
        CHECK(f.get() == 200);
      }
      // The owner's order (io_loop.hpp): stop the loop, then the server;
      // the loop goes with the server's last reference to it, its handlers
      // still queued.
      loop->stop();
      server->stop();
      loop.reset();
      server.reset();
    }
}
