#include "open_file_limit.hpp"

#include <cerrno>
#include <cstring>
#include <sys/resource.h>

namespace switchyard::cli {

namespace {

std::string shown(std::uint64_t n) {
  return n == static_cast<std::uint64_t>(RLIM_INFINITY) ? "unlimited"
                                                         : std::to_string(n);
}

} // namespace

open_file_limit raise_open_file_limit() noexcept {
  open_file_limit out;
  try {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
      out.error = std::string{"getrlimit: "} + std::strerror(errno);
      return out;
    }
    out.before = out.after = lim.rlim_cur;
    if (lim.rlim_cur == lim.rlim_max)
      return out;
    auto wanted = lim;
    wanted.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &wanted) != 0) {
      out.error = std::string{"setrlimit: "} + std::strerror(errno);
      return out;
    }
    out.after = wanted.rlim_cur;
  } catch (...) {
    // Only the strings can throw (no memory): the limit stays as it is.
  }
  return out;
}

std::string describe(const open_file_limit& l) {
  if (!l.error.empty())
    return "open files: " + shown(l.before) + " (could not raise it: "
           + l.error + ")";
  if (l.before == l.after)
    return "open files: " + shown(l.after) + " (the hard limit)";
  return "open files: " + shown(l.before) + " -> " + shown(l.after)
         + " (the hard limit)";
}

} // namespace switchyard::cli
