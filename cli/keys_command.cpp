#include "keys_command.hpp"

#include "command_line.hpp"
#include "store_access.hpp"

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/error_code.hpp"

#include <chrono>
#include <iostream>

namespace switchyard::cli {

namespace {

constexpr std::string_view usage_text
  = "switchyard keys create --name NAME [--budget-usd X] [--rpm N] [--admin]\n"
    "                       [--data-dir D] [--json]\n"
    "       switchyard keys list [--data-dir D] [--json]\n"
    "       switchyard keys revoke ID [--data-dir D]\n\n"
    "Client API keys in a node's store. `create` prints the secret once:\n"
    "the store keeps only its SHA-256. A key's budget (USD, over its\n"
    "lifetime) and requests-per-minute limit are enforced by `serve`; an\n"
    "admin key may also manage keys and experiments through the API.\n\n"
    "`list` reads the store beside a running node. `create` and `revoke`\n"
    "write it, so they need the node stopped (a running node: POST\n"
    "/v1/keys and DELETE /v1/keys/ID with the admin key); the node loads\n"
    "the keys when it starts.";

std::int64_t now_unix_s() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

void print_key(std::ostream& os, const storage::api_key_record& k) {
  os << k.id << "  " << k.name << (k.admin ? "  admin" : "")
     << (k.revoked ? "  REVOKED" : "") << "  budget "
     << (k.budget_usd ? "$" + engine::format_fixed(*k.budget_usd, 2)
                      : std::string{"none"})
     << "  rpm "
     << (k.requests_per_minute ? std::to_string(*k.requests_per_minute)
                               : std::string{"unlimited"})
     << "  created " << utc_time(k.created_unix_s * 1000) << "\n";
}

void write_key_json(engine::json_writer& w, const storage::api_key_record& k) {
  w.field("id", std::string_view{k.id});
  w.field("name", std::string_view{k.name});
  w.field("admin", k.admin);
  w.field("revoked", k.revoked);
  w.field("created", k.created_unix_s);
  w.key("budget_usd");
  if (k.budget_usd)
    w.value(*k.budget_usd);
  else
    w.null();
  w.key("requests_per_minute");
  if (k.requests_per_minute)
    w.value(static_cast<std::uint64_t>(*k.requests_per_minute));
  else
    w.null();
}

int fail(std::string_view sub, const std::string& why) {
  std::cerr << "switchyard keys " << sub << ": " << why << "\n";
  return 2;
}

int create_key(const command_line& cl) {
  auto name = cl.value("name");
  if (!name || name->empty() || name->size() > 200)
    return fail("create", "--name is required (1-200 characters)");
  auto budget = cl.number("budget-usd");
  auto rpm = cl.integer("rpm");
  if (budget && !(*budget >= 0 && *budget <= 1e9))
    return fail("create", "--budget-usd must be from 0 to 1e9");
  if (rpm && (*rpm < 1 || *rpm > 10'000'000))
    return fail("create", "--rpm must be from 1 to 10000000");
  auto db = open_store(data_dir_from(cl), true, "keys create");
  if (!db)
    return 2;
  auto made = storage::make_api_key(*name, cl.has("admin"), now_unix_s());
  if (!made)
    return fail("create", error_message(made.error()));
  made->record.budget_usd = budget;
  if (rpm)
    made->record.requests_per_minute = static_cast<std::uint32_t>(*rpm);
  if (auto stored = db->put_api_key(made->record); !stored)
    return fail("create", error_message(stored.error()));
  if (cl.has("json")) {
    std::string out;
    engine::json_writer w{out};
    w.begin_object();
    write_key_json(w, made->record);
    w.field("key", std::string_view{made->secret});
    w.end_object();
    std::cout << out << "\n";
  } else {
    print_key(std::cout, made->record);
    std::cout << "key: " << made->secret
              << "\n(shown once: only its hash is stored)\n";
  }
  return 0;
}

int list_keys(const command_line& cl) {
  auto db = open_store(data_dir_from(cl), false, "keys list");
  if (!db)
    return 2;
  auto keys = db->list_api_keys();
  if (!keys)
    return fail("list", error_message(keys.error()));
  if (cl.has("json")) {
    std::string out;
    engine::json_writer w{out};
    w.begin_array();
    for (const auto& k : *keys) {
      w.begin_object();
      write_key_json(w, k);
      w.end_object();
    }
    w.end_array();
    std::cout << out << "\n";
    return 0;
  }
  if (keys->empty())
    std::cout << "no keys\n";
  for (const auto& k : *keys)
    print_key(std::cout, k);
  return 0;
}

int revoke_key(const command_line& cl, const std::string& id) {
  auto db = open_store(data_dir_from(cl), true, "keys revoke");
  if (!db)
    return 2;
  auto revoked = db->revoke_api_key(id, now_unix_s());
  if (!revoked) {
    std::cerr << "switchyard keys revoke: " << error_message(revoked.error())
              << "\n";
    return error_code_of(revoked.error()) == error_code::not_found ? 1 : 2;
  }
  std::cout << "revoked " << id << "\n";
  return 0;
}

} // namespace

int run_keys_command(const std::vector<std::string>& args) {
  command_line cl{
    "keys", usage_text,
    {
      {"name", takes::text, "create: a name for the key"},
      {"budget-usd", takes::number,
       "create: the key's budget in USD (lifetime)"},
      {"rpm", takes::integer,
       "create: requests per minute (default unlimited)"},
      {"admin", takes::nothing, "create: may manage keys and experiments"},
      {"data-dir", takes::text, "the node's data directory"},
      {"json", takes::nothing, "print JSON"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard keys"))
    return *done;
  const auto& pos = cl.positional();
  if (pos.size() == 1 && pos[0] == "create")
    return create_key(cl);
  if (pos.size() == 1 && pos[0] == "list")
    return list_keys(cl);
  if (pos.size() == 2 && pos[0] == "revoke")
    return revoke_key(cl, pos[1]);
  std::cerr << "switchyard keys: expected create, list or revoke ID (see "
               "--help)\n";
  return 2;
}

} // namespace switchyard::cli
