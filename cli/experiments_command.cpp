#include "experiments_command.hpp"

#include "command_line.hpp"
#include "store_access.hpp"

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/actors/experiment_report_json.hpp"
#include "switchyard/messages/error_code.hpp"

#include <chrono>
#include <iostream>

namespace switchyard::cli {

namespace {

constexpr std::string_view usage_text
  = "switchyard experiments list [--data-dir D] [--json]\n"
    "       switchyard experiments start ID --task-type T --arms A,B[,...]\n"
    "                 [--metric feedback|success] [--share S] [--min-samples N]\n"
    "                 [--significance P] [--seed S] [--data-dir D] [--config F]\n"
    "       switchyard experiments stop ID [--data-dir D]\n\n"
    "A/B tests on a node's store. An experiment splits one task type's\n"
    "traffic between arms by a seeded hash of the decision id. An arm is a\n"
    "registry model id (`NAME=MODEL` to name it) or `router` (the router's\n"
    "own choice, a control arm). Arms are compared on feedback scores\n"
    "(Welch's t-test) or first-call success (two-proportion z-test); a\n"
    "winner needs every arm at the minimum sample and p below the\n"
    "significance (Bonferroni-adjusted for more than two arms).\n\n"
    "`list` reads the store beside a running node. `start` and `stop` write\n"
    "it, so they need the node stopped (a running node: use its API); the\n"
    "node applies them when it starts.";

std::int64_t now_unix_s() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string percent(double v) {
  return engine::format_fixed(v * 100.0, 1) + "%";
}

void print_reports(std::ostream& os,
                   const std::vector<experiment_report>& reports) {
  if (reports.empty()) {
    os << "no experiments\n";
    return;
  }
  for (const auto& r : reports) {
    const auto& s = r.state;
    const auto& res = r.result;
    os << s.spec.id << ": " << to_string(s.spec.type) << ", "
       << (s.running ? "running" : "stopped") << ", "
       << to_string(s.spec.metric) << ", " << percent(s.spec.traffic_share)
       << " of traffic, at least " << s.spec.min_samples_per_arm
       << " per arm, significance " << s.spec.significance << "\n";
    for (std::size_t i = 0; i < s.spec.arms.size() && i < s.arms.size();
         ++i) {
      const auto& arm = s.spec.arms[i];
      const auto& t = s.arms[i];
      os << "  " << (i == res.leader ? "* " : "  ") << arm.name << " ("
         << (arm.model.empty() ? std::string{"router's choice"} : arm.model)
         << "): n=" << t.n << ", mean " << engine::format_fixed(t.mean(), 3);
      if (i != res.leader && i < res.versus_leader.size() && t.n > 1)
        os << ", p vs leader " << engine::format_fixed(
          res.versus_leader[i].p_value, 4);
      os << "\n";
    }
    os << "  verdict: ";
    switch (res.verdict) {
      case engine::experiment_verdict::collecting:
        os << "not yet: collecting (every arm needs "
           << s.spec.min_samples_per_arm << " observations)";
        break;
      case engine::experiment_verdict::no_difference:
        os << "not yet: no significant difference (p = "
           << engine::format_fixed(res.p_value, 4) << ", needs < "
           << engine::format_fixed(res.threshold, 4) << ")";
        break;
      case engine::experiment_verdict::winner:
        os << "winner " << s.spec.arms[res.leader].name << " (p = "
           << engine::format_fixed(res.p_value, 4) << " < "
           << engine::format_fixed(res.threshold, 4) << ")";
        break;
    }
    os << "\n";
  }
}

void write_reports_json(std::ostream& os,
                        const std::vector<experiment_report>& reports) {
  os << actors::experiment_reports_json(reports) << "\n";
}

/// "a,b=gpt-4o,router" -> arms.
std::optional<std::vector<engine::experiment_arm>>
parse_arms(const std::string& text, std::string& why) {
  std::vector<engine::experiment_arm> arms;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos)
      end = text.size();
    auto item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) {
      why = "--arms has an empty entry";
      return std::nullopt;
    }
    engine::experiment_arm arm;
    if (auto eq = item.find('='); eq != std::string::npos) {
      arm.name = item.substr(0, eq);
      arm.model = item.substr(eq + 1);
    } else {
      arm.name = item;
      arm.model = item;
    }
    if (arm.model == "router")
      arm.model.clear();
    arms.push_back(std::move(arm));
    if (end == text.size())
      break;
  }
  return arms;
}

int list_experiments(const command_line& cl) {
  auto db = open_store(data_dir_from(cl), false, "experiments");
  if (!db)
    return 2;
  auto states = db->load_experiments();
  if (!states) {
    std::cerr << "switchyard experiments: " << error_message(states.error())
              << "\n";
    return 2;
  }
  std::vector<experiment_report> reports;
  for (auto& s : *states) {
    s.arms.resize(s.spec.arms.size());
    auto result = engine::evaluate_experiment(s.spec, s.arms);
    reports.push_back({std::move(s), std::move(result)});
  }
  if (cl.has("json"))
    write_reports_json(std::cout, reports);
  else
    print_reports(std::cout, reports);
  return 0;
}

int start_experiment(const command_line& cl, const std::string& id) {
  auto fail = [](const std::string& why) {
    std::cerr << "switchyard experiments start: " << why << "\n";
    return 2;
  };
  engine::experiment_spec spec;
  spec.id = id;
  auto type = cl.value("task-type");
  if (!type)
    return fail("--task-type is required");
  auto parsed_type = engine::parse_task_type(*type);
  if (!parsed_type)
    return fail("unknown --task-type '" + *type + "'");
  spec.type = *parsed_type;
  auto arms_text = cl.value("arms");
  if (!arms_text)
    return fail("--arms is required, e.g. --arms gpt-4o-mini,claude-sonnet-4");
  std::string why;
  auto arms = parse_arms(*arms_text, why);
  if (!arms)
    return fail(why);
  spec.arms = std::move(*arms);
  if (auto m = cl.value("metric")) {
    auto metric = engine::parse_experiment_metric(*m);
    if (!metric)
      return fail("--metric must be feedback or success, not '" + *m + "'");
    spec.metric = *metric;
  }
  auto share = cl.number("share");
  auto significance = cl.number("significance");
  auto min_samples = cl.integer("min-samples");
  auto seed = cl.integer("seed");
  if (share)
    spec.traffic_share = *share;
  if (significance)
    spec.significance = *significance;
  if (min_samples) {
    if (*min_samples < 2 || *min_samples > 1'000'000'000)
      return fail("--min-samples must be between 2 and 1000000000");
    spec.min_samples_per_arm = static_cast<std::uint32_t>(*min_samples);
  }
  spec.seed = seed ? static_cast<std::uint64_t>(*seed)
                   : static_cast<std::uint64_t>(now_unix_s());
  auto reg = registry_from(cl, "experiments start");
  if (!reg)
    return 2;
  if (auto problem = engine::validate_experiment(spec, *reg); !problem.empty())
    return fail(problem);
  auto db = open_store(data_dir_from(cl), true, "experiments start");
  if (!db)
    return 2;
  auto existing = db->load_experiments();
  if (!existing)
    return fail(error_message(existing.error()));
  for (const auto& e : *existing) {
    if (e.spec.id == spec.id)
      return fail("an experiment named '" + spec.id
                  + "' exists already; pick another id");
    if (e.running && e.spec.type == spec.type)
      return fail("experiment '" + e.spec.id + "' already splits "
                  + std::string{to_string(spec.type)}
                  + " traffic; stop it first");
  }
  experiment_state state;
  state.spec = std::move(spec);
  state.running = true;
  state.started_unix_s = now_unix_s();
  state.arms.resize(state.spec.arms.size());
  if (auto stored = db->put_experiment(state); !stored)
    return fail(error_message(stored.error()));
  std::vector<experiment_report> reports;
  auto result = engine::evaluate_experiment(state.spec, state.arms);
  reports.push_back({std::move(state), std::move(result)});
  if (cl.has("json"))
    write_reports_json(std::cout, reports);
  else
    print_reports(std::cout, reports);
  return 0;
}

int stop_experiment(const command_line& cl, const std::string& id) {
  auto db = open_store(data_dir_from(cl), true, "experiments stop");
  if (!db)
    return 2;
  auto state = db->get_experiment(id);
  if (!state) {
    std::cerr << "switchyard experiments stop: "
              << error_message(state.error()) << "\n";
    return error_code_of(state.error()) == error_code::not_found ? 1 : 2;
  }
  if (state->running) {
    state->running = false;
    state->stopped_unix_s = now_unix_s();
    if (auto stored = db->put_experiment(*state); !stored) {
      std::cerr << "switchyard experiments stop: "
                << error_message(stored.error()) << "\n";
      return 2;
    }
  }
  state->arms.resize(state->spec.arms.size());
  std::vector<experiment_report> reports;
  auto result = engine::evaluate_experiment(state->spec, state->arms);
  reports.push_back({std::move(*state), std::move(result)});
  if (cl.has("json"))
    write_reports_json(std::cout, reports);
  else
    print_reports(std::cout, reports);
  return 0;
}

} // namespace

int run_experiments_command(const std::vector<std::string>& args) {
  command_line cl{
    "experiments",
    usage_text,
    {
      {"data-dir", takes::text,
       "the node's data directory (default: $SWITCHYARD_DATA_DIR, else "
       "./switchyard-data)"},
      {"task-type", takes::text, "start: the task type whose traffic is split"},
      {"arms", takes::text,
       "start: comma-separated MODEL, NAME=MODEL or router"},
      {"metric", takes::text, "start: feedback (default) or success"},
      {"share", takes::number,
       "start: share of the task type's traffic, 0-1 (1)"},
      {"min-samples", takes::integer,
       "start: observations per arm before a verdict (100)"},
      {"significance", takes::number,
       "start: family-wise significance level (0.05)"},
      {"seed", takes::integer,
       "start: seed of the assignment hash (default: the time)"},
      {"config", takes::text, "start: registry to check the arms against"},
      {"json", takes::nothing, "print JSON"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard experiments"))
    return *done;
  const auto& pos = cl.positional();
  if (pos.empty()) {
    std::cerr << "switchyard experiments: expected list, start ID or stop ID "
                 "(see --help)\n";
    return 2;
  }
  if (pos[0] == "list" && pos.size() == 1)
    return list_experiments(cl);
  if (pos[0] == "start" && pos.size() == 2)
    return start_experiment(cl, pos[1]);
  if (pos[0] == "stop" && pos.size() == 2)
    return stop_experiment(cl, pos[1]);
  std::cerr << "switchyard experiments: expected list, start ID or stop ID "
               "(see --help)\n";
  return 2;
}

} // namespace switchyard::cli
