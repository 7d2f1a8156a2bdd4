#include "explain_command.hpp"

#include "command_line.hpp"
#include "store_access.hpp"

#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/messages/error_code.hpp"

#include <cstdio>
#include <iostream>

namespace switchyard::cli {

namespace {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

} // namespace

int run_replay_command(const std::vector<std::string>& args) {
  command_line cl{
    "replay",
    "switchyard replay ID [--data-dir D] [--config F] [--json]\n\n"
    "Recomputes a logged decision with the router, from the task, each\n"
    "round's context and the state it read (learned cells, breakers,\n"
    "budget), and prints `identical` or the first field that differs with\n"
    "both values; a plan's steps too, each routed as the task it ran as,\n"
    "from its logged requirement (tokens, budget cap), and says per step\n"
    "whether it came out the same. Uses the registry logged with the\n"
    "decision unless --config names another; says so when the config hash\n"
    "differs. Exits 0 when identical, 1 when it differs, 2 on an error.",
    {
      {"data-dir", takes::text,
       "the node's data directory (default: $SWITCHYARD_DATA_DIR, else "
       "./switchyard-data)"},
      {"config", takes::text,
       "replay against this registry instead of the logged one"},
      {"json", takes::nothing, "print JSON"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard replay"))
    return *done;
  if (cl.positional().size() != 1) {
    std::cerr << "switchyard replay: expected one decision id (see --help)\n";
    return 2;
  }
  auto id = parse_decision_id(cl.positional().front());
  if (!id) {
    std::cerr << "switchyard replay: '" << cl.positional().front()
              << "' is not a decision id (dec_<hex> or a decimal number)\n";
    return 2;
  }
  auto db = open_store(data_dir_from(cl), false, "replay");
  if (!db)
    return 2;
  auto rec = db->get_decision(*id);
  if (!rec) {
    std::cerr << "switchyard replay: " << error_message(rec.error()) << "\n";
    return 2;
  }
  if (rec->rounds.empty()) {
    std::cerr << "switchyard replay: decision " << format_decision_id(*id)
              << " has no routing round to replay\n";
    return 2;
  }
  auto logged_hash = rec->rounds.front().decision.config_hash;
  std::optional<engine::registry> reg;
  std::string source;
  if (cl.has("config")) {
    reg = registry_from(cl, "replay");
    if (!reg)
      return 2;
    source = *cl.value("config");
  } else if (auto r = db->get_registry(logged_hash)) {
    reg = std::move(*r);
    source = "the logged registry";
  } else {
    reg = registry_from(cl, "replay");
    if (!reg)
      return 2;
    source = "the built-in registry (the logged one is not in the store)";
  }
  engine::keyword_classifier cls;
  auto report = actors::replay_decision(*rec, *reg, cls);
  auto diverged = report.divergence();
  const auto* difference
    = diverged ? &*diverged->replayed->difference : nullptr;
  // Where it differs, in words: "round 2 of 3" or "step 4 (synthesis),
  // round 1 of 1".
  std::string where;
  if (diverged) {
    const auto& rounds = diverged->step ? report.steps[*diverged->step].rounds
                                        : report.rounds;
    if (diverged->step)
      where = "step " + std::to_string(*diverged->step + 1) + " ("
              + report.steps[*diverged->step].role + "), ";
    where += "round " + std::to_string(diverged->round + 1) + " of "
             + std::to_string(rounds.size());
  }
  bool unrecorded = !report.inputs_recorded();
  auto id_text = format_decision_id(*id);
  if (cl.has("json")) {
    std::string out;
    engine::json_writer w{out};
    w.begin_object();
    w.field("decision_id", std::string_view{id_text});
    w.field("identical", report.identical());
    w.field("rounds", static_cast<std::uint64_t>(report.rounds.size()));
    w.field("logged_config_hash", std::string_view{hex(logged_hash)});
    w.field("replay_config_hash",
            std::string_view{hex(report.replay_config_hash)});
    w.field("config_differs", report.config_differs());
    w.field("inputs_recorded", !unrecorded);
    w.field("plan", engine::to_string(rec->plan));
    w.key("steps").begin_array();
    for (const auto& s : report.steps) {
      w.begin_object();
      w.field("role", std::string_view{s.role});
      w.field("revision", s.revision);
      w.field("rounds", static_cast<std::uint64_t>(s.rounds.size()));
      w.field("identical", s.identical());
      w.field("classification_logged", s.classification_logged);
      w.end_object();
    }
    w.end_array();
    w.key("difference");
    if (diverged) {
      w.begin_object();
      w.key("step");
      if (diverged->step)
        w.value(static_cast<std::uint64_t>(*diverged->step + 1));
      else
        w.null();
      w.field("round", static_cast<std::uint64_t>(diverged->round + 1));
      w.field("path", std::string_view{difference->path});
      w.field("logged", std::string_view{difference->logged});
      w.field("recomputed", std::string_view{difference->recomputed});
      w.end_object();
    } else {
      w.null();
    }
    w.end_object();
    std::cout << out << "\n";
  } else {
    std::size_t step_rounds = 0;
    for (const auto& s : report.steps)
      step_rounds += s.rounds.size();
    std::cout << "decision " << id_text << ": ";
    if (report.identical()) {
      std::cout << "identical (" << report.rounds.size() << " round"
                << (report.rounds.size() == 1 ? "" : "s");
      if (!report.steps.empty())
        std::cout << " and " << step_rounds << " in " << report.steps.size()
                  << " plan step" << (report.steps.size() == 1 ? "" : "s");
      std::cout << " recomputed from the logged inputs with " << source
                << ")\n";
    } else if (difference != nullptr) {
      std::cout << "differs in " << where << " at " << difference->path
                << ": logged " << difference->logged << ", recomputed "
                << difference->recomputed << " (with " << source << ")\n";
    } else {
      std::cout << "nothing recomputed: " << report.not_recomputed << "\n";
    }
    // Each step of a plan, routed as a task of its own.
    for (std::size_t i = 0; i < report.steps.size(); ++i) {
      const auto& s = report.steps[i];
      std::cout << "  step " << i + 1 << " " << s.role;
      if (s.revision > 0)
        std::cout << " (revision " << s.revision << ")";
      std::cout << ": "
                << (s.rounds.empty() ? "not routed"
                    : s.identical()  ? "same"
                                     : "differs")
                << ", " << s.rounds.size() << " round"
                << (s.rounds.size() == 1 ? "" : "s");
      if (s.classification_logged)
        std::cout << " (its input is not logged: classified as logged)";
      std::cout << "\n";
    }
    if (report.config_differs())
      std::cout << "note: the config hash differs: logged " << hex(logged_hash)
                << ", replayed with " << hex(report.replay_config_hash)
                << "\n";
    if (unrecorded)
      std::cout << "note: some rounds were logged without their inputs; "
                   "they were replayed without learned state or breakers\n";
  }
  return report.identical() ? 0 : 1;
}

} // namespace switchyard::cli
