#pragma once

#include "switchyard/config/config_error.hpp"
#include "switchyard/config/env_lookup.hpp"
#include "switchyard/config/map_entry.hpp"
#include "switchyard/config/number_range.hpp"
#include "switchyard/config/scalar_value.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace switchyard::config {

/// Reads typed values out of a parsed YAML document and collects every
/// problem as a `config_error` instead of stopping at the first one.
///
/// Each `read_*` function either returns the value or reports why not and
/// returns `nullopt`; callers keep going so that one run shows all errors.
/// Every scalar goes through `${...}` interpolation before it is converted.
/// Nothing here throws: yaml-cpp's accessors used are the non-throwing ones,
/// and conversions are done with `std::from_chars` rather than `as<T>()`.
class yaml_reader {
 public:
  /// `file` is what errors show as the file name.
  yaml_reader(std::string file, env_lookup env);

  // -- errors -----------------------------------------------------------------

  /// Records a problem. The current context (see `set_context`) is appended
  /// to `message`.
  void fail(int line, std::string field, std::string message);

  /// Text appended to every message until changed, e.g. ` (model 'gpt-5')`;
  /// empty for none.
  void set_context(std::string context) {
    context_ = std::move(context);
  }

  [[nodiscard]] bool failed() const noexcept {
    return !errors_.empty();
  }

  [[nodiscard]] std::size_t error_count() const noexcept {
    return errors_.size();
  }

  /// Moves the errors out, ordered by line (stable, so problems found on one
  /// line keep the order they were found in). Errors without a line come
  /// first.
  [[nodiscard]] std::vector<config_error> take_errors();

  [[nodiscard]] const std::string& file() const noexcept {
    return file_;
  }

  /// The 1-based line of `node`, or `fallback` when yaml-cpp has none.
  [[nodiscard]] static int line_of(const YAML::Node& node,
                                   int fallback = 0) noexcept;

  // -- scalars ----------------------------------------------------------------

  /// Reads `node` as a scalar and interpolates it. An empty value (`key:` or
  /// `~`) reads as "". Reports a list or mapping as "must be `expected`".
  std::optional<scalar_value> read_scalar(const YAML::Node& node,
                                          const std::string& field, int line,
                                          std::string_view expected);

  /// A string; `non_empty` refuses "".
  std::optional<std::string> read_string(const YAML::Node& node,
                                         const std::string& field, int line,
                                         bool non_empty = true);

  /// A finite number within `range`.
  std::optional<double> read_number(const YAML::Node& node,
                                    const std::string& field, int line,
                                    number_range range);

  /// A whole number within [min, max].
  std::optional<std::int64_t> read_integer(const YAML::Node& node,
                                           const std::string& field, int line,
                                           std::int64_t min, std::int64_t max);

  /// `true` or `false` (also YAML 1.1's yes/no/on/off, as yaml-cpp reads them).
  std::optional<bool> read_bool(const YAML::Node& node,
                                const std::string& field, int line);

  /// One of `names`; returns its index. `what` names the thing in messages
  /// ("unknown kind 'x'").
  std::optional<std::size_t>
  read_choice(const YAML::Node& node, const std::string& field, int line,
              std::span<const std::string_view> names, std::string_view what);

  // -- collections ------------------------------------------------------------

  /// Whether `node` is a mapping; reports it otherwise. `what` describes the
  /// expected content ("a mapping of provider ids to providers").
  bool expect_map(const YAML::Node& node, const std::string& field, int line,
                  std::string_view what = "a mapping");

  /// Whether `node` is a sequence; reports it otherwise.
  bool expect_sequence(const YAML::Node& node, const std::string& field,
                       int line, std::string_view what = "a list");

  /// The entries of a mapping with fixed keys. Reports a non-mapping, keys
  /// that are not plain names, duplicate keys, and keys not in `known` (with
  /// the nearest known key as a suggestion). Returns the remaining entries
  /// in document order. `key_kind` names the keys in messages when they are
  /// more than field names ("task type"); then the allowed list is always
  /// shown.
  std::vector<map_entry> fields(const YAML::Node& node,
                                const std::string& field, int line,
                                std::span<const std::string_view> known,
                                std::string_view key_kind = {});

  /// The entries of a mapping whose keys are data (ids): keys are
  /// interpolated and must be non-empty and unique; `what` names a key in
  /// messages ("provider id").
  std::vector<map_entry> entries(const YAML::Node& node,
                                 const std::string& field, int line,
                                 std::string_view what);

  /// Reports each name of `required` that is not a key of `entries`, at
  /// `line` (the mapping's).
  void require(const std::vector<map_entry>& entries,
               std::span<const std::string_view> required,
               const std::string& field, int line);

 private:
  std::optional<scalar_value> entry_key(const YAML::Node& key,
                                        const std::string& field, int line,
                                        bool interpolate_key);

  std::string file_;
  env_lookup env_;
  std::string context_;
  std::vector<config_error> errors_;
  /// Paths that an unknown key was said to be a misspelling of; `require`
  /// does not report them missing as well.
  std::vector<std::string> suggested_;
};

/// `parent.key`, or `key` at the top level.
[[nodiscard]] std::string field_path(const std::string& parent,
                                     std::string_view key);

/// `parent[index]`.
[[nodiscard]] std::string field_path(const std::string& parent,
                                     std::size_t index);

} // namespace switchyard::config
