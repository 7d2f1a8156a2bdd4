#pragma once

// A real sim-upstream and a real `switchyard serve` on loopback (port 0),
// and a minimal HTTP/1.1 client over raw sockets that can also send what a
// well-behaved client never would.

#include "../integration/child_process.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::testing {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers; ///< names lower-cased
  std::string body;
  bool closed_early = false;
};

/// Sends `raw` to 127.0.0.1:port and reads one response (Content-Length,
/// chunked or until close), with a deadline.
inline http_reply raw_exchange(std::uint16_t port, const std::string& raw,
                               std::chrono::milliseconds limit
                               = std::chrono::seconds{10}) {
  http_reply r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  std::size_t sent = 0;
  while (sent < raw.size()) {
    auto n = send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break; // the server may refuse early (413)
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto complete = [&]() -> bool {
    auto head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos)
      return false;
    if (r.status == 0) {
      auto line_end = in.find("\r\n");
      r.status = std::atoi(in.substr(9, 3).c_str());
      std::size_t pos = line_end + 2;
      while (pos < head_end) {
        auto eol = in.find("\r\n", pos);
        auto line = in.substr(pos, eol - pos);
        auto colon = line.find(':');
        auto name = line.substr(0, colon);
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
          value.erase(0, 1);
        r.headers[name] = value;
        pos = eol + 2;
      }
    }
    auto body = in.substr(head_end + 4);
    if (auto cl = r.headers.find("content-length"); cl != r.headers.end()) {
      auto n = static_cast<std::size_t>(std::atoll(cl->second.c_str()));
      if (body.size() < n)
        return false;
      r.body = body.substr(0, n);
      return true;
    }
    if (r.headers.count("transfer-encoding")) {
      // De-chunk when the terminating chunk has arrived.
      if (body.find("\r\n0\r\n\r\n") == std::string::npos
          && body.rfind("0\r\n\r\n", 0) != 0)
        return false;
      std::string out;
      std::size_t pos = 0;
      for (;;) {
        auto eol = body.find("\r\n", pos);
        auto size = std::strtoul(body.substr(pos, eol - pos).c_str(), nullptr, 16);
        if (size == 0)
          break;
        out += body.substr(eol + 2, size);
        pos = eol + 2 + size + 2;
      }
      r.body = out;
      return true;
    }
    return false;
  };
  char buf[65536];
  while (!complete()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
    if (left <= 0)
      break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0)
      break;
    auto n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      r.closed_early = true;
      if (r.status == 0 || !r.headers.count("content-length"))
        r.body = in.find("\r\n\r\n") != std::string::npos
                   ? in.substr(in.find("\r\n\r\n") + 4)
                   : std::string{};
      break;
    }
    in.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return r;
}

inline std::string request(const std::string& method, const std::string& path,
                           const std::string& body,
                           const std::string& extra_headers = {}) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n";
  r += extra_headers;
  if (!body.empty() || method == "POST")
    r += "Content-Type: application/json\r\nContent-Length: "
         + std::to_string(body.size()) + "\r\n";
  r += "\r\n" + body;
  return r;
}

/// sim-upstream plus the gateway pointed at it.
struct gateway_fixture {
  static constexpr const char* admin_key = "sk-admin-test-secret";

  std::unique_ptr<child_process> sim;
  std::unique_ptr<child_process> gateway;
  std::uint16_t sim_port = 0;
  std::uint16_t port = 0;

  static std::uint16_t port_of(const std::string& line) {
    return static_cast<std::uint16_t>(
      std::atoi(line.substr(line.rfind(':') + 1).c_str()));
  }

  explicit gateway_fixture(std::vector<std::string> sim_args = {"--zero-delay"},
                           std::vector<std::string> serve_args = {}) {
    std::vector<std::string> s{SWITCHYARD_BINARY, "sim-upstream", "--listen",
                               "127.0.0.1:0", "--seed", "7"};
    s.insert(s.end(), sim_args.begin(), sim_args.end());
    sim = std::make_unique<child_process>(s);
    auto line = sim->read_line();
    REQUIRE(line);
    sim_port = port_of(*line);
    auto base = "http://127.0.0.1:" + std::to_string(sim_port);
    for (auto [var, suffix] :
         {std::pair{"OPENAI_BASE_URL", "/v1"}, {"MISTRAL_BASE_URL", "/v1"},
          {"LMSTUDIO_BASE_URL", "/v1"}, {"OPENROUTER_BASE_URL", "/v1"},
          {"ANTHROPIC_BASE_URL", ""}, {"GEMINI_BASE_URL", "/v1beta"},
          {"COHERE_BASE_URL", "/v2"}, {"OLLAMA_BASE_URL", ""}})
      setenv(var, (base + suffix).c_str(), 1);
    for (auto var : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
                     "MISTRAL_API_KEY", "COHERE_API_KEY", "OPENROUTER_API_KEY"})
      setenv(var, "sk-upstream-test-key", 1);
    setenv("SWITCHYARD_ADMIN_KEY", admin_key, 1);
    std::vector<std::string> g{SWITCHYARD_BINARY, "serve", "--listen",
                               "127.0.0.1:0", "--threads", "2"};
    g.insert(g.end(), serve_args.begin(), serve_args.end());
    gateway = std::make_unique<child_process>(g);
    auto gline = gateway->read_line();
    REQUIRE(gline);
    port = port_of(*gline);
  }

  http_reply call(const std::string& method, const std::string& path,
                  const std::string& body = {},
                  std::string key = admin_key,
                  const std::string& headers = {}) {
    std::string h = headers;
    if (!key.empty())
      h += "Authorization: Bearer " + key + "\r\n";
    auto r = raw_exchange(port, request(method, path, body, h));
    return r;
  }

  http_reply chat(const std::string& body, const std::string& key = admin_key) {
    return call("POST", "/v1/chat/completions", body, key);
  }
};

/// Parses a JSON reply body; fails the test (showing the body) when it is
/// not JSON.
inline simdjson::dom::element parse(simdjson::dom::parser& p,
                                    const std::string& s) {
  simdjson::dom::element e;
  INFO(s);
  REQUIRE(p.parse(s).get(e) == simdjson::SUCCESS);
  return e;
}

/// The `error.code` of an OpenAI-style error body, or empty.
inline std::string error_code_of(const std::string& body) {
  simdjson::dom::parser p;
  std::string_view code;
  if (parse(p, body)["error"]["code"].get(code) != simdjson::SUCCESS)
    return {};
  return std::string{code};
}

/// Writes a sim-upstream config with no delays and no faults except
/// `faults` (model upstream id -> its YAML faults map, e.g.
/// `{http_500: 1.0}`); every model of the default registry is listed.
/// `faults` sets a model's fault rates; `settings` replaces a model's whole
/// entry (for example `{listed: false}`).
inline void write_sim_config(const std::string& path,
                             const std::map<std::string, std::string>& faults,
                             const std::map<std::string, std::string>& settings
                             = {}) {
  std::ofstream f{path};
  f << "version: 1\nseed: 3\ntime_scale: 0\ndefaults:\n"
       "  latency_ms: 0\n  ttft_ms: 0\n  tokens_per_second: 0\n"
       "  output_tokens: 40\n  faults: {}\nmodels:\n";
  for (auto m : {"claude-opus-4-20250514", "claude-sonnet-4-20250514",
                 "claude-3-haiku-20240307", "gpt-5", "gpt-4o", "gpt-4o-mini",
                 "o1", "o1-mini", "gemini-1.5-pro", "gemini-1.5-flash",
                 "mistral-large-2407", "mistral-small-2409",
                 "command-r-plus-08-2024", "command-r-03-2024", "qwen3:1.7b",
                 "qwen/qwen3-30b-a3b-2507", "mistralai/devstral-small-2507"}) {
    auto fault = faults.find(m);
    auto whole = settings.find(m);
    f << "  \"" << m << "\": "
      << (whole != settings.end()   ? whole->second
          : fault == faults.end() ? std::string{"{}"}
                                  : "\n    faults: " + fault->second)
      << "\n";
  }
}

/// A directory under /tmp named for the test process, empty at the start
/// and removed at the end.
struct scratch_dir {
  std::string path;
  explicit scratch_dir(const std::string& name)
    : path("/tmp/switchyard-" + name + "-" + std::to_string(getpid())) {
    std::filesystem::remove_all(path);
  }
  ~scratch_dir() {
    std::filesystem::remove_all(path);
  }
};

} // namespace switchyard::testing
