#include "switchyard/config/yaml_reader.hpp"

#include "switchyard/config/interpolation.hpp"
#include "switchyard/config/nearest_name.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace switchyard::config {

namespace {

/// How a node that is not what was expected reads in "got ..." (text from
/// the file only: never interpolated).
std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull())
    return "nothing";
  if (node.IsSequence())
    return "a list";
  if (node.IsMap())
    return "a mapping";
  return "'" + node.Scalar() + "'";
}

std::string_view without_plus(std::string_view text) noexcept {
  if (text.size() > 1 && text.front() == '+')
    text.remove_prefix(1);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string result{text};
  for (auto& c : result)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return result;
}

std::string got(const scalar_value& value) {
  return value.text.empty() && !value.interpolated ? std::string{"nothing"}
                                                   : value.shown();
}

} // namespace

std::string field_path(const std::string& parent, std::string_view key) {
  if (parent.empty())
    return std::string{key};
  auto result = parent;
  result += '.';
  result += key;
  return result;
}

std::string field_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

yaml_reader::yaml_reader(std::string file, env_lookup env)
    : file_(std::move(file)), env_(std::move(env)) {
  // nop
}

// -- errors -------------------------------------------------------------------

void yaml_reader::fail(int line, std::string field, std::string message) {
  message += context_;
  errors_.push_back(
    config_error{file_, line, std::move(field), std::move(message)});
}

std::vector<config_error> yaml_reader::take_errors() {
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const config_error& a, const config_error& b) {
                     return a.line < b.line;
                   });
  return std::move(errors_);
}

int yaml_reader::line_of(const YAML::Node& node, int fallback) noexcept {
  if (!node.IsDefined())
    return fallback;
  auto mark = node.Mark();
  if (mark.is_null() || mark.line < 0)
    return fallback;
  return mark.line + 1;
}

// -- scalars ------------------------------------------------------------------

std::optional<scalar_value>
yaml_reader::read_scalar(const YAML::Node& node, const std::string& field,
                         int line, std::string_view expected) {
  if (!node.IsDefined() || node.IsNull())
    return scalar_value{{}, {}, line, false};
  if (!node.IsScalar()) {
    fail(line, field,
         "must be " + std::string{expected} + ", got " + describe_node(node));
    return std::nullopt;
  }
  auto raw = node.Scalar();
  auto expanded = interpolate(raw, env_);
  if (!expanded.problems.empty()) {
    for (auto& problem : expanded.problems)
      fail(line, field, std::move(problem));
    return std::nullopt;
  }
  return scalar_value{std::move(expanded.value), std::move(raw), line,
                      expanded.substituted};
}

std::optional<std::string> yaml_reader::read_string(const YAML::Node& node,
                                                    const std::string& field,
                                                    int line, bool non_empty) {
  auto value = read_scalar(node, field, line, "a string");
  if (!value)
    return std::nullopt;
  if (non_empty && value->text.empty()) {
    fail(line, field,
         value->interpolated ? "must not be empty, got " + value->shown()
                             : std::string{"must not be empty"});
    return std::nullopt;
  }
  return std::move(value->text);
}

std::optional<double> yaml_reader::read_number(const YAML::Node& node,
                                               const std::string& field,
                                               int line, number_range range) {
  auto value = read_scalar(node, field, line, "a number");
  if (!value)
    return std::nullopt;
  auto text = without_plus(value->text);
  double result = 0.0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   result);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()
      || !std::isfinite(result)) {
    fail(line, field, "must be a number, got " + got(*value));
    return std::nullopt;
  }
  if (!range.contains(result)) {
    fail(line, field,
         "must be " + range.describe() + ", got " + value->shown());
    return std::nullopt;
  }
  return result;
}

std::optional<std::int64_t>
yaml_reader::read_integer(const YAML::Node& node, const std::string& field,
                          int line, std::int64_t min, std::int64_t max) {
  auto value = read_scalar(node, field, line, "a whole number");
  if (!value)
    return std::nullopt;
  auto bounds = max == std::numeric_limits<std::int64_t>::max()
                  ? ">= " + std::to_string(min)
                  : "in [" + std::to_string(min) + ", " + std::to_string(max)
                      + "]";
  auto text = without_plus(value->text);
  std::int64_t result = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   result);
  if (text.empty() || end != text.data() + text.size()
      || (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
    fail(line, field, "must be a whole number, got " + got(*value));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || result < min || result > max) {
    fail(line, field, "must be " + bounds + ", got " + value->shown());
    return std::nullopt;
  }
  return result;
}

std::optional<bool> yaml_reader::read_bool(const YAML::Node& node,
                                           const std::string& field, int line) {
  auto value = read_scalar(node, field, line, "true or false");
  if (!value)
    return std::nullopt;
  // YAML 1.1's spellings, which yaml-cpp's own conversion accepts too.
  auto text = lowercase(value->text);
  if (text == "true" || text == "yes" || text == "on")
    return true;
  if (text == "false" || text == "no" || text == "off")
    return false;
  fail(line, field, "must be true or false, got " + got(*value));
  return std::nullopt;
}

std::optional<std::size_t>
yaml_reader::read_choice(const YAML::Node& node, const std::string& field,
                         int line, std::span<const std::string_view> names,
                         std::string_view what) {
  auto allowed = join_names(names);
  auto value = read_scalar(node, field, line, "one of: " + allowed);
  if (!value)
    return std::nullopt;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == value->text)
      return i;
  auto message = value->text.empty() && !value->interpolated
                   ? "missing " + std::string{what}
                   : "unknown " + std::string{what} + " " + value->shown();
  if (auto hint = nearest_name(value->text, names))
    message += "; did you mean '" + std::string{*hint} + "'? allowed: ";
  else
    message += "; allowed: ";
  message += allowed;
  fail(line, field, std::move(message));
  return std::nullopt;
}

// -- collections --------------------------------------------------------------

bool yaml_reader::expect_map(const YAML::Node& node, const std::string& field,
                             int line, std::string_view what) {
  if (node.IsDefined() && node.IsMap())
    return true;
  fail(line, field,
       "must be " + std::string{what} + ", got " + describe_node(node));
  return false;
}

bool yaml_reader::expect_sequence(const YAML::Node& node,
                                  const std::string& field, int line,
                                  std::string_view what) {
  if (node.IsDefined() && node.IsSequence())
    return true;
  fail(line, field,
       "must be " + std::string{what} + ", got " + describe_node(node));
  return false;
}

std::optional<scalar_value>
yaml_reader::entry_key(const YAML::Node& key, const std::string& field,
                       int line, bool interpolate_key) {
  if (!key.IsScalar()) {
    fail(line, field, "keys must be plain names, got " + describe_node(key));
    return std::nullopt;
  }
  if (!interpolate_key)
    return scalar_value{key.Scalar(), key.Scalar(), line, false};
  return read_scalar(key, field_path(field, key.Scalar()), line, "a name");
}

std::vector<map_entry>
yaml_reader::fields(const YAML::Node& node, const std::string& field, int line,
                    std::span<const std::string_view> known,
                    std::string_view key_kind) {
  std::vector<map_entry> result;
  if (!expect_map(node, field, line))
    return result;
  std::unordered_map<std::string, int> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: `it->first` and `it->second` live in a temporary proxy.
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    auto key_line = line_of(key_node, line);
    auto key = entry_key(key_node, field, key_line, false);
    if (!key)
      continue;
    auto path = field_path(field, key->text);
    if (auto [pos, added] = seen.emplace(key->text, key_line); !added) {
      fail(key_line, path,
           "duplicate key; first given at line " + std::to_string(pos->second));
      continue;
    }
    if (std::find(known.begin(), known.end(), key->text) == known.end()) {
      auto message = "unknown "
                     + (key_kind.empty() ? std::string{"key"}
                                         : std::string{key_kind});
      auto hint = nearest_name(key->text, known);
      if (hint) {
        suggested_.emplace_back(field_path(field, *hint));
        message += "; did you mean '" + std::string{*hint} + "'?";
      }
      if (!hint || !key_kind.empty())
        message += (hint ? " allowed: " : "; allowed: ") + join_names(known);
      fail(key_line, std::move(path), std::move(message));
      continue;
    }
    auto value_line = value.IsNull() ? key_line : line_of(value, key_line);
    result.push_back(
      map_entry{std::move(*key), value, std::move(path), value_line, key_line});
  }
  return result;
}

std::vector<map_entry> yaml_reader::entries(const YAML::Node& node,
                                            const std::string& field, int line,
                                            std::string_view what) {
  std::vector<map_entry> result;
  if (!expect_map(node, field, line, "a mapping of " + std::string{what} + "s"))
    return result;
  std::unordered_map<std::string, int> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    auto key_line = line_of(key_node, line);
    auto key = entry_key(key_node, field, key_line, true);
    if (!key)
      continue;
    auto path = field_path(field, key->raw);
    if (key->text.empty()) {
      fail(key_line, path, std::string{what} + " must not be empty");
      continue;
    }
    if (auto [pos, added] = seen.emplace(key->text, key_line); !added) {
      fail(key_line, path,
           "duplicate " + std::string{what} + " " + key->shown()
             + "; first defined at line " + std::to_string(pos->second));
      continue;
    }
    auto value_line = value.IsNull() ? key_line : line_of(value, key_line);
    result.push_back(
      map_entry{std::move(*key), value, std::move(path), value_line, key_line});
  }
  return result;
}

void yaml_reader::require(const std::vector<map_entry>& entries,
                          std::span<const std::string_view> required,
                          const std::string& field, int line) {
  for (auto name : required) {
    auto present = std::any_of(entries.begin(), entries.end(),
                               [name](const map_entry& e) {
                                 return e.key.text == name;
                               });
    if (present)
      continue;
    auto path = field_path(field, name);
    // A misspelt key was already reported with this name as the suggestion.
    if (std::find(suggested_.begin(), suggested_.end(), path)
        != suggested_.end())
      continue;
    fail(line, std::move(path), "missing required key");
  }
}

} // namespace switchyard::config
