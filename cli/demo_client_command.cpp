#include "demo_client_command.hpp"

#include "command_line.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/http/url.hpp"
#include "switchyard/messages/error_code.hpp"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <unistd.h>

namespace switchyard::cli {

namespace {

/// A realistic mix: every task type and complexity, the way agent systems
/// send them (many small tasks, fewer large or critical ones).
const std::vector<std::string>& demo_tasks() {
  static const std::vector<std::string> tasks{
    "say hello",
    "What is the capital of France?",
    "Translate 'good morning' into Spanish",
    "thanks, that works",
    "Write a fibonacci function",
    "Write a Python function that parses ISO 8601 dates",
    "Implement a binary search function in Go",
    "Write a SQL query that lists overdue invoices",
    "Review this pull request diff for bugs and style issues",
    "Review the error handling in this HTTP handler",
    "Write unit tests for the payment retry logic",
    "Write integration tests for the login endpoint",
    "Refactor this module to remove duplicated parsing code",
    "Refactor the billing service into smaller classes",
    "Prove that the sum of two even numbers is even, step by step",
    "Explain why the build fails when the cache is cold",
    "Plan the migration of our queue from RabbitMQ to Kafka with milestones",
    "Break down the onboarding revamp into phases",
    "Analyze these latency metrics and find the root cause of the p99 spike",
    "Compare the two caching strategies and evaluate their trade-offs",
    "Audit production deployment for security vulnerabilities",
    "Check the login handler for SQL injection and XSS",
    "Document the public API of the rate limiter in the README",
    "Write docstrings for the storage module",
    "Call the weather API tool and summarize the forecast",
    "Use the search tool to find the latest release notes",
    "Describe what is wrong in this screenshot of the dashboard",
    "Summarize this transcript of the incident review and list action items",
    "Design a distributed rate limiter architecture for microservices",
    "Optimize the concurrency of the scheduler for 10k tasks",
  };
  return tasks;
}

struct outcome {
  std::string task;
  std::string decision_id;
  int status = 0;
  std::string model;
  std::string type;
  std::string complexity;
  double cost_usd = 0.0;
  double latency_ms = 0.0;
  int attempts = 0;
  int retries = 0;
  bool parallel = false;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  std::string error;
  /// The plan it ran and its steps (x-switchyard-plan, -steps).
  std::string plan;
  std::string steps;
};

std::string header_value(const http::header_list& hs, std::string_view name) {
  for (const auto& h : hs)
    if (h.name.size() == name.size()
        && std::equal(h.name.begin(), h.name.end(), name.begin(),
                      [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a))
                               == std::tolower(static_cast<unsigned char>(b));
                      }))
      return h.value;
  return {};
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() >= width) {
    s.resize(width > 2 ? width - 2 : 0);
    s += "~";
  }
  s.resize(width, ' ');
  return s;
}

} // namespace

int run_demo_client_command(const std::vector<std::string>& args) {
  command_line cl{
    "demo-client",
    "switchyard demo-client --gateway URL [--tasks N] [--concurrency C]\n"
    "                       [--config F] [--key-env NAME]\n\n"
    "Sends a mixed workload (every task type and complexity) through the\n"
    "gateway's OpenAI API with a progress bar, then prints each decision\n"
    "(task -> complexity/type -> model -> cost -> latency) and a summary:\n"
    "requests per model, total cost against always using the strongest\n"
    "model, fallbacks, retries, breaker trips and failures.",
    {
      {"gateway", takes::text,
       "the gateway's base URL, e.g. http://127.0.0.1:8080"},
      {"tasks", takes::integer, "tasks to send (default 300)"},
      {"concurrency", takes::integer, "requests in flight (default 16)"},
      {"config", takes::text,
       "the gateway's registry, for prices (default built-in)"},
      {"key-env", takes::text,
       "variable holding the API key (default "
       "SWITCHYARD_ADMIN_KEY)"},
    }};
  auto fail = [](const std::string& m) {
    std::cerr << "switchyard demo-client: " << m << "\n";
    return 2;
  };
  if (auto done = cl.parse_or_exit(args, "switchyard demo-client"))
    return *done;
  auto target = cl.value("gateway");
  if (!target)
    return fail("--gateway URL is required");
  std::string url_error;
  auto url = http::parse_url(*target, url_error);
  if (!url)
    return fail("--gateway: " + url_error);
  auto tasks = cl.integer("tasks").value_or(300);
  auto concurrency = cl.integer("concurrency").value_or(16);
  if (tasks < 1 || concurrency < 1)
    return fail("--tasks and --concurrency must be >= 1");
  auto reg = config::load_registry(cl.value("config").value_or(""));
  if (!reg) {
    std::cerr << error_message(reg.error()) << "\n";
    return 2;
  }
  std::string key;
  if (const char* k = std::getenv(
        cl.value("key-env").value_or("SWITCHYARD_ADMIN_KEY").c_str()))
    key = k;
  std::string why;
  http::client_config cc;
  auto client = http::http_client::make(cc, why);
  if (!client)
    return fail(why);

  const auto& mix = demo_tasks();
  std::vector<outcome> results(static_cast<std::size_t>(tasks));
  std::mutex m;
  std::condition_variable cv;
  std::size_t next = 0, done = 0, in_flight = 0;
  bool tty = isatty(STDERR_FILENO) != 0;
  auto progress = [&] {
    if (!tty)
      return;
    constexpr int width = 40;
    auto filled = static_cast<int>(width * done / results.size());
    std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled,
                 "########################################", width - filled, "",
                 done, results.size());
    if (done == results.size())
      std::fputc('\n', stderr);
  };
  std::function<void()> launch = [&] {
    // Called with `m` held.
    while (in_flight < static_cast<std::size_t>(concurrency)
           && next < results.size()) {
      auto i = next++;
      ++in_flight;
      auto& o = results[i];
      o.task = mix[i % mix.size()];
      std::string body;
      engine::json_writer w{body};
      w.begin_object().field("model", "auto").key("messages").begin_array();
      w.begin_object().field("role", "user").field("content", std::string_view{o.task});
      w.end_object().end_array();
      // A few tasks ask for a critic plan with the budget it needs (a
      // critical task's plan rarely fits the per-task cap: docs/plans.md).
      if (i % 100 == 99)
        w.key("switchyard").begin_object().field("plan", "critic")
          .field("budget_usd", 1.0).end_object();
      w.end_object();
      http::client_request req;
      req.target = url->path + "/v1/chat/completions";
      req.headers = {{"content-type", "application/json"}};
      if (!key.empty())
        req.headers.push_back({"authorization", "Bearer " + key});
      req.body = std::move(body);
      http::response_callbacks cb;
      cb.on_done = [&, i](http::client_response res) {
        auto& r = results[i];
        r.latency_ms = std::chrono::duration<double, std::milli>(res.finished
                                                                 - res.started)
                         .count();
        r.status = res.status;
        if (!res.ok()) {
          r.error = res.error_detail;
        } else {
          r.model = header_value(res.headers, "x-switchyard-model");
          r.decision_id = header_value(res.headers, "x-switchyard-decision-id");
          r.type = header_value(res.headers, "x-switchyard-task-type");
          r.complexity = header_value(res.headers, "x-switchyard-complexity");
          r.cost_usd = std::atof(
            header_value(res.headers, "x-switchyard-cost-usd").c_str());
          r.attempts = std::atoi(
            header_value(res.headers, "x-switchyard-attempts").c_str());
          r.retries = std::atoi(
            header_value(res.headers, "x-switchyard-retries").c_str());
          r.parallel = header_value(res.headers, "x-switchyard-parallel") == "true";
          r.plan = header_value(res.headers, "x-switchyard-plan");
          r.steps = header_value(res.headers, "x-switchyard-steps");
          simdjson::dom::parser p;
          simdjson::dom::element doc;
          simdjson::padded_string in{res.body};
          if (p.parse(in).get(doc) == simdjson::SUCCESS) {
            std::int64_t n = 0;
            if (doc["usage"]["prompt_tokens"].get(n) == simdjson::SUCCESS)
              r.input_tokens = static_cast<std::uint32_t>(n);
            if (doc["usage"]["completion_tokens"].get(n) == simdjson::SUCCESS)
              r.output_tokens = static_cast<std::uint32_t>(n);
            std::string_view msg;
            if (doc["error"]["message"].get(msg) == simdjson::SUCCESS)
              r.error.assign(msg);
          }
        }
        std::lock_guard<std::mutex> guard{m};
        --in_flight;
        ++done;
        progress();
        launch();
        cv.notify_all();
      };
      client->send(url->origin, std::move(req), {}, std::move(cb));
    }
  };
  {
    std::unique_lock<std::mutex> guard{m};
    launch();
    cv.wait(guard, [&] { return done == results.size(); });
  }

  // Breaker trips per provider, from the gateway (GET /v1/providers).
  std::map<std::string, std::uint64_t> trips;
  std::string trips_error;
  {
    http::client_request req;
    req.method = "GET";
    req.target = url->path + "/v1/providers";
    if (!key.empty())
      req.headers.push_back({"authorization", "Bearer " + key});
    bool answered = false;
    http::response_callbacks cb;
    cb.on_done = [&](http::client_response res) {
      simdjson::dom::parser p;
      simdjson::dom::element doc;
      simdjson::padded_string in{res.body};
      simdjson::dom::array data;
      if (!res.ok() || p.parse(in).get(doc) != simdjson::SUCCESS
          || doc["data"].get(data) != simdjson::SUCCESS) {
        trips_error = "GET /v1/providers answered " + std::to_string(res.status);
      } else {
        for (auto provider : data) {
          std::string_view id;
          std::uint64_t n = 0;
          if (provider["id"].get(id) == simdjson::SUCCESS
              && provider["trips"].get(n) == simdjson::SUCCESS && n > 0)
            trips[std::string{id}] = n;
        }
      }
      std::lock_guard<std::mutex> guard{m};
      answered = true;
      cv.notify_all();
    };
    client->send(url->origin, std::move(req), {}, std::move(cb));
    std::unique_lock<std::mutex> guard{m};
    cv.wait(guard, [&] { return answered; });
  }

  // -- the table ---------------------------------------------------------------
  std::printf("%s%s%s%s%s%s%s\n", pad("DECISION", 22).c_str(),
              pad("TASK", 52).c_str(),
              pad("COMPLEXITY/TYPE", 28).c_str(), pad("MODEL", 32).c_str(),
              pad("COST", 12).c_str(), pad("LATENCY", 11).c_str(), "STATUS");
  for (const auto& r : results) {
    char cost[32], latency[32];
    std::snprintf(cost, sizeof(cost), "$%.6f", r.cost_usd);
    std::snprintf(latency, sizeof(latency), "%.0f ms", r.latency_ms);
    auto status = r.status != 200 ? std::to_string(r.status) + " " + r.error
                  : r.parallel ? "ok (ensemble of " + std::to_string(r.attempts)
                                   + ")"
                  : r.plan != "single" && !r.plan.empty()
                    ? "ok (" + r.plan + ", " + std::to_string(r.attempts)
                        + " calls)"
                  : r.attempts > 1 ? "ok (" + std::to_string(r.attempts)
                                       + " attempts)"
                                   : std::string{"ok"};
    std::printf("%s%s%s%s%s%s%s\n",
                pad(r.decision_id.empty() ? "-" : r.decision_id, 22).c_str(),
                pad(r.task, 52).c_str(),
                pad(r.complexity + "/" + r.type, 28).c_str(),
                pad(r.model.empty() ? "-" : r.model, 32).c_str(),
                pad(cost, 12).c_str(), pad(latency, 11).c_str(),
                status.c_str());
  }

  // -- the plans ---------------------------------------------------------------
  // The first answered tasks of each plan kind, step by step.
  std::printf("\nplans: the first tasks of each kind, step by step "
              "(role=model:cost)\n");
  std::map<std::string, int> plan_counts;
  std::map<std::string, int> shown;
  for (const auto& r : results) {
    if (r.status != 200 || r.plan.empty())
      continue;
    ++plan_counts[r.plan];
    if (shown[r.plan]++ >= 2)
      continue;
    std::printf("  %-12s %s  $%.6f\n    %s\n", r.plan.c_str(),
                pad(r.task, 52).c_str(), r.cost_usd, r.steps.c_str());
  }
  for (const auto& [plan, n] : plan_counts)
    std::printf("  %-12s %d tasks\n", plan.c_str(), n);

  // -- the summary -------------------------------------------------------------
  // "Always the best": every answered task on the strongest model, for the
  // same tokens.
  const engine::model_spec* best = nullptr;
  for (const auto& mdl : reg->models)
    if (mdl.enabled && (!best || mdl.quality > best->quality))
      best = &mdl;
  std::map<std::string, int> per_model;
  double total = 0.0, always_best = 0.0;
  int ok = 0, fallbacks = 0, ensembles = 0, retries = 0;
  std::map<int, int> failures;
  for (const auto& r : results) {
    if (r.status != 200) {
      ++failures[r.status];
      continue;
    }
    ++ok;
    ++per_model[r.model];
    retries += r.retries;
    total += r.cost_usd;
    // A plan makes one call per step: only calls beyond them fell back.
    auto steps = r.steps.empty()
                   ? 1
                   : 1 + static_cast<int>(
                       std::count(r.steps.begin(), r.steps.end(), ','));
    if (r.parallel)
      ++ensembles;
    else if (r.attempts > steps)
      ++fallbacks;
    if (best)
      always_best += r.input_tokens * best->cost_per_1k_input / 1000.0
                     + r.output_tokens * best->cost_per_1k_output / 1000.0;
  }
  std::printf("\nsummary: %d of %zu tasks answered\n", ok, results.size());
  std::vector<std::pair<std::string, int>> counts(per_model.begin(),
                                                  per_model.end());
  std::sort(counts.begin(), counts.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [model, n] : counts) {
    const auto* spec = reg->find_model(model);
    std::printf("  %-34s %5d%s\n", model.c_str(), n,
                spec && spec->local ? "  (local)" : "");
  }
  std::printf("  total cost:           $%.6f\n", total);
  if (best)
    std::printf("  always %s: $%.6f (switchyard spent %.1f%% of that)\n",
                best->id.c_str(), always_best,
                always_best > 0 ? 100.0 * total / always_best : 0.0);
  std::printf("  tasks that fell back: %d\n", fallbacks);
  std::printf("  retries:              %d\n", retries);
  std::printf("  ensembles:            %d\n", ensembles);
  if (!trips_error.empty()) {
    std::printf("  breaker trips:        unknown (%s)\n", trips_error.c_str());
  } else {
    std::uint64_t all = 0;
    std::string which;
    for (const auto& [id, n] : trips) {
      all += n;
      which += (which.empty() ? " (" : ", ") + id + ": " + std::to_string(n);
    }
    std::printf("  breaker trips:        %llu%s\n",
                static_cast<unsigned long long>(all),
                which.empty() ? "" : (which + ")").c_str());
  }
  for (const auto& [status, n] : failures)
    std::printf("  failed with HTTP %d:   %d\n", status, n);
  return ok == static_cast<int>(results.size()) ? 0 : 1;
}

} // namespace switchyard::cli
