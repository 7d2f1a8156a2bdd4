#include "switchyard/config/interpolation.hpp"

#include <optional>

namespace switchyard::config {

namespace {

constexpr std::string_view usage = "write '${NAME}' or '${NAME:-default}'";

bool is_name_start(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) noexcept {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

} // namespace

bool is_env_name(std::string_view name) noexcept {
  if (name.empty() || !is_name_start(name.front()))
    return false;
  for (char c : name)
    if (!is_name_char(c))
      return false;
  return true;
}

interpolation interpolate(std::string_view text, const env_lookup& env) {
  interpolation result;
  result.value.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto dollar = text.find('$', pos);
    if (dollar == std::string_view::npos) {
      result.value.append(text.substr(pos));
      break;
    }
    result.value.append(text.substr(pos, dollar - pos));
    auto rest = text.substr(dollar);
    if (rest.starts_with("$${")) {
      result.value += "${";
      pos = dollar + 3;
      continue;
    }
    if (!rest.starts_with("${")) {
      result.value += '$';
      pos = dollar + 1;
      continue;
    }
    auto close = rest.find('}');
    if (close == std::string_view::npos) {
      result.problems.emplace_back("unterminated '${' (no closing '}'); "
                                   + std::string{usage});
      result.value.append(rest);
      break;
    }
    auto reference = rest.substr(0, close + 1);
    auto body = rest.substr(2, close - 2);
    pos = dollar + close + 1;
    std::string_view name = body;
    std::optional<std::string_view> fallback;
    if (auto sep = body.find(":-"); sep != std::string_view::npos) {
      name = body.substr(0, sep);
      fallback = body.substr(sep + 2);
    }
    if (!is_env_name(name)) {
      // Only text from the file is quoted here, never an environment value.
      result.problems.emplace_back(
        "'" + std::string{reference}
        + "' is not a valid reference (a variable name is letters, digits and "
          "'_', not starting with a digit); "
        + std::string{usage});
      result.value.append(reference);
      continue;
    }
    if (fallback && fallback->find("${") != std::string_view::npos) {
      result.problems.emplace_back(
        "'${' inside the default of '${" + std::string{name}
        + ":-...}' is not supported; nested references cannot be expanded");
      result.value.append(reference);
      continue;
    }
    auto value = env ? env(name) : std::nullopt;
    if (value && (!value->empty() || !fallback)) {
      result.value += *value;
      result.substituted = true;
    } else if (fallback) {
      result.value.append(*fallback);
      result.substituted = true;
    } else {
      result.problems.emplace_back("environment variable " + std::string{name}
                                   + " is not set and '${" + std::string{name}
                                   + "}' has no default; set it or write '${"
                                   + std::string{name} + ":-default}'");
      result.value.append(reference);
    }
  }
  return result;
}

} // namespace switchyard::config
