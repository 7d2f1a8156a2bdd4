#include "dashboard_bench.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/store.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

extern char** environ;

namespace switchyard::bench {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr const char* admin_key = "sk-admin-dashboard-bench";

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0)
    .count();
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0.0;
  std::sort(xs.begin(), xs.end());
  auto k = static_cast<std::size_t>(p * static_cast<double>(xs.size() - 1)
                                    + 0.5);
  return xs[std::min(k, xs.size() - 1)];
}

// -- the store ----------------------------------------------------------------

/// The task mix the decisions are made for: mostly simple and moderate,
/// some critical (ensembles), some with a stated type or budget.
std::vector<engine::route_request> task_mix() {
  std::vector<engine::route_request> w;
  for (std::string_view text :
       {"say hello", "Write a fibonacci function",
        "What is the capital of France?",
        "Review this pull request diff for bugs and style issues",
        "Write unit tests for the payment retry logic",
        "Document the public API of the rate limiter in the README",
        "Prove that the sum of two even numbers is even, step by step",
        "Design a distributed rate limiter architecture for microservices",
        "Audit production deployment for security vulnerabilities",
        "Refactor this module to remove duplicated parsing code",
        "Translate this paragraph into German",
        "Generate a SQL query that lists overdue invoices",
        "Explain why the build fails when the cache is cold and propose a "
        "fix"}) {
    w.push_back({});
    w.back().text = text;
  }
  return w;
}

engine::usd_nanos price(const engine::model_spec& m, std::uint32_t in,
                        std::uint32_t out) {
  return engine::usd_to_nanos_ceil(m.cost_per_1k_input * in / 1000.0
                                   + m.cost_per_1k_output * out / 1000.0);
}

/// Writes `n` executed decisions spread evenly over `days` before now, in
/// batches of 1,000; ids ascend with time as the runtime's do. One in ten
/// tasks falls back once (a failed first attempt on the second candidate).
std::string fill_store(const std::string& dir, const engine::registry& reg,
                       std::uint64_t n, double days) {
  storage::store_options so;
  so.path = dir;
  auto db = storage::store::open(so);
  if (!db)
    return "cannot open a store in " + dir + ": " + error_message(db.error());
  if (auto r = (*db)->put_registry(reg); !r)
    return error_message(r.error());
  engine::keyword_classifier classifier;
  engine::router router{reg, classifier};
  engine::routing_state state;
  auto mix = task_mix();
  std::vector<engine::decision> decisions;
  for (const auto& t : mix)
    decisions.push_back(router.route(t, state));
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  auto span_ms = static_cast<std::int64_t>(days * 86'400'000.0);
  storage::store_batch batch;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto k = i % mix.size();
    const auto& d = decisions[k];
    decision_record rec;
    rec.decision_id = i + 1;
    rec.created_unix_ms
      = now_ms - span_ms
        + static_cast<std::int64_t>(static_cast<double>(span_ms)
                                    * static_cast<double>(i)
                                    / static_cast<double>(n));
    rec.execute = true;
    rec.task.text = std::string{mix[k].text};
    rec.rounds.push_back({route_context{}, d});
    rec.input_tokens = 200 + static_cast<std::uint32_t>(i % 7) * 50;
    rec.output_tokens = 300 + static_cast<std::uint32_t>(i % 11) * 40;
    if (i % 10 == 3 && d.candidates.size() >= 2) {
      attempt_record failed;
      failed.model = d.candidates[1].model;
      failed.error = engine::call_error::server_error;
      failed.latency_ms = 120.0;
      rec.attempts.push_back(failed);
    }
    if (d.model < reg.models.size()) {
      attempt_record ok;
      ok.model = d.model;
      ok.latency_ms = 400.0 + static_cast<double>(i % 13) * 30.0;
      ok.cost_nanos = price(reg.models[d.model], rec.input_tokens,
                            rec.output_tokens);
      rec.attempts.push_back(ok);
      rec.answered = true;
      rec.answered_by = d.model;
    } else {
      rec.error = error_code::no_candidate;
      rec.error_message = "no model";
    }
    for (const auto& a : rec.attempts) {
      rec.cost_nanos += a.cost_nanos;
      rec.latency_ms += a.latency_ms;
    }
    batch.put_decision(rec);
    if (batch.size() >= 1000 || i + 1 == n) {
      if (auto r = (*db)->write(batch); !r)
        return error_message(r.error());
      batch.clear();
    }
  }
  return {};
}

// -- the gateway --------------------------------------------------------------

/// `switchyard serve` on the store, its stdout on a pipe (the listening
/// line), its stderr discarded.
class gateway_process {
public:
  ~gateway_process() {
    stop();
  }

  std::string start(const std::string& binary, const std::string& data_dir) {
    int out[2];
    if (pipe(out) != 0)
      return "pipe failed";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> args{binary,          "serve",
                                  "--listen",      "127.0.0.1:0",
                                  "--threads",     "2",
                                  "--data-dir",    data_dir,
                                  "--daily-budget", "1000"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    setenv("SWITCHYARD_ADMIN_KEY", admin_key, 1);
    auto rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr,
                          argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = -1;
      return "cannot run " + binary + ": " + std::strerror(rc);
    }
    // The first line names the port: "... 127.0.0.1:PORT".
    std::string line;
    auto deadline = clock_type::now() + std::chrono::seconds{60};
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - clock_type::now())
                    .count();
      pollfd p{out[0], POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0)
        break;
      char buf[256];
      auto got = read(out[0], buf, sizeof(buf));
      if (got <= 0)
        break;
      line.append(buf, static_cast<std::size_t>(got));
    }
    stdout_fd_ = out[0];
    auto nl = line.find('\n');
    auto colon = line.rfind(':', nl);
    if (nl == std::string::npos || colon == std::string::npos)
      return "serve did not print its listening address (got '" + line + "')";
    port_ = static_cast<std::uint16_t>(
      std::atoi(line.substr(colon + 1, nl - colon - 1).c_str()));
    return port_ == 0 ? "serve printed no port: " + line : std::string{};
  }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (stdout_fd_ >= 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
    }
  }

  [[nodiscard]] std::uint16_t port() const noexcept {
    return port_;
  }

private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
};

// -- a minimal HTTP/1.1 client ------------------------------------------------

struct http_answer {
  int status = 0;
  std::string headers;
  std::string body;
};

/// One keep-alive connection; plain sockets (no Beast TU in this file).
class http_connection {
public:
  explicit http_connection(std::uint16_t port) : port_(port) {
  }

  ~http_connection() {
    if (fd_ >= 0)
      close(fd_);
  }

  std::optional<http_answer> exchange(const std::string& method,
                                      const std::string& target,
                                      const std::string& extra_headers,
                                      const std::string& body = {}) {
    // A connection the server closed since the last answer is opened again
    // once.
    for (int round = 0; round < 2; ++round) {
      bool reused = fd_ >= 0;
      if (fd_ < 0 && !connect_now())
        return std::nullopt;
      if (auto a = try_exchange(method, target, extra_headers, body))
        return a;
      close(fd_);
      fd_ = -1;
      buf_.clear();
      if (!reused)
        break;
    }
    return std::nullopt;
  }

private:
  std::optional<http_answer> try_exchange(const std::string& method,
                                          const std::string& target,
                                          const std::string& extra_headers,
                                          const std::string& body) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + extra_headers;
    if (!body.empty() || method == "POST")
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    if (!send_all(req))
      return std::nullopt;
    return read_answer();
  }

  bool connect_now() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0)
      return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      close(fd_);
      fd_ = -1;
      return false;
    }
    return true;
  }

  bool send_all(const std::string& s) {
    std::size_t sent = 0;
    while (sent < s.size()) {
      auto n = send(fd_, s.data() + sent, s.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// Reads until `buf_` holds at least `n` bytes.
  bool fill(std::size_t n) {
    while (buf_.size() < n) {
      char chunk[65536];
      auto got = recv(fd_, chunk, sizeof(chunk), 0);
      if (got <= 0)
        return false;
      buf_.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }

  std::optional<std::size_t> find_in_buf(std::string_view what,
                                         std::size_t from = 0) {
    for (;;) {
      auto at = buf_.find(what, from);
      if (at != std::string::npos)
        return at;
      if (!fill(buf_.size() + 1))
        return std::nullopt;
    }
  }

  std::optional<http_answer> read_answer() {
    auto end = find_in_buf("\r\n\r\n");
    if (!end)
      return std::nullopt;
    http_answer a;
    a.headers = buf_.substr(0, *end + 2);
    buf_.erase(0, *end + 4);
    a.status = std::atoi(a.headers.c_str() + 9);
    std::string lower = a.headers;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (auto cl = lower.find("content-length:"); cl != std::string::npos) {
      auto n = static_cast<std::size_t>(
        std::strtoull(lower.c_str() + cl + 15, nullptr, 10));
      if (!fill(n))
        return std::nullopt;
      a.body = buf_.substr(0, n);
      buf_.erase(0, n);
    } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      for (;;) {
        auto line_end = find_in_buf("\r\n");
        if (!line_end)
          return std::nullopt;
        auto size = static_cast<std::size_t>(
          std::strtoull(buf_.c_str(), nullptr, 16));
        if (!fill(*line_end + 2 + size + 2))
          return std::nullopt;
        a.body.append(buf_, *line_end + 2, size);
        buf_.erase(0, *line_end + 2 + size + 2);
        if (size == 0)
          break;
      }
    }
    return a;
  }

  std::uint16_t port_;
  int fd_ = -1;
  std::string buf_;
};

} // namespace

dashboard_bench_result run_dashboard_bench(const dashboard_bench_options& o) {
  dashboard_bench_result r;
  r.decisions = o.decisions;
  r.days = o.days;
  if (o.binary.empty()) {
    r.error = "no switchyard binary to run serve from";
    return r;
  }
  auto reg = config::load_registry("");
  if (!reg) {
    r.error = error_message(reg.error());
    return r;
  }
  auto dir = std::filesystem::temp_directory_path()
             / ("switchyard-dashboard-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  struct cleanup {
    std::filesystem::path dir;
    ~cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup_dir{dir};

  auto t0 = clock_type::now();
  if (auto e = fill_store(dir.string(), *reg, o.decisions, o.days);
      !e.empty()) {
    r.error = e;
    return r;
  }
  r.fill_seconds = ms_since(t0) / 1000.0;

  gateway_process gw;
  t0 = clock_type::now();
  if (auto e = gw.start(o.binary, dir.string()); !e.empty()) {
    r.error = e;
    return r;
  }
  r.startup_seconds = ms_since(t0) / 1000.0;

  http_connection conn{gw.port()};
  const std::string bearer = std::string{"Authorization: Bearer "} + admin_key
                             + "\r\n";
  // The dashboard's own session, as a browser gets it.
  auto login = conn.exchange(
    "POST", "/ui/login",
    "Content-Type: application/x-www-form-urlencoded\r\n",
    std::string{"key="} + admin_key);
  std::string cookie;
  if (login) {
    std::string lower = login->headers;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto at = lower.find("set-cookie: ");
    if (at != std::string::npos) {
      at += 12;
      cookie = login->headers.substr(at,
                                     login->headers.find(';', at) - at);
    }
  }
  if (!login || login->status != 303 || cookie.empty()) {
    r.error = "the dashboard login did not give a session cookie";
    return r;
  }
  const std::string session = "Cookie: " + cookie + "\r\n";

  // A deep page: 90% of the way back through the log.
  auto deep_cursor
    = format_decision_id(std::max<std::uint64_t>(o.decisions / 10, 2));

  struct endpoint {
    std::string name;
    std::vector<std::string> targets;
    const std::string* auth;
  };
  std::vector<endpoint> endpoints{
    {"decisions, first page (limit 50)", {"/v1/decisions?limit=50"}, &bearer},
    {"decisions, deep page (limit 50, before=" + deep_cursor.substr(4) + ")",
     {"/v1/decisions?limit=50&before=" + deep_cursor},
     &bearer},
    {"spend, minute buckets (1 h)",
     {"/v1/analytics/spend?bucket=minute"},
     &bearer},
    {"spend, hour buckets (24 h)", {"/v1/analytics/spend?bucket=hour"}, &bearer},
    {"spend, day buckets (30 days)",
     {"/v1/analytics/spend?bucket=day"},
     &bearer},
    // What a browser fetches to show /ui: the page, its scripts and styles,
    // and the first page of decisions it polls.
    {"/ui page load (6 requests)",
     {"/ui/", "/ui/style.css", "/ui/uPlot.min.css", "/ui/uPlot.iife.min.js",
      "/ui/app.js", "/v1/decisions?limit=100"},
     &session},
  };
  for (const auto& e : endpoints) {
    dashboard_endpoint_result er;
    er.name = e.name;
    er.target = e.targets.front();
    std::vector<double> times;
    for (unsigned i = 0; i < o.warmup + o.requests; ++i) {
      auto start = clock_type::now();
      std::uint64_t bytes = 0;
      for (const auto& t : e.targets) {
        auto a = conn.exchange("GET", t, *e.auth);
        if (!a || a->status != 200) {
          r.error = "GET " + t + " answered "
                    + (a ? std::to_string(a->status) + ": " + a->body
                         : std::string{"nothing"});
          return r;
        }
        bytes += a->body.size();
      }
      if (i >= o.warmup)
        times.push_back(ms_since(start));
      er.body_bytes = bytes;
    }
    er.p50_ms = percentile(times, 0.5);
    er.p99_ms = percentile(times, 0.99);
    er.max_ms = *std::max_element(times.begin(), times.end());
    r.endpoints.push_back(std::move(er));
  }
  gw.stop();
  return r;
}

std::string to_json(const dashboard_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  if (!r.error.empty())
    w.field("error", std::string_view{r.error});
  w.field("decisions", r.decisions);
  w.field("days", r.days);
  w.field("fill_seconds", r.fill_seconds);
  w.field("startup_seconds", r.startup_seconds);
  w.key("endpoints").begin_array();
  for (const auto& e : r.endpoints) {
    w.begin_object();
    w.field("name", std::string_view{e.name});
    w.field("target", std::string_view{e.target});
    w.field("p50_ms", e.p50_ms);
    w.field("p99_ms", e.p99_ms);
    w.field("max_ms", e.max_ms);
    w.field("body_bytes", e.body_bytes);
    w.end_object();
  }
  w.end_array().end_object();
  return out;
}

} // namespace switchyard::bench
