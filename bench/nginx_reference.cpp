#include "nginx_reference.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace switchyard::bench {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/// A port free on 127.0.0.1 now: bound to port 0 and released. nginx
/// cannot be told to pick one and say which, so another process could take
/// it in between; on a loopback bench that is unlikely, and nginx then
/// fails to start with a clear "Address already in use".
std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  auto a = loopback(0);
  socklen_t len = sizeof(a);
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0
      && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

bool accepts(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  auto a = loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  close(fd);
  return ok;
}

/// The last lines of nginx's own words on a failure, trimmed.
std::string last_lines(std::string text, std::size_t lines) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  auto at = text.size();
  for (std::size_t i = 0; i < lines && at != std::string::npos && at > 0; ++i)
    at = text.rfind('\n', at - 1);
  return at == std::string::npos ? text : text.substr(at + 1);
}

} // namespace

std::string nginx_proxy_directives(const nginx_settings& s,
                                   std::uint16_t listen_port) {
  auto port = std::to_string(listen_port);
  auto upstream = std::to_string(s.upstream_port);
  // Each bench connection takes one client slot and at most one upstream
  // one; the rest is headroom.
  auto slots = std::to_string(std::max<std::size_t>(1024, 2 * s.max_connections
                                                            + 256));
  std::string d;
  d += "worker_processes 1;\n";
  d += "events { worker_connections " + slots + "; }\n";
  d += "http {\n";
  d += "  access_log off;\n";
  // The gateway never closes a busy client connection; nginx's default
  // closes one after 1,000 requests.
  d += "  keepalive_requests 1000000;\n";
  d += "  upstream sim_upstream {\n";
  d += "    server 127.0.0.1:" + upstream + ";\n";
  d += "    keepalive 512;\n";
  d += "    keepalive_requests 1000000;\n";
  d += "  }\n";
  d += "  server {\n";
  d += "    listen 127.0.0.1:" + port + " backlog=4096;\n";
  d += "    location / {\n";
  d += "      proxy_pass http://sim_upstream;\n";
  d += "      proxy_http_version 1.1;\n";
  d += "      proxy_set_header Connection \"\";\n";
  if (s.stream)
    d += "      proxy_buffering off;\n";
  d += "    }\n";
  d += "  }\n";
  d += "}\n";
  return d;
}

std::unique_ptr<nginx_reference>
nginx_reference::start(const nginx_settings& s, std::string& why) {
  if (access(s.binary.c_str(), X_OK) != 0) {
    why = "--reference nginx needs nginx at " + s.binary
          + " (Debian 12: apt-get install nginx-light, or nginx; "
            "scripts/install-deps.sh installs it)";
    return nullptr;
  }
  std::unique_ptr<nginx_reference> self{new nginx_reference};
  std::error_code ec;
  auto tmp = std::filesystem::temp_directory_path(ec);
  std::string pattern = (ec ? std::string{"/tmp"} : tmp.string())
                        + "/switchyard-bench-nginx-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    why = "cannot create a folder for nginx: " + std::string{std::strerror(errno)};
    return nullptr;
  }
  self->dir_ = pattern;
  const auto& dir = self->dir_;
  {
    auto v = child_process::start({s.binary, "-v"}, {}, dir + "/version.txt",
                                  why);
    if (!v)
      return nullptr;
    v->wait_exit(std::chrono::seconds{5});
    auto text = last_lines(read_text(dir + "/version.txt"), 1);
    auto slash = text.find("nginx/");
    self->version_ = slash == std::string::npos ? text : text.substr(slash);
  }
  self->port_ = free_port();
  if (self->port_ == 0) {
    why = "no free port on 127.0.0.1 for nginx";
    return nullptr;
  }
  self->directives_ = nginx_proxy_directives(s, self->port_);
  // Where its files go, beside the directives: all in its own folder. As
  // root, its worker would otherwise drop to `nobody`, which cannot write
  // there.
  std::string conf = "# switchyard bench gateway --reference nginx\n"
                     "daemon off;\nmaster_process on;\n"
                     "pid " + dir + "/nginx.pid;\n"
                     "error_log " + dir + "/error.log warn;\n"
                     "worker_rlimit_nofile 65536;\n";
  if (geteuid() == 0)
    conf += "user root;\n";
  auto http = self->directives_.find("http {\n");
  std::string temp_paths;
  for (auto kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    temp_paths += std::string{"  "} + kind + "_temp_path " + dir + "/" + kind
                  + ";\n";
  conf += self->directives_.substr(0, http + 7) + temp_paths
          + self->directives_.substr(http + 7);
  {
    std::ofstream out{dir + "/nginx.conf"};
    out << conf;
    if (!out) {
      why = "cannot write " + dir + "/nginx.conf";
      return nullptr;
    }
  }
  self->process_ = child_process::start({s.binary, "-p", dir + "/", "-c",
                                         dir + "/nginx.conf", "-e",
                                         dir + "/error.log"},
                                        {}, dir + "/stderr.log", why);
  if (!self->process_)
    return nullptr;
  // It says nothing when ready: wait until it accepts a connection, or has
  // exited (a bad configuration, a taken port).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!accepts(self->port_)) {
    if (!self->process_->running() || std::chrono::steady_clock::now() > deadline) {
      auto said = last_lines(read_text(dir + "/stderr.log") + "\n"
                               + read_text(dir + "/error.log"),
                             3);
      why = "nginx did not start on 127.0.0.1:" + std::to_string(self->port_)
            + (said.empty() ? std::string{} : ": " + said);
      return nullptr;
    }
    poll(nullptr, 0, 5);
  }
  return self;
}

nginx_reference::~nginx_reference() {
  process_.reset();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

} // namespace switchyard::bench
