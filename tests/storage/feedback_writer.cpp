// The child process of the crash-durability test: starts a runtime on a
// data directory and, in a loop, routes a task and sends feedback on its
// decision (feedback needs a decision that exists), printing the decision
// id once its feedback is acknowledged (stored in the synced WAL). Runs
// until it is killed.
//
//   switchyard_feedback_writer DATA_DIR

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/runtime.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

int main(int argc, char** argv) {
  using namespace switchyard;
  if (argc != 2) {
    std::fprintf(stderr, "usage: switchyard_feedback_writer DATA_DIR\n");
    return 2;
  }
  runtime_config cfg;
  cfg.registry = config::default_registry();
  cfg.worker_threads = 2;
  cfg.data_dir = argv[1];
  auto started = runtime::start(std::move(cfg));
  if (!started) {
    std::fprintf(stderr, "feedback writer: %s\n",
                 error_message(started.error()).c_str());
    return 2;
  }
  auto rt = std::move(*started);
  std::printf("ready\n");
  std::fflush(stdout);
  engine::feedback_report report;
  report.outcome = engine::feedback_report::verdict::success;
  report.rating = 4;
  task_spec task;
  task.text = "Summarize this paragraph";
  for (;;) {
    auto routed = rt->route(task).get();
    if (!routed.ok()) {
      std::fprintf(stderr, "feedback writer: %s\n",
                   routed.error_message.c_str());
      return 1;
    }
    auto id = routed.decision_id;
    std::promise<bool> stored;
    auto ack = stored.get_future();
    rt->feedback(id, report, [&stored](bool ok) { stored.set_value(ok); });
    if (!ack.get()) {
      std::fprintf(stderr, "feedback writer: feedback %llu was not stored\n",
                   static_cast<unsigned long long>(id));
      return 1;
    }
    std::printf("%llu\n", static_cast<unsigned long long>(id));
    std::fflush(stdout);
  }
}
