#include "switchyard/config/registry_loader.hpp"

#include "switchyard/messages/error_code.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace switchyard::config {

namespace {

/// Reads a whole file, or says why it could not.
std::optional<std::string> read_file(const std::string& path,
                                     std::string& why) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    why = "is a directory, not a file";
    return std::nullopt;
  }
  errno = 0;
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    why = std::string{"cannot open: "}
          + (errno != 0 ? std::strerror(errno) : "unknown error");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    why = std::string{"cannot read: "} + std::strerror(errno);
    return std::nullopt;
  }
  return std::move(text).str();
}

std::string join_errors(const std::vector<config_error>& errors) {
  std::string result;
  for (const auto& e : errors) {
    if (!result.empty())
      result += '\n';
    result += e.to_string();
  }
  return result;
}

} // namespace

registry_load_result load_registry_file(const std::string& path,
                                        const env_lookup& env) {
  try {
    std::string why;
    auto text = read_file(path, why);
    if (!text) {
      registry_load_result result;
      result.errors.push_back(config_error{path, 0, {}, std::move(why)});
      return result;
    }
    return parse_registry(*text, path, env);
  } catch (const std::exception& e) {
    registry_load_result result;
    result.errors.push_back(
      config_error{path, 0, {}, std::string{"cannot read: "} + e.what()});
    return result;
  }
}

caf::expected<engine::registry> load_registry(const std::string& path) {
  auto result = path.empty()
                  ? parse_registry(default_registry_yaml(),
                                   default_registry_name, process_env())
                  : load_registry_file(path, process_env());
  if (result.registry)
    return std::move(*result.registry);
  return caf::error{error_code::invalid_config, join_errors(result.errors)};
}

engine::registry default_registry() {
  auto result = parse_registry(default_registry_yaml(), default_registry_name,
                               process_env());
  if (!result.registry) {
    std::fprintf(stderr,
                 "switchyard: the built-in model registry does not load "
                 "(check the *_BASE_URL environment variables):\n%s\n",
                 join_errors(result.errors).c_str());
    std::abort();
  }
  return std::move(*result.registry);
}

} // namespace switchyard::config
