#include "quality_bench.hpp"
#include "switchyard/config/fnv1a.hpp"

#include <cmath>
#include <simdjson.h>
#include <string>

namespace switchyard::bench {

namespace {

namespace od = simdjson::ondemand;

/// Builds `file:line: message` errors.
struct line_error {
  const std::string& path;
  std::uint32_t line;

  [[nodiscard]] std::string operator()(std::string_view message) const {
    std::string out = path;
    out += ':';
    out += std::to_string(line);
    out += ": ";
    out += message;
    return out;
  }

  [[nodiscard]] std::string json(simdjson::error_code e) const {
    std::string m = "malformed JSON (";
    m += simdjson::error_message(e);
    m += "); expected one object per line";
    return (*this)(m);
  }
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty()
         && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty()
         && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string single_quoted(std::string_view s) {
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

/// A string, or a number taken as written (ids are sometimes numbers).
simdjson::error_code read_id(od::value& v, std::string& out) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  std::string_view text;
  if (type == od::json_type::string) {
    if (auto e = v.get_string().get(text))
      return e;
  } else if (type == od::json_type::number) {
    text = trim(v.raw_json_token());
  } else {
    return simdjson::INCORRECT_TYPE;
  }
  out.assign(text);
  return simdjson::SUCCESS;
}

/// Reads one outcome object; returns an error message or "".
std::string read_outcome(od::value& v, std::string_view model,
                         quality_outcome& out, simdjson::error_code& json) {
  od::object obj;
  if ((json = v.get_object().get(obj)))
    return "";
  bool has_score = false;
  for (auto field : obj) {
    std::string_view key;
    if ((json = field.unescaped_key().get(key)))
      return "";
    if (key == "score") {
      if ((json = field.value().get_double().get(out.score))) {
        json = simdjson::SUCCESS;
        return "outcomes." + std::string{model} + ".score must be a number";
      }
      has_score = true;
    } else if (key == "cost_usd") {
      if ((json = field.value().get_double().get(out.cost_usd))) {
        json = simdjson::SUCCESS;
        return "outcomes." + std::string{model} + ".cost_usd must be a number";
      }
    }
  }
  if (!has_score)
    return "outcomes." + std::string{model} + ": missing \"score\"";
  if (!(out.score >= 0.0 && out.score <= 1.0))
    return "outcomes." + std::string{model} + ".score must be within 0-1, got "
           + std::to_string(out.score);
  if (!(out.cost_usd >= 0.0) || !std::isfinite(out.cost_usd))
    return "outcomes." + std::string{model} + ".cost_usd must be >= 0, got "
           + std::to_string(out.cost_usd);
  return "";
}

} // namespace

quality_dataset read_quality_jsonl(const std::string& path,
                                   const engine::registry& reg,
                                   std::string_view registry_name) {
  quality_dataset result;
  // The padded text outlives every document parsed from it.
  simdjson::padded_string text;
  if (auto e = simdjson::padded_string::load(path).get(text)) {
    result.error = path + ": cannot read (" + simdjson::error_message(e) + ")";
    return result;
  }
  od::parser parser;
  std::string_view all{text.data(), text.size()};
  std::size_t pos = 0;
  std::uint32_t line = 0;
  while (pos < all.size()) {
    auto nl = all.find('\n', pos);
    auto end = nl == std::string_view::npos ? all.size() : nl;
    auto row = trim(all.substr(pos, end - pos));
    pos = end + 1;
    ++line;
    if (row.empty())
      continue;
    line_error fail{path, line};
    if (row.front() != '{' || row.back() != '}') {
      result.error = fail("malformed JSON: expected one object per line");
      return result;
    }
    // The rest of the file and the padding follow the row: simdjson may read
    // that far, never beyond.
    auto capacity = static_cast<std::size_t>(
      text.data() + text.size() + simdjson::SIMDJSON_PADDING - row.data());
    od::document doc;
    od::object obj;
    if (auto e = parser.iterate(row.data(), row.size(), capacity).get(doc)) {
      result.error = fail.json(e);
      return result;
    }
    if (auto e = doc.get_object().get(obj)) {
      result.error = fail.json(e);
      return result;
    }
    quality_record rec;
    rec.line = line;
    bool has_id = false;
    bool has_prompt = false;
    bool has_outcomes = false;
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) {
        result.error = fail.json(e);
        return result;
      }
      od::value value;
      if (auto e = field.value().get(value)) {
        result.error = fail.json(e);
        return result;
      }
      simdjson::error_code e = simdjson::SUCCESS;
      if (key == "id") {
        if ((e = read_id(value, rec.id))) {
          result.error = fail("\"id\" must be a string or a number");
          return result;
        }
        has_id = true;
      } else if (key == "prompt") {
        std::string_view s;
        if ((e = value.get_string().get(s))) {
          result.error = fail("\"prompt\" must be a string");
          return result;
        }
        rec.prompt.assign(s);
        has_prompt = true;
      } else if (key == "category") {
        std::string_view s;
        if ((e = value.get_string().get(s))) {
          result.error = fail("\"category\" must be a string");
          return result;
        }
        rec.category.assign(s);
      } else if (key == "outcomes") {
        od::object outcomes;
        if ((e = value.get_object().get(outcomes))) {
          result.error = fail("\"outcomes\" must be an object of models");
          return result;
        }
        for (auto entry : outcomes) {
          std::string_view model;
          if ((e = entry.unescaped_key().get(model))) {
            result.error = fail.json(e);
            return result;
          }
          auto index = reg.model_index(model);
          if (!index) {
            result.error
              = fail("model " + single_quoted(model)
                     + " is not in the registry " + std::string{registry_name}
                     + "; add it there or pass --registry with one that has "
                       "it");
            return result;
          }
          quality_outcome o;
          o.model = *index;
          // The model name is a view into the document: copy it before
          // reading on.
          std::string name{model};
          od::value outcome;
          if ((e = entry.value().get(outcome))) {
            result.error = fail.json(e);
            return result;
          }
          auto message = read_outcome(outcome, name, o, e);
          if (e) {
            result.error = fail.json(e);
            return result;
          }
          if (!message.empty()) {
            result.error = fail(message);
            return result;
          }
          if (rec.find(o.model) != nullptr) {
            result.error = fail("model " + single_quoted(name)
                                + " appears twice in \"outcomes\"");
            return result;
          }
          rec.outcomes.push_back(o);
        }
        has_outcomes = true;
      }
    }
    if (!has_id || !has_prompt || !has_outcomes) {
      result.error = fail(!has_id       ? "missing \"id\""
                          : !has_prompt ? "missing \"prompt\""
                                        : "missing \"outcomes\"");
      return result;
    }
    if (rec.outcomes.empty()) {
      result.error = fail("\"outcomes\" names no model");
      return result;
    }
    result.records.push_back(std::move(rec));
  }
  if (result.records.empty())
    result.error = path + ": no records";
  return result;
}

double id_fraction(std::string_view id, std::uint64_t salt) noexcept {
  // FNV-1a, then splitmix64's finalizer so that every bit of the id reaches
  // the top 53 bits.
  auto x = config::fnv1a_64(id) ^ (salt * 0x9e3779b97f4a7c15ull);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

void split_by_id(std::vector<quality_record> records, double train_share,
                 std::vector<quality_record>& train,
                 std::vector<quality_record>& test, std::uint64_t salt) {
  for (auto& r : records)
    (id_fraction(r.id, salt) < train_share ? train : test)
      .push_back(std::move(r));
}

} // namespace switchyard::bench
