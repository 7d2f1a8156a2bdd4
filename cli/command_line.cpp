#include "command_line.hpp"

#include "switchyard/config/nearest_name.hpp"

// The one translation unit that includes CLI11: it is a large header, and
// its exceptions stop here (every error leaves as error()).
#include <CLI/CLI.hpp>

#include <cassert>
#include <charconv>
#include <iostream>

namespace switchyard::cli {

namespace {

// -- values -------------------------------------------------------------------

/// The whole of `text` as a double (as std::from_chars reads it: no leading
/// '+' or spaces), or none.
std::optional<double> to_number(std::string_view text) {
  double d = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return std::nullopt;
  return d;
}

/// The whole of `text` as a decimal integer, or none.
std::optional<long long> to_integer(std::string_view text) {
  long long i = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return std::nullopt;
  return i;
}

std::string_view type_name(takes argument) {
  switch (argument) {
    case takes::nothing: return "";
    case takes::text: return "TEXT";
    case takes::number: return "NUMBER";
    case takes::integer: return "INTEGER";
  }
  return "";
}

/// A CLI11 check on a flag's value: `problem` says what is wrong with it
/// (empty when nothing is). CLI11 would prefix the message with the flag's
/// name and a colon; the message this writes to `error` reads as a sentence.
template <class Problem>
CLI::Validator value_check(std::string& error, Problem problem) {
  return CLI::Validator{[&error, problem](std::string& text) {
                          error = problem(text);
                          return error;
                        },
                        ""};
}

// -- help ---------------------------------------------------------------------

/// Our --help layout: the command's usage text, then its flags, each with
/// what it takes and its help wrapped to 80 columns.
class help_formatter final : public CLI::Formatter {
public:
  explicit help_formatter(std::string usage) : usage_(std::move(usage)) {}

  std::string make_help(const CLI::App* app, std::string,
                        CLI::AppFormatMode mode) const override {
    return "usage: " + usage_ + "\n" + make_groups(app, mode);
  }

  std::string make_option(const CLI::Option* opt,
                          bool is_positional) const override {
    auto out = "  " + make_option_name(opt, is_positional)
               + make_option_opts(opt);
    const auto column = get_column_width();
    // A long name gets its help on the next line, as CLI11 does.
    if (out.size() + 2 > column) {
      out += '\n';
      out.append(column, ' ');
    } else {
      out.append(column - out.size(), ' ');
    }
    const auto description = make_option_desc(opt);
    std::string_view rest = description;
    auto line = column;
    bool line_empty = true;
    while (!rest.empty()) {
      auto space = rest.find(' ');
      auto word = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view{}
                                             : rest.substr(space + 1);
      if (word.empty())
        continue;
      if (!line_empty && line + 1 + word.size() > line_width) {
        out += '\n';
        out.append(column, ' ');
        line = column;
        line_empty = true;
      }
      if (!line_empty) {
        out += ' ';
        ++line;
      }
      out += word;
      line += word.size();
      line_empty = false;
    }
    return out + "\n";
  }

private:
  static constexpr std::size_t line_width = 80;
  std::string usage_;
};

// -- declaring the flags ------------------------------------------------------

/// Declares `specs` on `app`, in their order, then -h/--help; returns each
/// spec's option. A bad value's message goes to `error`.
std::vector<CLI::Option*>
declare_flags(CLI::App& app, const std::vector<command_line::flag_spec>& specs,
              std::string& error) {
  app.option_defaults()->group("flags");
  std::vector<CLI::Option*> options;
  options.reserve(specs.size());
  for (const auto& spec : specs) {
    auto flag = "--" + std::string{spec.name};
    const std::string help{spec.help};
    CLI::Option* opt = nullptr;
    if (spec.argument == takes::nothing) {
      // CLI11 would take `--json=false` as a value; a flag takes none.
      opt = app.add_flag(flag, help)
              ->check(value_check(error, [flag](const std::string& text) {
                return text == "true" ? std::string{}
                                      : "flag " + flag + " takes no value";
              }));
    } else {
      // The value is the next argument whatever it looks like
      // (`--serve-arg --io-threads=2`), and a repeated flag's last value
      // wins.
      opt = app.add_option(flag, help)
              ->type_name(std::string{type_name(spec.argument)})
              ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    if (spec.argument == takes::number)
      opt->check(value_check(error, [flag](const std::string& text) {
        return to_number(text) ? std::string{}
                               : flag + " must be a number, got '" + text
                                   + "'";
      }));
    if (spec.argument == takes::integer)
      opt->check(value_check(error, [flag](const std::string& text) {
        return to_integer(text) ? std::string{}
                                : flag + " must be an integer, got '" + text
                                    + "'";
      }));
    options.push_back(opt);
  }
  app.set_help_flag("-h,--help", "show this help");
  return options;
}

/// The flag name in an argument CLI11 did not recognize: "--budjet" from
/// "--budjet=1".
std::string_view flag_name(std::string_view arg) {
  return arg.substr(0, arg.find('='));
}

} // namespace

// -- command_line -------------------------------------------------------------

command_line::command_line(std::string_view command, std::string_view usage,
                           std::initializer_list<flag_spec> flags)
  : command_(command), usage_(usage), specs_(flags) {
}

const command_line::flag_spec*
command_line::find(std::string_view name) const {
  for (const auto& spec : specs_)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

bool command_line::parse(const std::vector<std::string>& args) {
  values_.clear();
  positional_.clear();
  error_.clear();
  help_requested_ = false;
  // "--flag=" with nothing after the '=': CLI11 would take the next
  // argument as the value.
  for (const auto& arg : args) {
    std::string_view a{arg};
    if (a.starts_with("--") && a.ends_with("=") && a.size() > 3) {
      auto name = a.substr(2, a.size() - 3);
      if (auto spec = find(name); spec && spec->argument != takes::nothing) {
        error_ = "flag --" + std::string{name}
                 + " needs a value (nothing follows '=')";
        return false;
      }
    }
  }
  CLI::App app{"", "switchyard " + command_};
  auto options = declare_flags(app, specs_, error_);
  // Every argument that is not a flag or a flag's value, anywhere on the
  // line, verbatim; hidden from --help (the usage text names them). CLI11
  // would split "[a,b]" for a positional of any length, so this one takes a
  // fixed count no command line reaches (ARG_MAX, 2 MiB, holds fewer).
  auto* rest = app.add_option("args")
                 ->group("")
                 ->expected(1 << 20)
                 ->allow_extra_args(false)
                 ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  // CLI11 reads the arguments from the back.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    help_requested_ = true;
    return true;
  } catch (const CLI::ExtrasError& e) {
    // Every argument that is not a flag is positional: what is left over is
    // an unknown flag.
    std::string unknown;
    for (const auto& arg : app.remaining())
      if (!arg.empty() && arg.front() == '-') {
        unknown = flag_name(arg);
        break;
      }
    if (unknown.empty()) {
      error_ = e.what();
      return false;
    }
    error_ = "unknown flag " + unknown;
    if (unknown.starts_with("--")) {
      std::vector<std::string_view> names;
      for (const auto& spec : specs_)
        names.push_back(spec.name);
      names.push_back("help");
      if (auto near = config::nearest_name(std::string_view{unknown}.substr(2),
                                           names))
        error_ += "; did you mean --" + std::string{*near} + "?";
    }
    error_ += " (see `switchyard " + command_ + " --help`)";
    return false;
  } catch (const CLI::ArgumentMismatch& e) {
    // CLI11 takes the argument after a flag as its value whatever it looks
    // like, so only the last argument can be missing its value.
    auto last = args.empty() ? std::string_view{}
                             : flag_name(std::string_view{args.back()});
    if (last.starts_with("--") && find(last.substr(2)) != nullptr)
      error_ = "flag " + std::string{last} + " needs a value";
    else
      error_ = e.what();
    return false;
  } catch (const CLI::ParseError& e) {
    // A bad value: our check wrote the message; anything else, CLI11's.
    if (error_.empty())
      error_ = e.what();
    return false;
  }
  positional_ = rest->results();
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const auto* opt = options[i];
    if (opt->count() == 0)
      continue;
    values_[std::string{specs_[i].name}]
      = specs_[i].argument == takes::nothing ? std::string{}
                                             : opt->results().back();
  }
  return true;
}

bool command_line::has(std::string_view name) const {
  assert(find(name) != nullptr);
  return values_.find(name) != values_.end();
}

std::optional<std::string> command_line::value(std::string_view name) const {
  assert(find(name) != nullptr);
  auto i = values_.find(name);
  if (i == values_.end())
    return std::nullopt;
  return i->second;
}

std::optional<double> command_line::number(std::string_view name) const {
  assert(find(name) != nullptr && find(name)->argument == takes::number);
  auto v = value(name);
  return v ? to_number(*v) : std::nullopt;
}

std::optional<long long> command_line::integer(std::string_view name) const {
  assert(find(name) != nullptr && find(name)->argument == takes::integer);
  auto v = value(name);
  return v ? to_integer(*v) : std::nullopt;
}

std::string command_line::help() const {
  CLI::App app{"", "switchyard " + command_};
  std::string unused;
  declare_flags(app, specs_, unused);
  app.formatter(std::make_shared<help_formatter>(usage_));
  return app.help();
}

std::optional<int>
command_line::parse_or_exit(const std::vector<std::string>& args,
                            std::string_view command) {
  return parse_or_exit(args, command, std::cout, std::cerr);
}

std::optional<int>
command_line::parse_or_exit(const std::vector<std::string>& args,
                            std::string_view command, std::ostream& out,
                            std::ostream& err) {
  if (!parse(args)) {
    err << command << ": " << error() << "\n";
    return 2;
  }
  if (help_requested()) {
    out << help();
    return 0;
  }
  return std::nullopt;
}

// -- addresses ----------------------------------------------------------------

bool split_host_port(const std::string& text, std::string& host,
                     std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto digits = std::string_view{text}.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                   value);
  if (digits.empty() || ec != std::errc{}
      || ptr != digits.data() + digits.size() || value > 65535)
    return false;
  port = static_cast<std::uint16_t>(value);
  return !host.empty();
}

} // namespace switchyard::cli
