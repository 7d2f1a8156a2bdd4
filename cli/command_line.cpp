#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <numeric>

namespace switchyard::cli {

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

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    auto diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      auto up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

command_line::command_line(std::string_view command, std::string_view usage,
                           std::initializer_list<flag_spec> flags)
  : command_(command), usage_(usage), specs_(flags) {
  specs_.push_back({"help", false, "show this help"});
}

bool command_line::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.size() < 3 || a.substr(0, 2) != "--") {
      positional_.emplace_back(a);
      continue;
    }
    auto body = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string{body.substr(eq + 1)};
      body = body.substr(0, eq);
    }
    auto spec = std::find_if(specs_.begin(), specs_.end(),
                             [&](const flag_spec& s) { return s.name == body; });
    if (spec == specs_.end()) {
      error_ = "unknown flag --" + std::string{body};
      std::string_view best;
      std::size_t best_d = 4;
      for (const auto& s : specs_) {
        auto d = edit_distance(body, s.name);
        if (d < best_d) {
          best_d = d;
          best = s.name;
        }
      }
      if (!best.empty())
        error_ += "; did you mean --" + std::string{best} + "?";
      error_ += " (see `switchyard " + command_ + " --help`)";
      return false;
    }
    if (!spec->takes_value) {
      if (inline_value) {
        error_ = "flag --" + std::string{body} + " takes no value";
        return false;
      }
      values_[std::string{body}] = "";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        error_ = "flag --" + std::string{body} + " needs a value";
        return false;
      }
      inline_value = args[++i];
    }
    values_[std::string{body}] = *inline_value;
  }
  return true;
}

bool command_line::has(std::string_view name) const {
  return values_.find(name) != values_.end();
}

std::optional<std::string> command_line::value(std::string_view name) const {
  auto i = values_.find(name);
  if (i == values_.end())
    return std::nullopt;
  return i->second;
}

std::optional<double> command_line::number(std::string_view name) {
  auto v = value(name);
  if (!v)
    return std::nullopt;
  double d = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc{} || ptr != v->data() + v->size()) {
    error_ = "--" + std::string{name} + " must be a number, got '" + *v + "'";
    return std::nullopt;
  }
  return d;
}

std::optional<long long> command_line::integer(std::string_view name) {
  auto v = value(name);
  if (!v)
    return std::nullopt;
  long long i = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), i);
  if (ec != std::errc{} || ptr != v->data() + v->size()) {
    error_ = "--" + std::string{name} + " must be an integer, got '" + *v + "'";
    return std::nullopt;
  }
  return i;
}

std::string command_line::help() const {
  std::string out = "usage: " + usage_ + "\n\nflags:\n";
  for (const auto& s : specs_) {
    std::string left = "  --" + std::string{s.name};
    if (s.takes_value)
      left += " VALUE";
    if (left.size() < 26)
      left.resize(26, ' ');
    else
      left += "  ";
    out += left + std::string{s.help} + "\n";
  }
  return out;
}

std::optional<int>
command_line::parse_or_exit(const std::vector<std::string>& args,
                            std::string_view command) {
  if (!parse(args)) {
    std::cerr << command << ": " << error() << "\n";
    return 2;
  }
  if (has("help")) {
    std::cout << help();
    return 0;
  }
  return std::nullopt;
}

} // namespace switchyard::cli
