#pragma once

// In-process stand-ins for provider clients: the one edge these tests cannot
// reach is a real provider. Calls complete when the test says time has come.

#include "switchyard/engine/provider_client.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace switchyard::test {

/// A provider whose calls finish after a scripted latency of simulated time.
class fake_provider : public engine::provider_client {
public:
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;
  /// Decides a call's result; the default answers "answer from MODEL".
  using script_fn = std::function<engine::call_result(const engine::call_request&,
                                                      std::size_t call_index)>;

  struct handle : engine::call_handle {
    bool cancelled = false;
    void cancel() noexcept override {
      cancelled = true;
    }
  };

  struct pending {
    engine::call_request request;
    done_fn done;
    /// Set for a streamed call.
    chunk_fn on_chunk;
    std::chrono::steady_clock::time_point due;
    std::shared_ptr<handle> h;
  };

  /// One chunk of a scripted stream.
  struct scripted_chunk {
    std::string delta;
    /// Output tokens so far, as an upstream reporting usage says.
    std::optional<std::uint32_t> output_tokens;
  };

  struct started_call {
    engine::call_request request;
    std::chrono::steady_clock::time_point at;
  };

  explicit fake_provider(clock_fn now) : now_(std::move(now)) {
  }

  engine::call_handle_ptr call(engine::call_request req, done_fn done) override {
    auto h = std::make_shared<handle>();
    auto index = started.size();
    started.push_back({req, now_()});
    auto latency = latency_for ? latency_for(req) : latency_default;
    queue_.push_back(
      {std::move(req), std::move(done), nullptr, now_() + latency, h});
    (void) index;
    return h;
  }

  engine::call_handle_ptr stream(engine::call_request req, chunk_fn on_chunk,
                                 done_fn done) override {
    auto h = call(std::move(req), std::move(done));
    queue_.back().on_chunk = std::move(on_chunk);
    return h;
  }

  /// Answers a model listing at once with `listing` (a health probe).
  engine::call_handle_ptr list_models(std::chrono::milliseconds,
                                      listing_fn done) override {
    ++listings;
    done(listing);
    return nullptr;
  }

  /// Completes every call that is due (or cancelled), in start order.
  std::size_t complete_due() {
    std::size_t n = 0;
    auto now = now_();
    for (auto i = queue_.begin(); i != queue_.end();) {
      if (i->h->cancelled) {
        ++cancelled;
        engine::call_result r;
        r.model = i->request.model;
        r.error = engine::call_error::cancelled;
        auto done = std::move(i->done);
        i = queue_.erase(i);
        done(std::move(r));
        ++n;
      } else if (i->due <= now) {
        auto index = completed++;
        auto r = script ? script(i->request, index) : answer(i->request);
        auto done = std::move(i->done);
        auto on_chunk = std::move(i->on_chunk);
        std::vector<scripted_chunk> sent;
        if (on_chunk && chunks)
          sent = chunks(i->request, index);
        i = queue_.erase(i);
        // Every chunk, as an HTTP client delivers what it read, even after
        // a cancel; then the result.
        for (const auto& c : sent) {
          engine::stream_chunk chunk;
          chunk.delta = c.delta;
          chunk.output_tokens = c.output_tokens;
          on_chunk(chunk);
        }
        done(std::move(r));
        ++n;
      } else {
        ++i;
      }
    }
    return n;
  }

  [[nodiscard]] std::size_t in_flight() const noexcept {
    return queue_.size();
  }

  static engine::call_result answer(const engine::call_request& req) {
    engine::call_result r;
    r.model = req.model;
    r.text = "answer from " + req.model;
    r.finish_reason = "stop";
    r.input_tokens = 10;
    r.output_tokens = 20;
    r.cost_nanos = 1000;
    return r;
  }

  static engine::call_result failure(const engine::call_request& req,
                                     engine::call_error e) {
    engine::call_result r;
    r.model = req.model;
    r.error = e;
    r.finish_reason = "error";
    r.error_message = "scripted " + std::string{engine::to_string(e)};
    return r;
  }

  script_fn script;
  /// What a streamed call sends before its result (by call index); none
  /// when unset.
  std::function<std::vector<scripted_chunk>(const engine::call_request&,
                                            std::size_t call_index)>
    chunks;
  /// What a health probe hears; by default, a server that answers and
  /// serves nothing in particular.
  engine::model_listing listing{true, 200, {}, {}};
  std::size_t listings = 0;
  std::function<std::chrono::steady_clock::duration(const engine::call_request&)>
    latency_for;
  std::chrono::steady_clock::duration latency_default{};
  std::vector<started_call> started;
  std::size_t completed = 0;
  std::size_t cancelled = 0;

private:
  clock_fn now_;
  std::deque<pending> queue_;
};

} // namespace switchyard::test
