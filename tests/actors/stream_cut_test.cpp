// A stream cut at its budget reservation: the reply is what was streamed.
// The provider here keeps writing after the cut, as an HTTP client does with
// the bytes it had already read when the executor cancelled it.

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/runtime.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <mutex>
#include <string>

using namespace switchyard;

namespace {

/// Streams 40 chunks of "word " on the caller's thread, whatever happens in
/// between, then reports the whole text as its result.
class chatty_provider : public engine::provider_client {
 public:
  engine::call_handle_ptr call(engine::call_request req, done_fn done) override {
    return stream(std::move(req), [](const engine::stream_chunk&) {},
                  std::move(done));
  }

  engine::call_handle_ptr stream(engine::call_request req, chunk_fn on_chunk,
                                 done_fn done) override {
    engine::call_result r;
    r.model = req.model;
    for (int i = 0; i < 40; ++i) {
      std::string word = "w" + std::to_string(i) + " ";
      r.text += word;
      engine::stream_chunk c;
      c.delta = word;
      on_chunk(c);
    }
    r.finish_reason = "stop";
    r.input_tokens = 10;
    r.output_tokens = 40;
    r.latency_ms = 1.0;
    done(std::move(r));
    return nullptr;
  }
};

} // namespace

TEST_CASE("a stream cut at its budget reservation answers with what was "
          "streamed, not what the provider went on to write",
          "[runtime][stream]") {
  runtime_config cfg;
  auto loaded = config::load_registry("");
  REQUIRE(loaded);
  cfg.registry = std::move(*loaded);
  cfg.worker_threads = 2;
  cfg.make_client = [](const engine::provider_spec&) {
    return std::make_shared<chatty_provider>();
  };
  auto started = runtime::start(std::move(cfg));
  if (!started)
    FAIL(error_message(started.error()));
  auto rt = std::move(*started);
  task_spec t;
  t.text = "say hello";
  // A reservation of 8 output tokens: the stream passes it after ~32 bytes.
  t.max_output_tokens = 8;
  std::mutex m;
  std::string streamed;
  std::promise<task_reply> answer;
  auto reply_future = answer.get_future();
  rt->execute_streaming(
    t,
    [&](const stream_event& e) {
      std::lock_guard guard{m};
      streamed += e.chunk.delta;
    },
    [&](task_reply r) { answer.set_value(std::move(r)); });
  auto reply = reply_future.get();
  rt->shutdown();
  std::lock_guard guard{m};
  INFO(reply.error_message);
  CHECK(reply.finish_reason == "length");
  CHECK_FALSE(streamed.empty());
  CHECK(streamed.size() < 40 * 4);
  CHECK(reply.text == streamed);
}
