#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <system_error>

#include <stdlib.h>

namespace switchyard::test {

/// A fresh directory under the system's temporary directory, removed with
/// everything in it when the object goes.
class temp_dir {
public:
  temp_dir() {
    auto pattern = std::filesystem::temp_directory_path().string()
                   + "/switchyard-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }

  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  [[nodiscard]] const std::string& path() const noexcept {
    return path_;
  }

  /// A path inside the directory (not created).
  [[nodiscard]] std::string sub(const std::string& name) const {
    return path_ + "/" + name;
  }

private:
  std::string path_;
};

} // namespace switchyard::test
