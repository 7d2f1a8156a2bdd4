// The child process of the crash-durability test: starts a runtime on a
// data directory and sends feedback in a loop, printing each decision id
// once its feedback is acknowledged (stored in the synced WAL). Runs until
// it is killed.
//
//   switchyard_feedback_writer DATA_DIR FIRST_ID

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/runtime.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

int main(int argc, char** argv) {
  using namespace switchyard;
  if (argc != 3) {
    std::fprintf(stderr, "usage: switchyard_feedback_writer DATA_DIR FIRST_ID\n");
    return 2;
  }
  runtime_config cfg;
  cfg.registry = config::default_registry();
  cfg.worker_threads = 2;
  cfg.data_dir = argv[1];
  std::string error;
  auto rt = runtime::start(std::move(cfg), &error);
  if (!rt) {
    std::fprintf(stderr, "feedback writer: %s\n", error.c_str());
    return 2;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  engine::feedback_report report;
  report.outcome = engine::feedback_report::verdict::success;
  report.rating = 4;
  for (auto id = std::strtoull(argv[2], nullptr, 10);; ++id) {
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
