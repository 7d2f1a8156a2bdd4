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
    "both values. Uses the registry logged with the decision unless --config\n"
    "names another; says so when the config hash differs. Exits 0 when\n"
    "identical, 1 when it differs, 2 on an error.",
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
  auto diverged = report.first_divergence();
  std::size_t round_no = 0;
  for (std::size_t i = 0; i < report.rounds.size(); ++i)
    if (&report.rounds[i] == diverged)
      round_no = i + 1;
  bool unrecorded = false;
  for (const auto& r : report.rounds)
    unrecorded = unrecorded || !r.inputs_recorded;
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
    w.key("difference");
    if (diverged) {
      w.begin_object();
      w.field("round", static_cast<std::uint64_t>(round_no));
      w.field("path", std::string_view{diverged->difference->path});
      w.field("logged", std::string_view{diverged->difference->logged});
      w.field("recomputed", std::string_view{diverged->difference->recomputed});
      w.end_object();
    } else {
      w.null();
    }
    w.end_object();
    std::cout << out << "\n";
  } else {
    std::cout << "decision " << id_text << ": ";
    if (report.identical()) {
      std::cout << "identical (" << report.rounds.size() << " round"
                << (report.rounds.size() == 1 ? "" : "s")
                << " recomputed from the logged inputs with " << source
                << ")\n";
    } else {
      const auto& d = *diverged->difference;
      std::cout << "differs in round " << round_no << " of "
                << report.rounds.size() << " at " << d.path << ": logged "
                << d.logged << ", recomputed " << d.recomputed << " (with "
                << source << ")\n";
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
