// Fills a data directory the way a running node would, for the tests of
// the commands that read one (explain, replay, analytics, experiments):
// executes tasks through a runtime whose providers answer at once, and
// reports feedback on every answer.
//
//   switchyard_decision_log_seeder DATA_DIR TASKS
//
// Prints the decision id of every task, one per line (dec_...).

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

namespace {

/// Answers every call at once; Sonnet's answers cost more than the rest.
class answering_provider : public switchyard::engine::provider_client {
public:
  switchyard::engine::call_handle_ptr
  call(switchyard::engine::call_request req, done_fn done) override {
    switchyard::engine::call_result r;
    r.model = req.model;
    r.text = "answer from " + req.model;
    r.finish_reason = "stop";
    r.input_tokens = 120;
    r.output_tokens = 80;
    r.cost_nanos = req.model == "claude-sonnet-4" ? 2'000'000 : 80'000;
    r.latency_ms = 12.0;
    done(std::move(r));
    return nullptr;
  }

  switchyard::engine::call_handle_ptr
  stream(switchyard::engine::call_request req, chunk_fn,
         done_fn done) override {
    return call(std::move(req), std::move(done));
  }
};

} // namespace

int main(int argc, char** argv) {
  using namespace switchyard;
  if (argc != 3) {
    std::fprintf(stderr, "usage: switchyard_decision_log_seeder DATA_DIR TASKS\n");
    return 2;
  }
  runtime_config cfg;
  cfg.registry = config::default_registry();
  cfg.worker_threads = 2;
  cfg.data_dir = argv[1];
  cfg.make_client = [](const engine::provider_spec&) {
    return std::make_shared<answering_provider>();
  };
  auto started = runtime::start(std::move(cfg));
  if (!started) {
    std::fprintf(stderr, "seeder: %s\n",
                 error_message(started.error()).c_str());
    return 2;
  }
  auto rt = std::move(*started);
  const char* texts[] = {"Review this pull request diff for bugs",
                         "Write a fibonacci function",
                         "Document the public API of the rate limiter"};
  auto tasks = std::strtol(argv[2], nullptr, 10);
  for (long i = 0; i < tasks; ++i) {
    task_spec t;
    t.text = texts[i % 3];
    t.budget_key = i % 2 == 0 ? "key_even" : "";
    auto reply = rt->execute(t).get();
    if (!reply.ok()) {
      std::fprintf(stderr, "seeder: task failed: %s\n",
                   reply.error_message.c_str());
      return 1;
    }
    engine::feedback_report f;
    f.outcome = engine::feedback_report::verdict::success;
    std::promise<bool> stored;
    auto ack = stored.get_future();
    rt->feedback(reply.decision_id, f,
                 [&stored](bool ok) { stored.set_value(ok); });
    if (!ack.get()) {
      std::fprintf(stderr, "seeder: feedback not stored\n");
      return 1;
    }
    std::printf("%s\n", format_decision_id(reply.decision_id).c_str());
  }
  rt->shutdown();
  return 0;
}
