// TLS between real nodes: certificates made at test time with the openssl
// CLI; two nodes with certificates from one CA link up and share learning, a
// node with a certificate from another CA is refused and never joins.

#include "cluster_fixture.hpp"

#include <cstdlib>
#include <filesystem>

using namespace switchyard::testing;
using namespace std::chrono_literals;

namespace {

/// Runs a shell command; fails the test with the command when it fails.
void run(const std::string& command) {
  INFO(command);
  REQUIRE(std::system((command + " >/dev/null 2>&1").c_str()) == 0);
}

/// A CA and node certificates it signs, in a fresh directory.
struct test_ca {
  std::string dir;
  std::string name;

  test_ca(const std::string& base, const std::string& ca_name)
    : dir(base + "/" + ca_name), name(ca_name) {
    std::filesystem::create_directories(dir);
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -nodes -days 2 -subj /CN="
        + name + " -keyout " + dir + "/ca.key -out " + dir + "/ca.pem");
  }

  [[nodiscard]] std::string ca_file() const {
    return dir + "/ca.pem";
  }

  /// --cluster-cert/--cluster-key/--cluster-ca for a node named `node`.
  [[nodiscard]] std::vector<std::string> node_flags(const std::string& node) const {
    auto base = dir + "/" + node;
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        " -subj /CN="
        + node + " -keyout " + base + ".key -out " + base + ".csr");
    run("openssl x509 -req -days 2 -in " + base + ".csr -CA " + ca_file()
        + " -CAkey " + dir + "/ca.key -CAcreateserial -out " + base + ".pem");
    return {"--cluster-cert", base + ".pem", "--cluster-key", base + ".key",
            "--cluster-ca", ca_file()};
  }
};

std::uint64_t number_field(const std::string& json, const std::string& name) {
  auto key = "\"" + name + "\":";
  auto at = json.find(key);
  if (at == std::string::npos)
    return 0;
  return std::strtoull(json.c_str() + at + key.size(), nullptr, 10);
}

} // namespace

TEST_CASE("TLS between nodes: trusted certificates link, another CA's are refused",
          "[cluster][process][tls]") {
  REQUIRE(std::system("openssl version >/dev/null 2>&1") == 0);
  auto base = std::filesystem::temp_directory_path()
              / ("switchyard-cluster-tls-" + std::to_string(getpid()));
  std::filesystem::remove_all(base);
  test_ca trusted{base.string(), "trusted-ca"};
  test_ca other{base.string(), "other-ca"};

  cluster_fixture fx;
  auto a = fx.start_node("a", {}, trusted.node_flags("a"));
  auto b = fx.start_node("b", {a.cluster_address()}, trusted.node_flags("b"));
  REQUIRE(eventually(settle_limit, [&] { return a.sees_alive(2) && b.sees_alive(2); }));
  CHECK_THAT(a.cluster(), Catch::Contains("\"tls\":true"));

  // The rogue dials both, again and again (with backoff), and is refused.
  auto rogue = fx.start_node("rogue", {a.cluster_address(), b.cluster_address()},
                             other.node_flags("rogue"));
  REQUIRE(eventually(settle_limit, [&] {
    return number_field(rogue.cluster(), "dial_failures") >= 6;
  }));
  for (auto* n : {&a, &b}) {
    auto body = n->cluster();
    INFO(n->id << ": " << body);
    CHECK(body.find("\"id\":\"rogue\"") == std::string::npos);
    CHECK(count_of(body, "\"state\":\"alive\"") == 2);
    CHECK(count_of(body, "\"state\":\"dead\"") == 0);
  }
  CHECK(rogue.sees_alive(1));

  // The trusted link still carries learning: feedback on a moves b.
  auto before = b.route_model();
  REQUIRE(!before.empty());
  auto r = a.call("POST", "/v1/route",
                  R"({"model":"auto","messages":[{"role":"user","content":"Write a fibonacci function in python"}]})");
  REQUIRE(r.status == 200);
  REQUIRE(string_field(r.body, "model") == before);
  auto decision = string_field(r.body, "decision_id");
  for (int i = 0; i < 40; ++i)
    REQUIRE(a.call("POST", "/v1/feedback",
                   R"({"decision_id":")" + decision
                     + R"(","outcome":"failure","rating":1})")
              .status
            == 200);
  CHECK(eventually(settle_limit, [&] { return b.route_model() != before; }));
  // Neither trusted node ever counted the rogue as a member.
  for (auto* n : {&a, &b})
    CHECK(n->cluster().find("\"id\":\"rogue\"") == std::string::npos);
  std::filesystem::remove_all(base);
}

TEST_CASE("serve reads the config's cluster section, and flags override it",
          "[cluster][process][config]") {
  cluster_fixture fx;
  auto a = fx.start_node("a", {});
  // The built-in registry plus a cluster section: seeds from the file, the
  // node id from the file overridden by --node-id.
  std::ifstream registry{std::string{SWITCHYARD_SOURCE_DIR} + "/config/models.yaml"};
  REQUIRE(registry);
  auto path = std::filesystem::temp_directory_path()
              / ("switchyard-cluster-config-" + fx.tag + ".yaml");
  {
    std::ofstream out{path};
    out << registry.rdbuf() << "\ncluster:\n  node_id: from-the-file\n"
        << "  seeds: [" << a.cluster_address() << "]\n";
  }
  auto b = fx.start_node("b", {}, {"--config", path.string()});
  REQUIRE(eventually(settle_limit, [&] { return a.sees_alive(2) && b.sees_alive(2); }));
  CHECK_THAT(a.cluster(), Catch::Contains("\"id\":\"b\""));
  CHECK(a.cluster().find("from-the-file") == std::string::npos);
  std::filesystem::remove(path);
}
