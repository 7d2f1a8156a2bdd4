// Embeds switchyard from an installed package: routes a task, executes a few
// against the providers the registry names (tests/install points them at
// sim-upstream), and reports feedback. Exits 0 only if every step worked.
//
//   consumer [REGISTRY.yaml]     (default: the built-in registry)

#include <switchyard/embedded_runtime.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  switchyard::embedding_options opts;
  if (argc > 1)
    opts.config_path = argv[1];
  auto started = switchyard::embedded_runtime::start(opts);
  if (!started) {
    std::fprintf(stderr, "consumer: cannot start: %s\n",
                 switchyard::error_message(started.error()).c_str());
    return 1;
  }
  auto& rt = **started;
  const auto& models = rt.registry().models;

  // A decision alone, without calling a model.
  switchyard::task_spec question;
  question.text = "Audit production deployment for security vulnerabilities";
  std::promise<switchyard::route_result> routed;
  rt.route(question, [&](switchyard::route_result r) {
    routed.set_value(std::move(r));
  });
  auto decision = routed.get_future().get();
  if (!decision.ok()) {
    std::fprintf(stderr, "consumer: route: %s\n",
                 decision.error_message.c_str());
    return 1;
  }
  std::printf("route: %s -> %s\n", question.text.c_str(),
              models[decision.decision.model].id.c_str());

  // Answers, then feedback on each.
  std::vector<std::string> tasks{"say hello", "Write a fibonacci function",
                                 "Review this pull request diff for bugs"};
  int stored = 0;
  for (const auto& text : tasks) {
    switchyard::task_spec t;
    t.text = text;
    auto reply = rt.execute(std::move(t)).get();
    if (!reply.ok()) {
      std::fprintf(stderr, "consumer: execute '%s': %s\n", text.c_str(),
                   reply.error_message.c_str());
      return 1;
    }
    std::printf("execute: %s -> %s (%zu chars, $%.6f)\n", text.c_str(),
                models[reply.model].id.c_str(), reply.text.size(),
                switchyard::engine::nanos_to_usd(reply.cost_nanos));
    switchyard::engine::feedback_report fb;
    fb.outcome = switchyard::engine::feedback_report::verdict::success;
    fb.rating = 5;
    std::promise<switchyard::error_code> acked;
    rt.feedback(reply.decision_id, fb,
                [&](switchyard::error_code e) { acked.set_value(e); });
    if (acked.get_future().get() == switchyard::error_code::none)
      ++stored;
  }
  rt.shutdown();
  auto s = rt.stats();
  bool ok = stored == 3 && s.succeeded == 4 && s.failed == 0
            && s.in_flight == 0;
  std::printf("feedback stored %d; succeeded %llu, failed %llu\n%s\n", stored,
              static_cast<unsigned long long>(s.succeeded),
              static_cast<unsigned long long>(s.failed),
              ok ? "consumer: ok" : "consumer: FAILED");
  return ok ? 0 : 1;
}
