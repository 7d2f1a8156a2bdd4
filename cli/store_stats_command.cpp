#include "store_stats_command.hpp"

#include "command_line.hpp"
#include "store_access.hpp"

#include "switchyard/messages/error_code.hpp"

#include <cstdio>
#include <iostream>

namespace switchyard::cli {

int run_store_stats_command(const std::vector<std::string>& args) {
  command_line cl{
    "store-stats",
    "switchyard store-stats [--data-dir D] [--compact]\n\n"
    "Prints, per column family of a node's store, its records and the bytes\n"
    "its table files take, and the bytes one logged decision costs (its\n"
    "record plus its share of the shared routing inputs). Writes the\n"
    "memtables out first, so it needs the store to itself: stop the node.\n"
    "With --compact every column is compacted first (as RocksDB does in\n"
    "time), so the figures are what the data costs at rest.",
    {
      {"data-dir", takes::text,
       "the node's data directory (default: $SWITCHYARD_DATA_DIR, else "
       "./switchyard-data)"},
      {"compact", takes::nothing, "compact every column first"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard store-stats"))
    return *done;
  if (!cl.positional().empty()) {
    std::cerr << "switchyard store-stats: unexpected argument\n";
    return 2;
  }
  auto db = open_store(data_dir_from(cl), true, "store-stats");
  if (!db)
    return 2;
  auto sizes = db->sizes(cl.has("compact"));
  if (!sizes) {
    std::cerr << "switchyard store-stats: " << error_message(sizes.error())
              << "\n";
    return 2;
  }
  std::uint64_t decisions = 0;
  std::uint64_t decision_bytes = 0;
  std::printf("%-12s %12s %14s %12s\n", "column", "records", "bytes",
              "bytes/record");
  for (const auto& s : *sizes) {
    std::printf("%-12s %12llu %14llu %12.1f\n",
                std::string{to_string(s.family)}.c_str(),
                static_cast<unsigned long long>(s.records),
                static_cast<unsigned long long>(s.bytes),
                s.records == 0 ? 0.0
                               : static_cast<double>(s.bytes)
                                   / static_cast<double>(s.records));
    if (s.family == storage::column::decisions) {
      decisions = s.records;
      decision_bytes += s.bytes;
    }
    if (s.family == storage::column::inputs)
      decision_bytes += s.bytes;
  }
  if (decisions > 0)
    std::printf("\nper logged decision (its record and shared inputs): "
                "%.1f bytes over %llu decisions\n",
                static_cast<double>(decision_bytes)
                  / static_cast<double>(decisions),
                static_cast<unsigned long long>(decisions));
  return 0;
}

} // namespace switchyard::cli
