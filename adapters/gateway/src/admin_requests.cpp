#include "switchyard/gateway/admin_requests.hpp"

#include <simdjson.h>

namespace switchyard::gateway {

namespace {

api_error bad_field(std::string_view field, std::string_view what) {
  return {400, "invalid_request_error", "invalid_" + std::string{field},
          "'" + std::string{field} + "' " + std::string{what} + "."};
}

/// Parses `body` as a JSON object (an empty body is `{}`).
std::optional<api_error> parse_object(simdjson::dom::parser& parser,
                                      std::string_view body,
                                      simdjson::dom::object& out) {
  simdjson::padded_string input{body.empty() ? std::string_view{"{}"} : body};
  simdjson::dom::element doc;
  if (parser.parse(input).get(doc) != simdjson::SUCCESS
      || doc.get(out) != simdjson::SUCCESS)
    return api_error{400, "invalid_request_error", "invalid_json",
                     "The body must be a JSON object."};
  return std::nullopt;
}

} // namespace

std::variant<key_request, api_error> parse_key_request(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (auto e = parse_object(parser, body, obj))
    return *e;
  key_request k;
  for (auto [field, value] : obj) {
    if (field == "name") {
      std::string_view name;
      if (value.get(name) != simdjson::SUCCESS || name.empty()
          || name.size() > 200)
        return bad_field(field, "must be a string of 1-200 characters");
      k.name = std::string{name};
    } else if (field == "admin") {
      if (value.get(k.admin) != simdjson::SUCCESS)
        return bad_field(field, "must be true or false");
    } else if (field == "budget_usd") {
      if (value.is_null())
        continue;
      double d = 0;
      if (value.get(d) != simdjson::SUCCESS || !(d >= 0) || d > 1e9)
        return bad_field(field, "must be a number of USD from 0 to 1e9, or null");
      k.budget_usd = d;
    } else if (field == "requests_per_minute") {
      if (value.is_null())
        continue;
      std::int64_t rpm = 0;
      if (value.get(rpm) != simdjson::SUCCESS || rpm < 1 || rpm > 10'000'000)
        return bad_field(field, "must be an integer from 1 to 10000000, or null");
      k.requests_per_minute = static_cast<std::uint32_t>(rpm);
    } else {
      return bad_field(field, "is not a key field (name, admin, budget_usd, "
                              "requests_per_minute)");
    }
  }
  return k;
}

std::variant<engine::experiment_spec, api_error>
parse_experiment_request(std::string_view body, const engine::registry& reg,
                         std::uint64_t default_seed) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (auto e = parse_object(parser, body, obj))
    return *e;
  engine::experiment_spec spec;
  spec.seed = default_seed;
  bool has_type = false;
  for (auto [field, value] : obj) {
    if (field == "id") {
      std::string_view id;
      if (value.get(id) != simdjson::SUCCESS || id.empty() || id.size() > 100)
        return bad_field(field, "must be a string of 1-100 characters");
      spec.id = std::string{id};
    } else if (field == "task_type") {
      std::string_view t;
      std::optional<engine::task_type> type;
      if (value.get(t) == simdjson::SUCCESS)
        type = engine::parse_task_type(t);
      if (!type)
        return bad_field(field, "must be a task type (e.g. code_review)");
      spec.type = *type;
      has_type = true;
    } else if (field == "arms") {
      simdjson::dom::array arms;
      if (value.get(arms) != simdjson::SUCCESS)
        return bad_field(field, "must be an array of arms");
      for (auto arm : arms) {
        engine::experiment_arm a;
        std::string_view text;
        simdjson::dom::object o;
        if (arm.get(text) == simdjson::SUCCESS) {
          a.name = std::string{text};
          if (text != "router")
            a.model = std::string{text};
        } else if (arm.get(o) == simdjson::SUCCESS) {
          std::string_view name;
          if (o["name"].get(name) != simdjson::SUCCESS || name.empty())
            return bad_field(field, "entries need a non-empty 'name'");
          a.name = std::string{name};
          auto model = o["model"];
          std::string_view m;
          if (model.error() == simdjson::SUCCESS && !model.is_null()) {
            if (model.get(m) != simdjson::SUCCESS)
              return bad_field(field, "entries' 'model' must be a registry "
                                      "id or null (the router's choice)");
            a.model = std::string{m};
          }
        } else {
          return bad_field(field, "entries must be a model id, \"router\" or "
                                  "{\"name\",\"model\"}");
        }
        spec.arms.push_back(std::move(a));
      }
    } else if (field == "metric") {
      std::string_view m;
      std::optional<engine::experiment_metric> metric;
      if (value.get(m) == simdjson::SUCCESS)
        metric = engine::parse_experiment_metric(m);
      if (!metric)
        return bad_field(field, "must be feedback or success");
      spec.metric = *metric;
    } else if (field == "traffic_share") {
      if (value.get(spec.traffic_share) != simdjson::SUCCESS)
        return bad_field(field, "must be a number from 0 to 1");
    } else if (field == "significance") {
      if (value.get(spec.significance) != simdjson::SUCCESS)
        return bad_field(field, "must be a number between 0 and 1");
    } else if (field == "min_samples_per_arm") {
      std::int64_t n = 0;
      if (value.get(n) != simdjson::SUCCESS || n < 2 || n > 1'000'000'000)
        return bad_field(field, "must be an integer from 2 to 1000000000");
      spec.min_samples_per_arm = static_cast<std::uint32_t>(n);
    } else if (field == "seed") {
      std::uint64_t seed = 0;
      if (value.get(seed) != simdjson::SUCCESS)
        return bad_field(field, "must be a non-negative integer");
      spec.seed = seed;
    } else {
      return bad_field(field, "is not an experiment field");
    }
  }
  if (spec.id.empty())
    return bad_field("id", "is required");
  if (!has_type)
    return bad_field("task_type", "is required");
  if (auto problem = engine::validate_experiment(spec, reg); !problem.empty())
    return api_error{400, "invalid_request_error", "invalid_experiment",
                     problem};
  return spec;
}

} // namespace switchyard::gateway
