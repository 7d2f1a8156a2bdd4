// Acknowledged feedback survives SIGKILL of the real gateway: 16 clients
// post feedback at once, the gateway is killed the moment a chosen number
// of 200s has arrived (the others still sending), and the gateway restarted
// on the same data directory shows every acknowledged feedback. A killed
// process keeps its page cache, so this proves "acknowledged after the
// write"; tests/storage/synced_feedback_test.cpp proves the write was synced.
#include "gateway_fixture.hpp"

#include <simdjson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace switchyard::testing;

namespace {

constexpr int rounds = 20;
constexpr int posters = 16;
/// Decisions the feedback is spread over.
constexpr std::size_t decision_count = 16;
/// Feedback quality is `tag / tag_scale`: each acknowledged feedback on a
/// decision has its own tag, so reading back tells them apart.
constexpr double tag_scale = 1000.0;

/// How one POST ended.
struct post_outcome {
  /// The response's status; 0 when no status line came back.
  int status = 0;
  /// Connected and sent, then no status: the kill cut the request off.
  bool cut_off = false;
};

/// One POST on a fresh loopback connection. Safe to call from any thread:
/// no Catch assertion in here.
post_outcome post(std::uint16_t port, const std::string& raw) {
  post_outcome out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return out;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::size_t sent = 0;
    while (sent < raw.size()) {
      auto n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        break;
      sent += static_cast<std::size_t>(n);
    }
    // A status line in a complete head is the acknowledgement, even if the
    // body never arrives: the gateway has answered.
    std::string in;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (sent == raw.size() && in.find("\r\n\r\n") == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
      pollfd p{fd, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
        break;
      char buf[4096];
      auto n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0)
        break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    if (in.size() >= 12 && in.find("\r\n\r\n") != std::string::npos
        && in.rfind("HTTP/1.1 ", 0) == 0)
      std::from_chars(in.data() + 9, in.data() + 12, out.status);
    out.cut_off = sent == raw.size() && out.status == 0;
  }
  ::close(fd);
  return out;
}

/// The quality text for `tag`, written as the gateway will print it back.
std::string quality_of(int tag) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), tag / tag_scale);
  return std::string{buf, r.ptr};
}

/// An acknowledged feedback: which decision, and its tag.
struct acknowledged_feedback {
  std::size_t decision = 0;
  int tag = 0;
};

/// What one round of posters saw.
struct round_result {
  std::vector<acknowledged_feedback> acknowledged;
  /// Requests the kill cut off: sent, and no status came back.
  int cut_off = 0;
  /// Statuses other than 200 (none expected); a poster stops at one.
  std::vector<int> refused;
};

/// Starts `switchyard serve` on the data directory (sim-upstream's address
/// and the admin key are in the environment, set by the fixture) and waits
/// for its "listening on" line.
void start_gateway(gateway_fixture& gw, const std::string& data_dir) {
  gw.gateway.reset();
  gw.gateway = std::make_unique<child_process>(std::vector<std::string>{
    SWITCHYARD_BINARY, "serve", "--listen", "127.0.0.1:0", "--threads", "2",
    "--data-dir", data_dir});
  auto line = gw.gateway->read_line();
  INFO(gw.gateway->err());
  REQUIRE(line);
  REQUIRE(line->rfind("listening on ", 0) == 0);
  gw.port = gateway_fixture::port_of(*line);
}

/// Runs the posters against the gateway until it is gone; the poster that
/// receives the `kill_after`-th 200 kills the gateway itself, at once.
/// `next_feedback` numbers feedback across rounds: feedback `n` goes to
/// decision `n % decision_count` with tag `n / decision_count + 1`.
round_result post_until_killed(const gateway_fixture& gw,
                               const std::vector<std::string>& decisions,
                               std::atomic<int>& next_feedback,
                               int kill_after) {
  std::atomic<int> acknowledged{0};
  std::vector<round_result> per_poster(posters);
  std::vector<std::thread> threads;
  auto pid = gw.gateway->pid();
  auto port = gw.port;
  auto auth = std::string{"Authorization: Bearer "} + gateway_fixture::admin_key
              + "\r\n";
  for (int i = 0; i < posters; ++i)
    threads.emplace_back([&, i] {
      auto& mine = per_poster[static_cast<std::size_t>(i)];
      for (;;) {
        auto n = next_feedback.fetch_add(1);
        auto decision = static_cast<std::size_t>(n) % decision_count;
        auto tag = n / static_cast<int>(decision_count) + 1;
        auto body = R"({"decision_id":")" + decisions[decision]
                    + R"(","quality":)" + quality_of(tag) + "}";
        auto sent = post(port, request("POST", "/v1/feedback", body, auth));
        if (sent.status == 0) {
          // Cut off by the kill, or refused once the gateway was gone.
          mine.cut_off += sent.cut_off ? 1 : 0;
          return;
        }
        if (sent.status != 200) {
          mine.refused.push_back(sent.status);
          return;
        }
        mine.acknowledged.push_back({decision, tag});
        if (acknowledged.fetch_add(1) + 1 == kill_after)
          ::kill(pid, SIGKILL);
      }
    });
  for (auto& t : threads)
    t.join();
  round_result all;
  for (auto& r : per_poster) {
    all.acknowledged.insert(all.acknowledged.end(), r.acknowledged.begin(),
                            r.acknowledged.end());
    all.cut_off += r.cut_off;
    all.refused.insert(all.refused.end(), r.refused.begin(), r.refused.end());
  }
  return all;
}

/// The feedback scores `GET /v1/decisions/{id}` shows for a decision.
std::vector<double> stored_scores(gateway_fixture& gw, const std::string& id) {
  auto r = gw.call("GET", "/v1/decisions/" + id);
  INFO(r.body);
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  simdjson::dom::array feedback;
  REQUIRE(parse(p, r.body)["feedback"].get(feedback) == simdjson::SUCCESS);
  std::vector<double> out;
  for (auto f : feedback) {
    double score = 0;
    if (f["score"].get(score) != simdjson::SUCCESS)
      FAIL("a feedback without a score");
    out.push_back(score);
  }
  return out;
}

} // namespace

TEST_CASE("acknowledged feedback survives SIGKILL of the gateway, every round",
          "[gateway][durability]") {
  scratch_dir dir{"feedback-durability"};
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
  std::vector<std::string> decisions;
  for (std::size_t i = 0; i < decision_count; ++i) {
    auto r = gw.chat(
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hello"}]})");
    REQUIRE(r.status == 200);
    decisions.push_back(r.headers["x-switchyard-decision-id"]);
  }
  // The decision log may lose its last moments at a kill; feedback may not.
  // A drained stop logs these decisions for good before the kills start.
  REQUIRE(gw.gateway->stop(SIGTERM) == 0);
  start_gateway(gw, dir.path);

  auto seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng{seed};
  std::atomic<int> next_feedback{0};
  std::vector<acknowledged_feedback> acknowledged;
  int cut_off = 0;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    // Between 1 and 3 acknowledgements per poster before the kill.
    auto kill_after = std::uniform_int_distribution<int>{posters,
                                                         3 * posters}(rng);
    auto result = post_until_killed(gw, decisions, next_feedback, kill_after);
    CHECK(result.refused.empty());
    // Every acknowledgement up to the kill arrived; the ones after it were
    // already on their way.
    REQUIRE(result.acknowledged.size() >= static_cast<std::size_t>(kill_after));
    acknowledged.insert(acknowledged.end(), result.acknowledged.begin(),
                        result.acknowledged.end());
    cut_off += result.cut_off;
    CHECK(gw.gateway->wait_exit() == -1); // killed, not exited

    start_gateway(gw, dir.path);
    // Every feedback acknowledged so far, this round's and earlier ones'.
    std::string missing;
    for (std::size_t d = 0; d < decision_count; ++d) {
      auto scores = stored_scores(gw, decisions[d]);
      for (const auto& a : acknowledged) {
        if (a.decision != d)
          continue;
        auto want = a.tag / tag_scale;
        bool present = false;
        for (auto s : scores)
          present = present || std::abs(s - want) < 0.25 / tag_scale;
        if (!present)
          missing += " " + decisions[d] + " quality " + quality_of(a.tag);
      }
    }
    INFO(acknowledged.size() << " acknowledged so far; missing:" << missing);
    CHECK(missing.empty());
  }
  // Tags must stay below tag_scale to be told apart as qualities in [0, 1].
  CHECK(next_feedback.load() < static_cast<int>(decision_count) * 999);
  // The kills landed while posters were still sending: requests were cut
  // off (about one per poster and round).
  CHECK(cut_off >= rounds);
}
