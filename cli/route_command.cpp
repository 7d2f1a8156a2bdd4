#include "provider_report.hpp"
#include "route_command.hpp"

#include "command_line.hpp"
#include "decision_table.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/plan_flow.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/messages/error_code.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace switchyard::cli {

namespace {

/// The example tasks `switchyard route --examples` runs: one per kind of
/// decision the router makes.
const std::vector<std::string>& example_tasks() {
  static const std::vector<std::string> tasks{
    "say hello",
    "Write a fibonacci function",
    "What is the capital of France?",
    "Review this pull request diff for bugs and style issues",
    "Write unit tests for the payment retry logic",
    "Document the public API of the rate limiter in the README",
    "Prove that the sum of two even numbers is even, step by step",
    "Design a distributed rate limiter architecture for microservices",
    "Audit production deployment for security vulnerabilities",
    "Refactor this module to remove duplicated parsing code",
  };
  return tasks;
}

std::string make_decision_id(std::string_view text, std::size_t n) {
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](std::uint64_t x) {
    for (int i = 0; i < 8; ++i) {
      h ^= (x >> (i * 8)) & 0xff;
      h *= 0x100000001b3ull;
    }
  };
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  mix(static_cast<std::uint64_t>(now));
  mix(n);
  char buf[24];
  std::snprintf(buf, sizeof(buf), "dec_%016llx",
                static_cast<unsigned long long>(h));
  return buf;
}

} // namespace

namespace {

/// A task's plan as the router alone routes it: each step as the runtime
/// routes it (engine::plan_flow::route_all), without learned state.
struct routed_plan {
  engine::plan_kind kind = engine::plan_kind::single;
  std::vector<engine::step_outcome> steps;
  std::vector<std::string> dropped;
  std::string refusal;
};

routed_plan route_plan(const engine::router& router,
                       const engine::routing_state& state,
                       const engine::route_request& req,
                       const engine::decision& d,
                       std::optional<engine::plan_kind> requested,
                       const engine::registry& reg) {
  routed_plan out;
  if (!d.has_model())
    return out;
  engine::plan_request pr;
  pr.tier = d.cls.tier;
  pr.type = d.cls.type;
  pr.requested = requested;
  pr.max_revisions = reg.plans.max_revisions;
  std::vector<std::string> roles;
  for (const auto& r : reg.plans.roles[static_cast<std::size_t>(d.cls.type)])
    roles.push_back(r.name);
  pr.roles = roles;
  auto plan = engine::build_plan(pr);
  out.kind = plan.kind;
  if (plan.kind == engine::plan_kind::single)
    return out;
  engine::plan_flow flow{reg, std::move(plan), d, std::string{req.text},
                         {d.budget_cap, false}};
  auto n = flow.route_all();
  if (n.action == engine::plan_action::fail) {
    out.refusal = n.message;
    return out;
  }
  for (const auto& l : n.launches) {
    auto step = req;
    step.type = d.cls.type;
    step.tier = l.route_as;
    step.budget_usd = engine::nanos_to_usd(l.budget);
    step.exclude = l.avoid;
    if (!l.final)
      step.text = l.input;
    auto sd = router.route(step, state);
    flow.routed(l.step, sd.has_model(), sd.model);
  }
  out.kind = flow.kind();
  out.steps = flow.outcomes();
  out.dropped = flow.dropped();
  return out;
}

void print_plan(std::ostream& os, const routed_plan& p,
                const engine::registry& reg) {
  os << "\nplan: " << engine::to_string(p.kind) << "\n";
  if (!p.refusal.empty())
    os << "  refused: " << p.refusal << "\n";
  for (const auto& s : p.steps)
    os << "  " << s.role << (s.final ? " (answers)" : "") << ": "
       << (s.has_model ? reg.models[s.model].id : std::string{"no model"})
       << ", as " << engine::to_string(s.route_as) << ", at most "
       << engine::format_usd(engine::nanos_to_usd(s.worst_cost_nanos)) << "\n";
  if (!p.dropped.empty()) {
    os << "  dropped for the budget:";
    for (const auto& r : p.dropped)
      os << " " << r;
    os << "\n";
  }
}

} // namespace

int run_route_command(const std::vector<std::string>& args) {
  command_line cl{
    "route",
    "switchyard route \"TASK\" [\"TASK\"...] [flags]\n"
    "       switchyard route --examples [flags]\n\n"
    "Prints the routing decision for each task: model, fallbacks or ensemble,\n"
    "complexity, task type, cost range, points per factor and rationale.",
    {
      {"task-type", takes::text, "task type (code_generation, reasoning, ...)"},
      {"complexity", takes::text, "simple | moderate | complex | critical"},
      {"budget", takes::number, "budget for this task in USD"},
      {"budget-remaining", takes::number,
       "what is left of the overall budget, USD"},
      {"quality", takes::number, "minimum predicted quality, 0-1"},
      {"max-latency", takes::number, "latency bound in seconds"},
      {"context-tokens", takes::integer,
       "tokens of context sent with the task"},
      {"vision", takes::nothing, "needs a vision model"},
      {"tools", takes::nothing, "needs tool calling"},
      {"json", takes::nothing, "print JSON instead of a table"},
      {"parallel", takes::nothing, "ask for a parallel ensemble"},
      {"strategy", takes::text,
       "judge | quality_weighted | voting | first_success"},
      {"force-model", takes::text, "route to this registry id"},
      {"plan", takes::text,
       "single | chain | specialists | critic (default: by complexity)"},
      {"local-failures", takes::integer, "local attempts that already failed"},
      {"config", takes::text,
       "registry YAML (default: the built-in models.yaml)"},
      {"examples", takes::nothing, "route the built-in example tasks"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard route"))
    return *done;
  auto tasks = cl.positional();
  if (cl.has("examples"))
    tasks.insert(tasks.end(), example_tasks().begin(), example_tasks().end());
  if (tasks.empty()) {
    std::cerr << "switchyard route: no task given; pass a task in quotes or "
                 "--examples (see --help)\n";
    return 2;
  }

  engine::route_request req;
  auto fail = [&](const std::string& msg) {
    std::cerr << "switchyard route: " << msg << "\n";
    return 2;
  };
  if (auto t = cl.value("task-type")) {
    req.type = engine::parse_task_type(*t);
    if (!req.type)
      return fail("unknown --task-type '" + *t
                  + "'; one of: code_generation, code_review, testing, "
                    "refactoring, reasoning, planning, analysis, "
                    "security_audit, documentation, tool_use, multimodal, "
                    "long_context, general");
  }
  if (auto t = cl.value("complexity")) {
    req.tier = engine::parse_complexity_tier(*t);
    if (!req.tier)
      return fail("unknown --complexity '" + *t
                  + "'; one of: simple, moderate, complex, critical");
  }
  if (auto s = cl.value("strategy")) {
    req.strategy = engine::parse_consensus_strategy(*s);
    if (!req.strategy)
      return fail("unknown --strategy '" + *s
                  + "'; one of: judge, quality_weighted, voting, "
                    "first_success");
  }
  req.budget_usd = cl.number("budget");
  auto remaining = cl.number("budget-remaining");
  req.min_quality = cl.number("quality");
  req.max_latency_s = cl.number("max-latency");
  auto context = cl.integer("context-tokens");
  auto local_failures = cl.integer("local-failures");
  if (req.budget_usd && *req.budget_usd < 0)
    return fail("--budget must be >= 0");
  if (req.min_quality && (*req.min_quality < 0 || *req.min_quality > 1))
    return fail("--quality must be between 0 and 1");
  if (context && (*context < 0 || *context > 100'000'000))
    return fail("--context-tokens must be between 0 and 100000000");
  if (local_failures && *local_failures < 0)
    return fail("--local-failures must be >= 0");
  req.context_tokens = context ? static_cast<std::uint32_t>(*context) : 0;
  req.local_failures
    = local_failures ? static_cast<std::uint32_t>(*local_failures) : 0;
  if (cl.has("vision"))
    req.required.add(engine::capability::vision);
  if (cl.has("tools"))
    req.required.add(engine::capability::tools);
  req.parallel = cl.has("parallel");
  std::optional<engine::plan_kind> plan_choice;
  if (auto p = cl.value("plan")) {
    plan_choice = engine::plan_kind_from(*p);
    if (!plan_choice)
      return fail("unknown --plan '" + *p
                  + "'; one of: single, chain, specialists, critic");
  }
  auto forced = cl.value("force-model").value_or("");
  req.force_model = forced;

  auto loaded = config::load_registry(cl.value("config").value_or(""));
  if (!loaded) {
    std::cerr << error_message(loaded.error()) << "\n";
    return 2;
  }
  const auto& reg = *loaded;
  if (!forced.empty() && !reg.find_model(forced))
    return fail("--force-model '" + forced
                + "' is not in the registry (see `switchyard route --help`; "
                  "ids are listed in the config's models section)");

  engine::keyword_classifier classifier;
  engine::router router{reg, classifier};
  engine::routing_state state;
  if (remaining)
    state.budget_remaining = engine::usd_to_nanos_ceil(*remaining);

  bool json = cl.has("json");
  std::string out;
  engine::json_writer w{out};
  if (json && tasks.size() > 1)
    w.begin_array();
  std::vector<routed_task> rows;
  std::vector<routed_plan> plans;
  bool any_failed = false;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    req.text = tasks[i];
    auto d = router.route(req, state);
    auto id = make_decision_id(tasks[i], i);
    any_failed = any_failed || !d.has_model();
    auto plan = route_plan(router, state, req, d, plan_choice, reg);
    any_failed = any_failed || !plan.refusal.empty();
    if (json) {
      engine::plan_summary summary{plan.kind, plan.steps, plan.dropped};
      engine::write_decision_json(w, d, reg, classifier, id, &summary);
    } else {
      rows.push_back({tasks[i], id, std::move(d)});
      plans.push_back(std::move(plan));
    }
  }
  if (json) {
    if (tasks.size() > 1)
      w.end_array();
    std::cout << out << "\n";
  } else if (rows.size() == 1) {
    print_decision_detail(std::cout, rows.front(), reg, classifier);
    print_plan(std::cout, plans.front(), reg);
  } else {
    print_decision_table(std::cout, rows, reg);
  }
  // A task no model can take is an answer, not a crash, but scripts need to
  // tell it apart.
  return any_failed ? 1 : 0;
}

int run_config_command(const std::vector<std::string>& args) {
  command_line cl{"config",
                  "switchyard config check FILE [--probe]\n\n"
                  "Validates a registry file; prints every error as "
                  "file:line: field: message and exits 2. Otherwise prints "
                  "the provider table the gateway prints at start (key "
                  "variable set or not, models available) and a warning for "
                  "every model that cannot be routed, and exits 0.",
                  {{"probe", takes::nothing,
                    "also ask every usable provider for its "
                    "model listing (no tokens spent) and "
                    "report what answered"}}};
  if (auto done = cl.parse_or_exit(args, "switchyard config"))
    return *done;
  const auto& pos = cl.positional();
  if (pos.size() != 2 || pos[0] != "check") {
    std::cerr << "switchyard config: expected `switchyard config check FILE`\n";
    return 2;
  }
  auto result = config::load_registry_file(pos[1], config::process_env());
  if (!result.errors.empty()) {
    for (const auto& e : result.errors)
      std::cerr << e.to_string() << "\n";
    std::cerr << result.errors.size() << " error"
              << (result.errors.size() == 1 ? "" : "s") << " in " << pos[1]
              << "\n";
    return 2;
  }
  const auto& reg = *result.registry;
  std::cout << pos[1] << ": ok (" << reg.providers.size() << " providers, "
            << reg.models.size() << " models)\n\n";
  auto keys = config::process_env();
  auto configuration = check_provider_configuration(
    reg, [&keys](std::string_view name) { return keys(name); });
  if (cl.has("probe")) {
    auto board = probe_providers(reg, configuration);
    print_provider_report(std::cout, reg, configuration, &board);
  } else {
    print_provider_report(std::cout, reg, configuration, nullptr);
  }
  return 0;
}

} // namespace switchyard::cli
