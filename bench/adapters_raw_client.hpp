#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace switchyard::bench {

/// The baseline of `bench adapters`: a minimal synchronous Beast client on
/// one keep-alive connection. Keeps Beast out of every other bench file.
class raw_http_client {
 public:
  /// Connects to 127.0.0.1:`port`; nullptr (and `why`) on failure.
  static std::unique_ptr<raw_http_client> connect(std::uint16_t port,
                                                  std::string& why);

  ~raw_http_client();

  /// POSTs `body` to `target` and reads the whole response; returns the
  /// body size, or -1 on any error (reconnects for the next call).
  long long post(const std::string& target, const std::string& body);

  class impl;

 private:
  explicit raw_http_client(std::unique_ptr<impl> p) noexcept;

  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::bench
