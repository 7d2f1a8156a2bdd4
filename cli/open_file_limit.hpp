#pragma once

#include <cstdint>
#include <string>

namespace switchyard::cli {

/// What raise_open_file_limit found and did.
struct open_file_limit {
  /// The soft limit (RLIMIT_NOFILE) before and after; equal when nothing
  /// changed.
  std::uint64_t before = 0;
  std::uint64_t after = 0;
  /// Why it could not be raised; empty when it was, or had no need to be.
  std::string error;
};

/// Raises this process's soft limit on open files to its hard limit. Every
/// connection is a file descriptor, two for a proxied call (client and
/// upstream), and stock Debian's soft limit is 1,024: a few hundred
/// concurrent streams would exhaust it, while the hard limit (524,288 under
/// systemd) is meant to be reached for by servers that need it, as nginx's
/// worker_rlimit_nofile and Envoy do. Call once, at start, before any
/// thread.
[[nodiscard]] open_file_limit raise_open_file_limit() noexcept;

/// One line for the log: `open files: 1024 -> 524288` (or why not).
[[nodiscard]] std::string describe(const open_file_limit& l);

} // namespace switchyard::cli
