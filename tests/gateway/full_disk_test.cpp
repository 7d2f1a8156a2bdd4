// The real gateway on a full disk: its data directory on a small tmpfs of
// its own, filled by a file until write(2) fails with ENOSPC. Chat requests
// keep being answered; feedback is answered 503 once the store cannot take
// it, never a 200 for feedback that was not stored; /readyz says the store
// is degraded and why; /metrics counts the decision records the store
// refused. Once the file is deleted the gateway recovers by itself: feedback
// is answered 200 again and /readyz says ready. Every feedback answered 200
// is there in the end, also after a restart.
#include "gateway_fixture.hpp"
#include "tmpfs_mount.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace switchyard::testing;

namespace {

/// Small enough to fill in a moment. Not smaller: RocksDB resumes after a
/// full disk only once the free space is at least its largest write buffer
/// (8 MiB in storage/src/store.cpp), and its own files take ~4 MiB (a
/// preallocated MANIFEST), so on an 8 MiB disk it could never resume.
constexpr unsigned disk_mib = 32;

/// How long the gateway may take to notice the full disk, and to recover
/// once space returns. RocksDB recovers from a full disk on a thread of its
/// SstFileManager, which retries every 5 s: three periods leave room for a
/// loaded machine.
constexpr auto store_limit = std::chrono::seconds{15};

constexpr const char* chat_body = R"({"model":"gpt-4o-mini",)"
                                  R"("messages":[{"role":"user",)"
                                  R"("content":"say hello"}]})";

/// A chat request whose decision record is large: the store keeps the
/// newest user turn (`storage.prompts: full`). RocksDB preallocates its WAL
/// (~1.1 times its 8 MiB write buffer), so after the disk is full it goes on
/// writing into that for megabytes; big records get it there in a few
/// hundred requests rather than thousands.
std::string big_chat_body() {
  return R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":")"
         + std::string(32 * 1024, 'a') + R"("}]})";
}

/// What filling the disk did.
struct fill_result {
  std::uint64_t bytes = 0;
  /// Empty unless a write failed otherwise than with ENOSPC.
  std::string error;
};

/// Writes `path` until the disk refuses a single byte.
fill_result fill_until_enospc(const std::string& path) {
  fill_result out;
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) {
    out.error = "open " + path + ": " + std::strerror(errno);
    return out;
  }
  std::string chunk(1 << 20, 'x');
  // Down to single bytes: tmpfs hands out pages, so a partly used page may
  // still take a few bytes after a large write was refused.
  for (std::size_t size = chunk.size(); size > 0 && out.error.empty();) {
    auto n = ::write(fd, chunk.data(), size);
    if (n > 0) {
      out.bytes += static_cast<std::uint64_t>(n);
    } else if (n < 0 && errno == ENOSPC) {
      size /= 16;
    } else if (n < 0 && errno != EINTR) {
      out.error = "write " + path + ": " + std::strerror(errno);
    }
  }
  ::close(fd);
  return out;
}

/// Starts `switchyard serve` on `data_dir` in place of the fixture's gateway
/// (stopped by the caller), its stderr appended to the file `stderr_path`:
/// the gateway logs every request there, and a pipe nobody reads would fill
/// and block it, hiding how it ends (an abort message blocked on a full
/// pipe looks like a hang).
void start_gateway(gateway_fixture& gw, const std::string& data_dir,
                   const std::string& stderr_path) {
  gw.gateway.reset();
  gw.gateway = std::make_unique<child_process>(std::vector<std::string>{
    "/bin/sh", "-c", R"(exec "$0" "$@" 2>>")" + stderr_path + R"(")",
    SWITCHYARD_BINARY, "serve", "--listen", "127.0.0.1:0", "--threads", "2",
    "--data-dir", data_dir});
  auto line = gw.gateway->read_line();
  INFO("the gateway's stderr is in " << stderr_path);
  REQUIRE(line);
  REQUIRE(line->rfind("listening on ", 0) == 0);
  gw.port = gateway_fixture::port_of(*line);
}

/// The last `n` bytes of a file.
std::string tail_of(const std::string& path, std::size_t n) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream all;
  all << in.rdbuf();
  auto text = all.str();
  return text.substr(text.size() > n ? text.size() - n : 0);
}

/// A feedback answered 200: on which decision, with which quality.
struct acknowledged_feedback {
  std::string decision;
  double quality = 0;
};

std::string feedback_body(const std::string& decision, double quality) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), quality);
  return R"({"decision_id":")" + decision + R"(","quality":)"
         + std::string{buf, r.ptr} + "}";
}

/// The value of one sample line of a Prometheus text body, e.g.
/// `switchyard_store_failing`; -1 when absent.
double metric(const std::string& body, const std::string& sample) {
  auto at = body.find("\n" + sample + " ");
  if (at == std::string::npos)
    return -1;
  return std::strtod(body.c_str() + at + sample.size() + 2, nullptr);
}

/// /readyz's status and store_error.
struct readiness {
  int http_status = 0;
  std::string status;
  std::string store_error;
  std::string body;
};

/// What the store did with the decision log, from /metrics.
struct decision_log_counts {
  double written = 0;
  double refused = 0; ///< failed or dropped
  double store_failing = 0;
};

/// The gateway and what the test has seen it acknowledge.
class full_disk_probe {
public:
  full_disk_probe(gateway_fixture& gw, std::string stderr_path)
    : gw_(&gw), stderr_path_(std::move(stderr_path)) {
  }

  /// A chat request, which must be answered 200 whatever the disk; returns
  /// its decision id.
  std::string chat(const std::string& body = chat_body) {
    auto r = answered("POST", "/v1/chat/completions", body);
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto id = r.headers["x-switchyard-decision-id"];
    REQUIRE_FALSE(id.empty());
    return id;
  }

  /// Posts feedback on `decision` and returns the status; a 200 is
  /// remembered, to be found stored in the end. Feedback on one decision
  /// has a quality of its own, so that reading back tells them apart.
  int feedback(const std::string& decision) {
    auto quality = static_cast<double>(++posted_ % 999 + 1) / 1000.0;
    auto r = answered("POST", "/v1/feedback", feedback_body(decision, quality));
    last_feedback_ = r;
    if (r.status == 200)
      acknowledged_.push_back({decision, quality});
    return r.status;
  }

  [[nodiscard]] const http_reply& last_feedback() const noexcept {
    return last_feedback_;
  }

  readiness ready() {
    readiness out;
    auto r = answered("GET", "/readyz");
    out.http_status = r.status;
    out.body = r.body;
    simdjson::dom::parser p;
    auto doc = parse(p, r.body);
    std::string_view s;
    if (doc["status"].get(s) == simdjson::SUCCESS)
      out.status = std::string{s};
    if (doc["store_error"].get(s) == simdjson::SUCCESS)
      out.store_error = std::string{s};
    return out;
  }

  decision_log_counts counts() {
    auto r = answered("GET", "/metrics");
    REQUIRE(r.status == 200);
    auto sample = [&](const std::string& name) {
      auto v = metric(r.body, name);
      INFO("no " << name << " in /metrics");
      REQUIRE(v >= 0);
      return v;
    };
    decision_log_counts out;
    out.written
      = sample(R"(switchyard_decision_log_records_total{result="written"})");
    out.refused
      = sample(R"(switchyard_decision_log_records_total{result="failed"})")
        + sample(R"(switchyard_decision_log_records_total{result="dropped"})");
    out.store_failing = sample("switchyard_store_failing");
    return out;
  }

  /// Every acknowledged feedback `GET /v1/decisions/{id}` does not show,
  /// one per line.
  std::string missing_feedback() {
    std::string missing;
    for (const auto& a : acknowledged_) {
      auto r = answered("GET", "/v1/decisions/" + a.decision);
      bool present = false;
      if (r.status == 200) {
        simdjson::dom::parser p;
        simdjson::dom::array feedback;
        if (parse(p, r.body)["feedback"].get(feedback) == simdjson::SUCCESS)
          for (auto f : feedback) {
            double score = -1;
            if (f["score"].get(score) == simdjson::SUCCESS)
              present = present || std::abs(score - a.quality) < 0.00025;
          }
      }
      if (!present)
        missing += a.decision + " quality " + std::to_string(a.quality)
                   + " (GET answered " + std::to_string(r.status) + ")\n";
    }
    return missing;
  }

  [[nodiscard]] std::size_t acknowledged() const noexcept {
    return acknowledged_.size();
  }

  /// A request with the admin key that the gateway must answer, whatever
  /// the status: no answer fails the test, saying how the gateway ended.
  http_reply answered(const std::string& method, const std::string& path,
                      const std::string& body = {}) {
    auto r = gw_->call(method, path, body);
    if (r.status == 0)
      FAIL("no answer to " << method << " " << path << gateway_end());
    return r;
  }

private:
  /// How the gateway ended when it stopped answering: its exit and the
  /// end of its stderr.
  std::string gateway_end() {
    int status = 0;
    auto pid = gw_->gateway->pid();
    if (::waitpid(pid, &status, WNOHANG) != pid) {
      // Still there, or still dying: SIGKILL tells the two apart.
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    gw_->gateway->wait_exit(); // reaped already: marks it gone
    std::string how;
    if (!WIFSIGNALED(status))
      how = "exited with " + std::to_string(WEXITSTATUS(status));
    else if (WTERMSIG(status) == SIGKILL)
      how = "was still running (killed now)";
    else
      how = "died of signal " + std::to_string(WTERMSIG(status)) + " ("
            + ::strsignal(WTERMSIG(status)) + ")";
    return "; the gateway " + how + "; its stderr ends:\n"
           + tail_of(stderr_path_, 3000);
  }

  gateway_fixture* gw_;
  std::string stderr_path_;
  int posted_ = 0;
  http_reply last_feedback_;
  std::vector<acknowledged_feedback> acknowledged_;
};

} // namespace

TEST_CASE("on a full disk the gateway answers requests, refuses feedback "
          "with 503, says why in /readyz, and recovers by itself",
          "[gateway][full_disk]") {
  // Declared first, so that it is unmounted after the processes are gone.
  tmpfs_mount disk{"full-disk", disk_mib};
  if (!disk.mounted()) {
    WARN("NOT TESTED: the full-disk test needs a tmpfs of its own and this "
         "machine refused to mount one ("
         << disk.error()
         << "). Run it as root or with CAP_SYS_ADMIN; "
            "tests/storage/full_disk_test.cpp covers the store alone.");
    SUCCEED("mounting a tmpfs is not permitted here");
    return;
  }
  auto data_dir = disk.path() + "/data";
  scratch_dir logs{"full-disk-logs"};
  std::filesystem::create_directories(logs.path);
  auto stderr_path = logs.path + "/gateway.stderr";
  // The fixture's sim-upstream, and a gateway of this test's own.
  gateway_fixture gw;
  REQUIRE(gw.gateway->stop(SIGTERM) == 0);
  start_gateway(gw, data_dir, stderr_path);
  full_disk_probe probe{gw, stderr_path};

  // -- while there is space ---------------------------------------------------
  std::vector<std::string> before;
  for (int i = 0; i < 4; ++i) {
    before.push_back(probe.chat());
    REQUIRE(probe.feedback(before.back()) == 200);
  }
  {
    auto healthy = probe.ready();
    INFO(healthy.body);
    REQUIRE(healthy.http_status == 200);
    REQUIRE(healthy.status == "ready");
  }
  auto counts_before = probe.counts();
  CHECK(counts_before.store_failing == 0);

  // -- the disk fills ---------------------------------------------------------
  auto filler = disk.path() + "/filler";
  auto filled = fill_until_enospc(filler);
  {
    INFO(filled.error);
    REQUIRE(filled.error.empty());
  }
  INFO("filler: " << filled.bytes << " bytes");

  // RocksDB meets the full disk once its WAL outgrows what it preallocated,
  // or a memtable flush needs a new file: some requests on. Until then
  // feedback answered 200 is really stored (checked at the end).
  int rounds_to_refusal = 0;
  auto big = big_chat_body();
  {
    auto deadline = std::chrono::steady_clock::now() + store_limit;
    for (;;) {
      ++rounds_to_refusal;
      auto status = probe.feedback(probe.chat(big));
      if (status != 200)
        break;
      REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
  }
  INFO(rounds_to_refusal << " rounds until the store refused feedback");
  {
    const auto& refused = probe.last_feedback();
    INFO(refused.body);
    REQUIRE(refused.status == 503);
    CHECK(error_code_of(refused.body) == "feedback_not_stored");
  }

  // While the disk stays full: chat requests answered, feedback refused
  // (on fresh decisions and on ones logged before the disk filled), never
  // a 200 for feedback the store could not take.
  for (int i = 0; i < 4; ++i) {
    auto id = probe.chat();
    CHECK(probe.feedback(id) == 503);
    CHECK(probe.feedback(before[static_cast<std::size_t>(i)]) == 503);
  }
  auto degraded = probe.ready();
  {
    INFO(degraded.body);
    CHECK(degraded.http_status == 200);
    CHECK(degraded.status == "degraded");
    // Says why: the disk is full.
    CHECK(degraded.store_error.find("space") != std::string::npos);
  }
  auto counts_full = probe.counts();
  CHECK(counts_full.refused > counts_before.refused);
  CHECK(counts_full.store_failing == 1);
  // Keys answer 503 like feedback: the key was not stored, nothing changed.
  {
    auto r = probe.answered("POST", "/v1/keys", R"({"name":"on a full disk"})");
    INFO(r.body);
    CHECK(r.status == 503);
  }

  // -- space returns ----------------------------------------------------------
  REQUIRE(::unlink(filler.c_str()) == 0);
  int rounds_to_recovery = 0;
  auto freed_at = std::chrono::steady_clock::now();
  {
    auto deadline = freed_at + store_limit;
    for (;;) {
      ++rounds_to_recovery;
      // Feedback on a decision logged before the disk filled: a decision
      // made in a round while the store still refuses is dropped from the
      // log (counted), and the check at the end reads feedback through its
      // decision.
      auto status = probe.feedback(before.front());
      if (status == 200)
        break;
      INFO(probe.last_feedback().body);
      REQUIRE(status == 503);
      // RocksDB resumes on its own timer in the gateway's process; the
      // only thing to wait on here is the next answer, so the next round
      // goes out as soon as this one is answered.
      REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
  }
  auto recovery_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - freed_at)
                       .count();
  auto recovered = probe.ready();
  {
    INFO("recovered " << recovery_ms << " ms after space returned, in "
                      << rounds_to_recovery << " rounds; the store refused "
                      << rounds_to_refusal << " rounds after the disk filled");
    INFO(recovered.body);
    CHECK(recovered.http_status == 200);
    CHECK(recovered.status == "ready");
    CHECK(recovered.store_error.empty());
  }
  // Everything works again: feedback on decisions from before the disk
  // filled and on a new one (logged: the feedback finds it), a new key, the
  // decision log.
  for (const auto& id : before)
    CHECK(probe.feedback(id) == 200);
  CHECK(probe.feedback(probe.chat()) == 200);
  {
    auto r = probe.answered("POST", "/v1/keys",
                            R"({"name":"after the full disk"})");
    INFO(r.body);
    CHECK(r.status == 201);
  }
  auto counts_after = probe.counts();
  CHECK(counts_after.written > counts_full.written);
  CHECK(counts_after.store_failing == 0);

  // -- every feedback answered 200 is stored ----------------------------------
  CHECK(probe.acknowledged() >= before.size() * 2 + 1);
  {
    auto missing = probe.missing_feedback();
    INFO("acknowledged and missing:\n" << missing);
    CHECK(missing.empty());
  }
  // Also after a restart on the same data directory.
  REQUIRE(gw.gateway->stop(SIGTERM) == 0);
  start_gateway(gw, data_dir, stderr_path);
  {
    auto missing = probe.missing_feedback();
    INFO("acknowledged and missing after a restart:\n" << missing);
    CHECK(missing.empty());
  }
}
