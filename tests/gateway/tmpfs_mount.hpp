#pragma once

// A small tmpfs of its own, mounted on a fresh directory under /tmp for the
// life of the object: a disk a test can fill without filling the machine's.

#include <sys/mount.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace switchyard::testing {

class tmpfs_mount {
public:
  /// Mounts a tmpfs of `size_mib` MiB on a new directory named for `name`.
  /// Mounting needs CAP_SYS_ADMIN; when it is refused (an unprivileged
  /// container), `mounted()` is false and `error()` says why.
  tmpfs_mount(const std::string& name, unsigned size_mib) {
    auto pattern = std::filesystem::temp_directory_path().string()
                   + "/switchyard-" + name + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      error_ = "mkdtemp: " + std::string{std::strerror(errno)};
      return;
    }
    path_ = pattern;
    auto options = "size=" + std::to_string(size_mib) + "m,mode=0700";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                options.c_str())
        != 0) {
      error_ = "mount -t tmpfs -o " + options + " tmpfs " + path_ + ": "
               + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }

  /// Unmounts (lazily if a file is still open in it, so that a failed test
  /// leaves no mount behind) and removes the directory.
  ~tmpfs_mount() {
    if (mounted_ && ::umount2(path_.c_str(), 0) != 0)
      ::umount2(path_.c_str(), MNT_DETACH);
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }

  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;

  [[nodiscard]] bool mounted() const noexcept {
    return mounted_;
  }

  [[nodiscard]] const std::string& error() const noexcept {
    return error_;
  }

  [[nodiscard]] const std::string& path() const noexcept {
    return path_;
  }

private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

} // namespace switchyard::testing
