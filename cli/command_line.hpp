#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::cli {

/// A subcommand's flags: `--name value`, `--name=value` and boolean
/// `--name`. Unknown flags are refused with the nearest known one suggested.
class command_line {
public:
  struct flag_spec {
    std::string_view name;
    bool takes_value;
    std::string_view help;
  };

  command_line(std::string_view command, std::string_view usage,
               std::initializer_list<flag_spec> flags);

  /// Parses `args`; false with `error()` set on a bad flag or missing value.
  bool parse(const std::vector<std::string>& args);

  /// What every command does first: parses `args`; on a bad flag prints
  /// "COMMAND: error" to stderr and gives 2, on --help prints the help and
  /// gives 0 (the exit code, for the command to return); else nothing, and
  /// the command goes on.
  [[nodiscard]] std::optional<int>
  parse_or_exit(const std::vector<std::string>& args,
                std::string_view command);

  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
  [[nodiscard]] const std::vector<std::string>& positional() const noexcept {
    return positional_;
  }
  [[nodiscard]] const std::string& error() const noexcept {
    return error_;
  }

  /// Usage text with every flag and its help.
  [[nodiscard]] std::string help() const;

  /// Parses a number flag; sets error() when it is not a number.
  std::optional<double> number(std::string_view name);
  std::optional<long long> integer(std::string_view name);

private:
  std::string command_;
  std::string usage_;
  std::vector<flag_spec> specs_;
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
  std::string error_;
};

/// Splits "HOST:PORT" (an IPv6 host may be bracketed); false when malformed.
[[nodiscard]] bool split_host_port(const std::string& text, std::string& host,
                                   std::uint16_t& port);

/// Levenshtein distance, for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace switchyard::cli
