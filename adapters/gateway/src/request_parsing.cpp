#include "switchyard/gateway/request_parsing.hpp"

#include "switchyard/engine/execution_plan.hpp"

#include <algorithm>

#include <charconv>

namespace switchyard::gateway {

namespace {

std::optional<double> parse_double(std::string_view s) {
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return d;
}

api_error unknown_pin(std::string_view model) {
  return {404, "invalid_request_error", "model_not_found",
          "pin_model: the model `" + std::string{model}
            + "` does not exist; use an id from GET /v1/models, true or "
              "false"};
}

/// Each thread's parser and padded input buffer, reused. After an unusually
/// large body they are let go at the next parse (the previous document is
/// no longer read by then), so a thread does not keep up to max_body_bytes
/// (32 MiB) twice for good.
struct json_scratch {
  simdjson::dom::parser parser;
  std::string input;
};

json_scratch& scratch() {
  thread_local json_scratch s;
  return s;
}

} // namespace

api_error bad_request(std::string message, std::string code) {
  return {400, "invalid_request_error", std::move(code), std::move(message)};
}

std::optional<api_error> parse_json(std::string_view body, parsed_json& p) {
  auto& s = scratch();
  constexpr std::size_t keep_bytes = 1u << 20;
  if (s.input.capacity() > keep_bytes && body.size() <= keep_bytes) {
    s.input = std::string{};
    s.parser = simdjson::dom::parser{};
  }
  s.input.assign(body);
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: they must be
  // ours (capacity), whatever they hold.
  s.input.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  if (s.parser.parse(s.input.data(), s.input.size(), false).get(p.root)
      != simdjson::SUCCESS)
    return bad_request("We could not parse the JSON body of your request. "
                       "The body must be valid JSON.",
                       "invalid_json");
  if (!p.root.is_object())
    return bad_request("The request body must be a JSON object.");
  return std::nullopt;
}

std::optional<api_error>
apply_hints(simdjson::dom::element body, const header_lookup& headers,
            const engine::registry& reg, chat_request& out) {
  auto& t = out.task;
  auto set_type = [&](std::string_view v) -> std::optional<api_error> {
    t.type = engine::parse_task_type(v);
    if (!t.type)
      return bad_request("unknown task_type '" + std::string{v}
                           + "'; one of code_generation, code_review, "
                             "testing, refactoring, reasoning, planning, "
                             "analysis, security_audit, documentation, "
                             "tool_use, multimodal, long_context, general",
                         "invalid_task_type");
    return std::nullopt;
  };
  auto set_tier = [&](std::string_view v) -> std::optional<api_error> {
    t.tier = engine::parse_complexity_tier(v);
    if (!t.tier)
      return bad_request("unknown complexity '" + std::string{v}
                           + "'; one of simple, moderate, complex, critical",
                         "invalid_complexity");
    return std::nullopt;
  };
  auto set_pin = [&](std::string_view v) -> std::optional<api_error> {
    if (!reg.find_model(v))
      return unknown_pin(v);
    out.pin = pin_mode::model;
    out.pin_model.assign(v);
    return std::nullopt;
  };
  auto set_plan = [&](std::string_view v) -> std::optional<api_error> {
    t.plan = engine::plan_kind_from(v);
    if (!t.plan)
      return bad_request("unknown plan '" + std::string{v}
                           + "'; one of single, chain, specialists, critic",
                         "invalid_plan");
    return std::nullopt;
  };
  auto set_escalate = [&](std::string_view v) -> std::optional<api_error> {
    if (v != "buffered")
      return bad_request("switchyard.escalate must be \"buffered\" (a "
                         "streamed answer then waits for the quality judge)",
                         "invalid_escalate");
    t.escalate_buffered = true;
    return std::nullopt;
  };
  simdjson::dom::object hints;
  if (body["switchyard"].get(hints) == simdjson::SUCCESS) {
    std::string_view s;
    double d;
    bool b;
    for (auto [key, value] : hints) {
      (void)value;
      constexpr std::string_view known[] = {
        "task_type", "complexity", "budget_usd", "quality",
        "parallel",  "pin_model",  "plan",       "escalate"};
      if (std::find(std::begin(known), std::end(known), key) == std::end(known))
        return bad_request("unknown field switchyard." + std::string{key}
                             + "; the switchyard object takes task_type, "
                               "complexity, budget_usd, quality, parallel, "
                               "pin_model, plan and escalate",
                           "unknown_parameter");
    }
    simdjson::dom::element el;
    if (hints["plan"].get(el) == simdjson::SUCCESS) {
      if (el.get(s) != simdjson::SUCCESS)
        return bad_request("switchyard.plan must be a string", "invalid_plan");
      if (auto e = set_plan(s))
        return e;
    }
    if (hints["escalate"].get(el) == simdjson::SUCCESS) {
      if (el.get(s) != simdjson::SUCCESS)
        return bad_request("switchyard.escalate must be \"buffered\"",
                           "invalid_escalate");
      if (auto e = set_escalate(s))
        return e;
    }
    if (hints["task_type"].get(s) == simdjson::SUCCESS)
      if (auto e = set_type(s))
        return e;
    if (hints["complexity"].get(s) == simdjson::SUCCESS)
      if (auto e = set_tier(s))
        return e;
    if (hints["budget_usd"].get(d) == simdjson::SUCCESS)
      t.budget_usd = d;
    if (hints["quality"].get(d) == simdjson::SUCCESS)
      t.min_quality = d;
    if (hints["parallel"].get(b) == simdjson::SUCCESS)
      t.parallel = b;
    simdjson::dom::element pin;
    if (hints["pin_model"].get(pin) == simdjson::SUCCESS && !pin.is_null()) {
      if (pin.get(b) == simdjson::SUCCESS)
        out.pin = b ? pin_mode::from_ids : pin_mode::off;
      else if (pin.get(s) == simdjson::SUCCESS) {
        if (auto e = set_pin(s))
          return e;
      } else
        return bad_request("switchyard.pin_model must be true, false or a "
                           "model id");
    }
  }
  if (auto v = headers("x-switchyard-task-type"))
    if (auto e = set_type(*v))
      return e;
  if (auto v = headers("x-switchyard-complexity"))
    if (auto e = set_tier(*v))
      return e;
  if (auto v = headers("x-switchyard-plan"))
    if (auto e = set_plan(*v))
      return e;
  if (auto v = headers("x-switchyard-escalate"))
    if (auto e = set_escalate(*v))
      return e;
  if (auto v = headers("x-switchyard-budget-usd")) {
    t.budget_usd = parse_double(*v);
    if (!t.budget_usd)
      return bad_request("X-Switchyard-Budget-Usd must be a number");
  }
  if (auto v = headers("x-switchyard-quality")) {
    t.min_quality = parse_double(*v);
    if (!t.min_quality)
      return bad_request("X-Switchyard-Quality must be a number");
  }
  if (auto v = headers("x-switchyard-parallel"))
    t.parallel = *v == "true" || *v == "1";
  if (auto v = headers("x-switchyard-pin-model")) {
    if (*v == "false" || *v == "0")
      out.pin = pin_mode::off;
    else if (*v == "true" || *v == "1")
      out.pin = pin_mode::from_ids;
    else if (auto e = set_pin(*v))
      return e;
  }
  if (t.budget_usd && *t.budget_usd < 0)
    return bad_request("budget_usd must be >= 0");
  if (t.min_quality && (*t.min_quality < 0 || *t.min_quality > 1))
    return bad_request("quality must be between 0 and 1");
  return std::nullopt;
}

std::optional<api_error> resolve_model(std::string_view model,
                                       const engine::registry& reg,
                                       chat_request& out) {
  out.requested_model.assign(model);
  if (model == "auto")
    return std::nullopt;
  if (!reg.find_model(model))
    return api_error{404, "invalid_request_error", "model_not_found",
                     "The model `" + std::string{model}
                       + "` does not exist; use \"auto\" or an id from "
                         "GET /v1/models"};
  out.forced_model.assign(model);
  out.task.force_model = out.forced_model;
  return std::nullopt;
}

bool split_data_url(std::string_view url, std::string& media_type,
                    std::string& data) {
  constexpr std::string_view scheme = "data:";
  constexpr std::string_view base64 = ";base64,";
  if (url.substr(0, scheme.size()) != scheme)
    return false;
  auto rest = url.substr(scheme.size());
  auto marker = rest.find(base64);
  if (marker == std::string_view::npos || marker == 0)
    return false;
  media_type.assign(rest.substr(0, marker));
  data.assign(rest.substr(marker + base64.size()));
  return !data.empty();
}

bool is_http_url(std::string_view url) noexcept {
  return url.substr(0, 7) == "http://" || url.substr(0, 8) == "https://";
}

std::string raw_json(simdjson::dom::element e) {
  return simdjson::minify(e);
}

bool is_json_object(std::string_view text) {
  // Not the request's parser: a reply is rendered while no request
  // document is in use on this thread, but keep them apart anyway.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded{text};
  simdjson::dom::element e;
  return parser.parse(padded).get(e) == simdjson::SUCCESS && e.is_object();
}

std::optional<api_error>
optional_string(simdjson::dom::object obj, std::string_view key,
                std::string_view where, std::string& out) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null())
    return std::nullopt;
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS)
    return bad_request(std::string{where} + "." + std::string{key}
                       + " must be a string");
  out.assign(s);
  return std::nullopt;
}

} // namespace switchyard::gateway
