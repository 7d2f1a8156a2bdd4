#pragma once

// A plain TCP connection to a server on loopback, for tests that need what
// an HTTP client library hides: a request left open, a client that goes
// away mid-response.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace switchyard::testing {

class raw_connection {
public:
  explicit raw_connection(std::uint16_t port)
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
            == 0);
  }

  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  ~raw_connection() {
    close_now();
  }

  void send_text(const std::string& text) {
    REQUIRE(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL)
            == static_cast<ssize_t>(text.size()));
  }

  /// Reads until `marker` has arrived (within `limit`); everything read so
  /// far on this connection.
  std::string read_until(const std::string& marker,
                         std::chrono::milliseconds limit
                         = std::chrono::seconds{10}) {
    char buf[8192];
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (in_.find(marker) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
      INFO(in_);
      REQUIRE(left > 0);
      pollfd p{fd_, POLLIN, 0};
      REQUIRE(poll(&p, 1, static_cast<int>(left)) == 1);
      auto n = recv(fd_, buf, sizeof(buf), 0);
      REQUIRE(n > 0);
      in_.append(buf, static_cast<std::size_t>(n));
    }
    return in_;
  }

  /// The client goes away.
  void close_now() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
  std::string in_;
};

} // namespace switchyard::testing
