#include "store_access.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/analytics.hpp"
#include "switchyard/messages/error_code.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace switchyard::cli {

std::string data_dir_from(const command_line& cl) {
  if (auto d = cl.value("data-dir"))
    return *d;
  if (const char* env = std::getenv("SWITCHYARD_DATA_DIR");
      env != nullptr && *env != '\0')
    return env;
  return "switchyard-data";
}

std::unique_ptr<storage::store> open_store(const std::string& dir,
                                           bool writable,
                                           std::string_view command) {
  storage::store_options opts;
  opts.path = dir;
  opts.read_only = !writable;
  auto db = storage::store::open(std::move(opts));
  if (!db) {
    std::cerr << "switchyard " << command << ": "
              << error_message(db.error()) << "\n";
    return nullptr;
  }
  return std::move(*db);
}

std::optional<engine::registry> registry_from(const command_line& cl,
                                              std::string_view command) {
  auto loaded = config::load_registry(cl.value("config").value_or(""));
  if (!loaded) {
    std::cerr << "switchyard " << command << ": "
              << error_message(loaded.error()) << "\n";
    return std::nullopt;
  }
  return std::move(*loaded);
}

std::string utc_time(std::int64_t unix_ms) {
  auto s = unix_ms / 1000;
  auto in_day = ((s % 86400) + 86400) % 86400;
  char buf[48];
  std::snprintf(buf, sizeof(buf), " %02lld:%02lld:%02lld UTC",
                static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60),
                static_cast<long long>(in_day % 60));
  return engine::utc_date(s) + buf;
}

} // namespace switchyard::cli
