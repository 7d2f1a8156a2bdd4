#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::cli {

/// What a flag takes after its name: `--json` nothing; `--config F` any
/// text; `--budget 0.5` a number; `--threads 4` an integer. Numbers and
/// integers are checked while parsing, so a bad one fails before the
/// command does anything.
enum class takes : std::uint8_t { nothing, text, number, integer };

/// A subcommand's flags: `--name value`, `--name=value` and `--name` for a
/// flag that takes nothing, and -h/--help; everything else is positional,
/// `-5` too (`--` ends the flags). Parsed by CLI11, which only
/// command_line.cpp includes. Unknown flags are refused with the nearest
/// known one suggested.
class command_line {
public:
  struct flag_spec {
    std::string_view name;
    takes argument;
    /// Its --help text (wrapped to 80 columns); says the default where
    /// there is one.
    std::string_view help;
  };

  /// `command` is how --help and errors name it ("route", "bench gateway");
  /// `usage` is the synopsis and description --help prints first.
  command_line(std::string_view command, std::string_view usage,
               std::initializer_list<flag_spec> flags);

  /// Parses `args` (without the command's name); false with `error()` set
  /// on an unknown flag, a missing value or a bad number.
  bool parse(const std::vector<std::string>& args);

  /// What every command does first: parses `args`; on a bad flag prints
  /// "COMMAND: error" to stderr and gives 2, on --help prints the help and
  /// gives 0 (the exit code, for the command to return); else nothing, and
  /// the command goes on.
  [[nodiscard]] std::optional<int>
  parse_or_exit(const std::vector<std::string>& args,
                std::string_view command);

  /// Same, printing to `out` and `err`.
  [[nodiscard]] std::optional<int>
  parse_or_exit(const std::vector<std::string>& args, std::string_view command,
                std::ostream& out, std::ostream& err);

  /// Whether the flag was given.
  [[nodiscard]] bool has(std::string_view name) const;

  /// The flag's value (the last one if it was given twice); none when it
  /// was not given, "" for a flag that takes nothing.
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;

  /// The value of a flag that takes a number or an integer; parse() has
  /// checked it, so none means only that it was not given.
  [[nodiscard]] std::optional<double> number(std::string_view name) const;
  [[nodiscard]] std::optional<long long> integer(std::string_view name) const;

  [[nodiscard]] const std::vector<std::string>& positional() const noexcept {
    return positional_;
  }

  [[nodiscard]] const std::string& error() const noexcept {
    return error_;
  }

  /// Whether parse() saw --help (or -h).
  [[nodiscard]] bool help_requested() const noexcept {
    return help_requested_;
  }

  /// The usage text, then every flag with what it takes and its help.
  [[nodiscard]] std::string help() const;

private:
  [[nodiscard]] const flag_spec* find(std::string_view name) const;

  std::string command_;
  std::string usage_;
  std::vector<flag_spec> specs_;
  /// The flags given, by name: the last value, "" for a flag.
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
  std::string error_;
  bool help_requested_ = false;
};

/// Splits "HOST:PORT" (an IPv6 host may be bracketed); false when malformed.
[[nodiscard]] bool split_host_port(const std::string& text, std::string& host,
                                   std::uint16_t& port);

} // namespace switchyard::cli
