// Embedding switchyard in an orchestrator: start a runtime, submit tasks from
// several threads, read the answers and the decisions behind them, report
// feedback, shut down cleanly.
//
// The provider client here answers in-process so the example runs anywhere;
// a real deployment passes a factory that returns HTTP clients instead.

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/runtime.hpp"

#include <cstdio>
#include <thread>
#include <vector>

namespace {

/// Answers every call at once with a short canned text.
class echo_client : public switchyard::engine::provider_client {
public:
  switchyard::engine::call_handle_ptr call(switchyard::engine::call_request req,
                                           done_fn done) override {
    switchyard::engine::call_result r;
    r.model = req.model;
    r.text = "[" + req.model + "] " + req.messages.back().text();
    r.finish_reason = "stop";
    r.input_tokens = 12;
    r.output_tokens = 24;
    done(std::move(r));
    return nullptr;
  }

  switchyard::engine::call_handle_ptr stream(switchyard::engine::call_request req,
                                             chunk_fn, done_fn done) override {
    return call(std::move(req), std::move(done));
  }
};

} // namespace

int main() {
  using namespace switchyard;
  auto started = runtime::start("", [](const engine::provider_spec&) {
    return std::make_shared<echo_client>();
  });
  if (!started) {
    std::fprintf(stderr, "cannot start: %s\n",
                 error_message(started.error()).c_str());
    return 1;
  }
  auto rt = std::move(*started);

  const char* tasks[] = {
    "say hello",
    "Write a fibonacci function",
    "Review this pull request diff for bugs",
    "Audit production deployment for security vulnerabilities",
  };
  // Futures from one thread...
  std::vector<std::future<task_reply>> replies;
  for (auto text : tasks) {
    task_spec t;
    t.text = text;
    replies.push_back(rt->execute(std::move(t)));
  }
  // ...and callbacks from others, many at once.
  std::atomic<int> answered{0};
  std::vector<std::thread> submitters;
  for (int n = 0; n < 4; ++n)
    submitters.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        task_spec t;
        t.text = tasks[i % 4];
        rt->execute(std::move(t), [&](task_reply r) {
          if (r.ok())
            ++answered;
        });
      }
    });
  for (auto& s : submitters)
    s.join();

  int failures = 0;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    auto r = replies[i].get();
    if (!r.ok()) {
      std::printf("%-58s -> error: %s\n", tasks[i], r.error_message.c_str());
      ++failures;
      continue;
    }
    std::printf("%-58s -> %s%s (%s, decision %llu)\n", tasks[i],
                rt->registry().models[r.model].id.c_str(),
                r.parallel ? " [ensemble winner]" : "",
                std::string{engine::to_string(r.decision.rule)}.c_str(),
                static_cast<unsigned long long>(r.decision_id));
    engine::feedback_report fb;
    fb.outcome = engine::feedback_report::verdict::success;
    fb.rating = 5;
    rt->feedback(r.decision_id, fb);
  }
  rt->shutdown();
  auto s = rt->stats();
  std::printf("submitted %llu, succeeded %llu, failed %llu, in flight %llu\n",
              static_cast<unsigned long long>(s.submitted),
              static_cast<unsigned long long>(s.succeeded),
              static_cast<unsigned long long>(s.failed),
              static_cast<unsigned long long>(s.in_flight));
  bool ok = failures == 0 && answered.load() == 1000 && s.failed == 0
            && s.in_flight == 0 && s.submitted == 1004;
  std::printf("%s\n", ok ? "example: ok" : "example: FAILED");
  return ok ? 0 : 1;
}
