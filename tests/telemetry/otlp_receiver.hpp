#pragma once

// A small OTLP/HTTP receiver for the exporter tests: a real HTTP server on
// 127.0.0.1, port 0, that keeps what it receives and lets a test wait for
// it (with a generous bound as a failure guard, never a sleep). It can
// hold its answers, to play a collector that does not respond.

#include "otlp_batch.hpp"

#include "switchyard/http/http_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::testing {

inline constexpr std::chrono::seconds wait_limit{20};

struct received_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header named `name` (case-insensitive), or "".
  [[nodiscard]] std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (http::iequals(k, name))
        return v;
    return {};
  }
};

class otlp_receiver {
public:
  /// Answers every request with `status` and `body` (unless holding).
  explicit otlp_receiver(int status = 200, std::string body = "{}")
    : status_(status), answer_(std::move(body)) {
    std::string why;
    server_ = http::http_server::make(
      http::server_config{},
      [this](const http::server_request& req,
             std::shared_ptr<http::response_writer> w) {
        on_request(req, std::move(w));
      },
      why);
    INFO(why);
    REQUIRE(server_);
  }

  ~otlp_receiver() {
    {
      // Writers must not outlive the server: drop the held ones first
      // (their connections close).
      std::lock_guard lk{mu_};
      held_.clear();
    }
    server_->stop();
  }

  otlp_receiver(const otlp_receiver&) = delete;
  otlp_receiver& operator=(const otlp_receiver&) = delete;

  [[nodiscard]] std::uint16_t port() const {
    return server_->port();
  }

  /// The traces URL of this receiver.
  [[nodiscard]] std::string endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1/traces";
  }

  /// From now on, requests are kept unanswered until `release`.
  void hold() {
    std::lock_guard lk{mu_};
    holding_ = true;
  }

  /// Answers the held requests and stops holding.
  void release() {
    std::vector<std::shared_ptr<http::response_writer>> held;
    {
      std::lock_guard lk{mu_};
      holding_ = false;
      held.swap(held_);
    }
    for (auto& w : held)
      answer(*w);
  }

  /// Waits until at least `n` requests have arrived.
  bool wait_for_requests(std::size_t n) {
    std::unique_lock lk{mu_};
    return cv_.wait_for(lk, wait_limit, [&] { return requests_.size() >= n; });
  }

  /// Waits until at least `n` spans have arrived.
  bool wait_for_spans(std::size_t n) {
    std::unique_lock lk{mu_};
    return cv_.wait_for(lk, wait_limit, [&] { return spans_.size() >= n; });
  }

  [[nodiscard]] std::vector<received_request> requests() const {
    std::lock_guard lk{mu_};
    return requests_;
  }

  [[nodiscard]] std::vector<received_span> spans() const {
    std::lock_guard lk{mu_};
    return spans_;
  }

  /// The batches as parsed, in arrival order (nullopt: not OTLP/JSON).
  [[nodiscard]] std::vector<std::optional<received_batch>> batches() const {
    std::lock_guard lk{mu_};
    return batches_;
  }

private:
  void on_request(const http::server_request& req,
                  std::shared_ptr<http::response_writer> w) {
    received_request r;
    r.method = std::string{req.method};
    r.target = std::string{req.target};
    for (const auto& h : req.headers)
      r.headers.emplace_back(std::string{h.name}, std::string{h.value});
    r.body = std::string{req.body};
    auto batch = parse_otlp_batch(r.body);
    bool answer_now = false;
    {
      std::lock_guard lk{mu_};
      if (batch)
        spans_.insert(spans_.end(), batch->spans.begin(), batch->spans.end());
      batches_.push_back(std::move(batch));
      requests_.push_back(std::move(r));
      if (holding_)
        held_.push_back(w);
      else
        answer_now = true;
    }
    cv_.notify_all();
    if (answer_now)
      answer(*w);
  }

  void answer(http::response_writer& w) {
    w.respond(status_, {{"Content-Type", "application/json"}}, answer_);
  }

  int status_;
  std::string answer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<received_request> requests_;
  std::vector<received_span> spans_;
  std::vector<std::optional<received_batch>> batches_;
  std::vector<std::shared_ptr<http::response_writer>> held_;
  bool holding_ = false;
  std::unique_ptr<http::http_server> server_;
};

/// A port on 127.0.0.1 that nothing listens on: one a server bound and
/// released.
inline std::uint16_t closed_port() {
  std::string why;
  auto server = http::http_server::make(
    http::server_config{},
    [](const http::server_request&, std::shared_ptr<http::response_writer>) {},
    why);
  INFO(why);
  REQUIRE(server);
  auto port = server->port();
  server->stop();
  return port;
}

} // namespace switchyard::testing
