#include "task_from_python.hpp"

#include "switchyard/engine/execution_plan.hpp"

#include "switchyard/engine/capabilities.hpp"
#include "switchyard/engine/task_type.hpp"
#include "switchyard/engine/tool_choice_words.hpp"

#include <pybind11/stl.h>

#include <string>
#include <string_view>

namespace py = pybind11;

namespace switchyard::python {

namespace {

[[noreturn]] void bad(const std::string& message) {
  throw py::value_error(message);
}

/// JSON text for a value the caller gave as a dict/list, or as text already.
std::string json_text(const py::handle& value) {
  if (py::isinstance<py::str>(value))
    return value.cast<std::string>();
  // Leaked on purpose: a static py::object would be released by the C++
  // exit handlers, after the interpreter is gone.
  static auto* dumps = new py::object(py::module_::import("json").attr("dumps"));
  return (*dumps)(value).cast<std::string>();
}

std::string str_field(const py::dict& d, const char* key,
                      const std::string& where) {
  if (!d.contains(key))
    return {};
  auto v = d[key];
  if (v.is_none())
    return {};
  if (!py::isinstance<py::str>(v))
    throw py::type_error(where + "." + key + " must be a string");
  return v.cast<std::string>();
}

engine::content_part image_part(const py::dict& part, const std::string& where) {
  engine::content_part p;
  p.kind = engine::part_kind::image;
  py::object image = part.contains("image_url") ? py::object(part["image_url"])
                                                : py::object(py::none());
  std::string url;
  if (py::isinstance<py::str>(image)) {
    url = image.cast<std::string>();
  } else if (py::isinstance<py::dict>(image)) {
    auto d = image.cast<py::dict>();
    url = str_field(d, "url", where + ".image_url");
    p.detail = str_field(d, "detail", where + ".image_url");
  } else {
    bad(where + ".image_url must be a URL or {\"url\": ...}");
  }
  constexpr std::string_view data_prefix = "data:";
  if (url.rfind(data_prefix, 0) == 0) {
    // data:image/png;base64,XXXX
    auto semicolon = url.find(';');
    auto comma = url.find(',');
    if (semicolon == std::string::npos || comma == std::string::npos
        || url.compare(semicolon, 8, ";base64,") != 0)
      bad(where + ".image_url: a data URL must be data:<type>;base64,<bytes>");
    p.media_type = url.substr(data_prefix.size(),
                              semicolon - data_prefix.size());
    p.data = url.substr(comma + 1);
  } else {
    p.url = std::move(url);
  }
  return p;
}

std::vector<engine::content_part> parts_from(const py::handle& content,
                                             const std::string& where) {
  std::vector<engine::content_part> parts;
  if (content.is_none())
    return parts;
  if (py::isinstance<py::str>(content)) {
    auto text = content.cast<std::string>();
    if (!text.empty())
      parts.push_back(engine::content_part::make_text(std::move(text)));
    return parts;
  }
  if (!py::isinstance<py::list>(content) && !py::isinstance<py::tuple>(content))
    throw py::type_error(where + " must be a string or a list of parts");
  std::size_t i = 0;
  for (auto item : content) {
    auto at = where + "[" + std::to_string(i++) + "]";
    if (py::isinstance<py::str>(item)) {
      parts.push_back(engine::content_part::make_text(item.cast<std::string>()));
      continue;
    }
    if (!py::isinstance<py::dict>(item))
      throw py::type_error(at + " must be a dict with a type");
    auto part = item.cast<py::dict>();
    auto type = str_field(part, "type", at);
    if (type == "text")
      parts.push_back(
        engine::content_part::make_text(str_field(part, "text", at)));
    else if (type == "image_url" || type == "image")
      parts.push_back(image_part(part, at));
    else
      bad(at + ".type must be text or image_url, not '" + type + "'");
  }
  return parts;
}

engine::chat_message message_from(const py::dict& m, const std::string& where) {
  engine::chat_message msg;
  auto role = str_field(m, "role", where);
  auto parsed = engine::parse_message_role(role);
  if (!parsed)
    bad(where + ".role must be system, developer, user, assistant or tool, "
                "not '" + role + "'");
  msg.role = *parsed;
  msg.name = str_field(m, "name", where);
  auto content = m.contains("content") ? py::object(m["content"])
                                       : py::object(py::none());
  if (msg.role == engine::message_role::tool) {
    // OpenAI's shape: one message per result, answering tool_call_id.
    engine::content_part result;
    result.kind = engine::part_kind::tool_result;
    result.id = str_field(m, "tool_call_id", where);
    if (result.id.empty())
      bad(where + ": a tool message needs tool_call_id");
    result.name = msg.name;
    result.content = parts_from(content, where + ".content");
    result.is_error = m.contains("is_error") && m["is_error"].cast<bool>();
    msg.parts.push_back(std::move(result));
    return msg;
  }
  msg.parts = parts_from(content, where + ".content");
  if (m.contains("tool_calls") && !m["tool_calls"].is_none()) {
    std::size_t i = 0;
    for (auto item : m["tool_calls"]) {
      auto at = where + ".tool_calls[" + std::to_string(i++) + "]";
      if (!py::isinstance<py::dict>(item))
        throw py::type_error(at + " must be a dict");
      auto call = item.cast<py::dict>();
      // {"id", "function": {"name", "arguments"}} or {"id", "name",
      // "arguments"}: the reply's own tool_calls go back as they are.
      py::dict fn = call.contains("function") ? call["function"].cast<py::dict>()
                                              : call;
      auto args = fn.contains("arguments") ? json_text(fn["arguments"])
                                           : std::string{"{}"};
      msg.parts.push_back(engine::content_part::make_tool_call(
        str_field(call, "id", at), str_field(fn, "name", at), std::move(args)));
    }
  }
  return msg;
}

engine::tool_definition tool_from(const py::dict& t, const std::string& where) {
  py::dict fn = t.contains("function") ? t["function"].cast<py::dict>() : t;
  engine::tool_definition def;
  def.name = str_field(fn, "name", where);
  if (def.name.empty())
    bad(where + ": a tool needs a name");
  def.description = str_field(fn, "description", where);
  if (fn.contains("parameters") && !fn["parameters"].is_none())
    def.parameters = json_text(fn["parameters"]);
  if (fn.contains("strict") && !fn["strict"].is_none())
    def.strict = fn["strict"].cast<bool>();
  return def;
}

engine::tool_choice tool_choice_from(const py::handle& v) {
  engine::tool_choice c;
  if (py::isinstance<py::str>(v)) {
    auto s = v.cast<std::string>();
    if (auto word = engine::tool_choice_word(s)) {
      c.mode = *word;
    } else {
      c.mode = engine::tool_choice_mode::named;
      c.name = s;
    }
    return c;
  }
  auto d = v.cast<py::dict>();
  py::dict fn = d.contains("function") ? d["function"].cast<py::dict>() : d;
  c.mode = engine::tool_choice_mode::named;
  c.name = str_field(fn, "name", "tool_choice");
  return c;
}

engine::response_format format_from(const py::handle& v) {
  engine::response_format f;
  auto d = v.cast<py::dict>();
  auto type = str_field(d, "type", "response_format");
  if (type == "text") {
    f.kind = engine::response_format_kind::text;
  } else if (type == "json_object") {
    f.kind = engine::response_format_kind::json_object;
  } else if (type == "json_schema") {
    f.kind = engine::response_format_kind::json_schema;
    py::dict s = d.contains("json_schema") ? d["json_schema"].cast<py::dict>()
                                           : py::dict{};
    f.name = str_field(s, "name", "response_format.json_schema");
    if (s.contains("schema"))
      f.schema = json_text(s["schema"]);
    if (s.contains("strict") && !s["strict"].is_none())
      f.strict = s["strict"].cast<bool>();
  } else {
    bad("response_format.type must be text, json_object or json_schema");
  }
  return f;
}

template <class T>
std::optional<T> optional_of(const py::handle& v) {
  if (v.is_none())
    return std::nullopt;
  return v.cast<T>();
}

} // namespace

task_spec task_from_python(const py::dict& fields) {
  task_spec t;
  for (auto [key_handle, value] : fields) {
    auto key = key_handle.cast<std::string>();
    try {
      if (key == "text" || key == "prompt") {
        t.text = value.cast<std::string>();
      } else if (key == "messages") {
        std::size_t i = 0;
        for (auto m : value) {
          auto at = "messages[" + std::to_string(i++) + "]";
          if (!py::isinstance<py::dict>(m))
            throw py::type_error(at + " must be a dict");
          t.messages.push_back(message_from(m.cast<py::dict>(), at));
        }
      } else if (key == "tools") {
        std::size_t i = 0;
        for (auto tool : value)
          t.options.tools.push_back(tool_from(
            tool.cast<py::dict>(), "tools[" + std::to_string(i++) + "]"));
      } else if (key == "tool_choice") {
        t.options.choice = tool_choice_from(value);
      } else if (key == "parallel_tool_calls") {
        t.options.parallel_tool_calls = optional_of<bool>(value);
      } else if (key == "response_format") {
        t.options.format = format_from(value);
      } else if (key == "seed") {
        t.options.seed = optional_of<std::int64_t>(value);
      } else if (key == "top_p") {
        t.options.top_p = optional_of<double>(value);
      } else if (key == "user") {
        t.options.user = value.cast<std::string>();
      } else if (key == "task_type") {
        auto s = value.cast<std::string>();
        t.type = engine::parse_task_type(s);
        if (!t.type)
          bad("task_type '" + s + "' is not one of code_generation, "
              "code_review, testing, refactoring, reasoning, planning, "
              "analysis, security_audit, documentation, tool_use, "
              "multimodal, long_context, general");
      } else if (key == "complexity") {
        auto s = value.cast<std::string>();
        t.tier = engine::parse_complexity_tier(s);
        if (!t.tier)
          bad("complexity '" + s
              + "' is not one of simple, moderate, complex, critical");
      } else if (key == "complexity_score") {
        t.complexity_score = optional_of<int>(value);
        if (t.complexity_score
            && (*t.complexity_score < 1 || *t.complexity_score > 10))
          bad("complexity_score must be 1-10");
      } else if (key == "budget_usd") {
        t.budget_usd = optional_of<double>(value);
      } else if (key == "quality" || key == "min_quality") {
        t.min_quality = optional_of<double>(value);
      } else if (key == "max_latency_s") {
        t.max_latency_s = optional_of<double>(value);
      } else if (key == "context_tokens") {
        t.context_tokens = value.cast<std::uint32_t>();
      } else if (key == "max_tokens" || key == "max_output_tokens") {
        t.max_output_tokens = optional_of<std::uint32_t>(value);
      } else if (key == "requires") {
        for (auto cap : value) {
          auto s = cap.cast<std::string>();
          auto c = engine::parse_capability(s);
          if (!c)
            bad("requires: '" + s + "' is not one of vision, tools, json, "
                "streaming, reasoning, code");
          t.required.add(*c);
        }
      } else if (key == "parallel") {
        t.parallel = value.cast<bool>();
      } else if (key == "strategy") {
        auto s = value.cast<std::string>();
        for (std::size_t i = 0; i < engine::consensus_strategy_names.size();
             ++i)
          if (engine::consensus_strategy_names[i] == s)
            t.strategy = static_cast<engine::consensus_strategy>(i);
        if (!t.strategy)
          bad("strategy '" + s + "' is not one of judge, quality_weighted, "
              "voting, first_success");
      } else if (key == "plan") {
        auto s = value.cast<std::string>();
        t.plan = engine::plan_kind_from(s);
        if (!t.plan)
          bad("plan '" + s + "' is not one of single, chain, specialists, "
              "critic");
      } else if (key == "escalate") {
        auto s = value.cast<std::string>();
        if (s != "buffered")
          bad("escalate must be 'buffered' (a streamed answer then waits for "
              "the quality judge)");
        t.escalate_buffered = true;
      } else if (key == "force_model") {
        t.force_model = value.cast<std::string>();
      } else if (key == "sticky_model") {
        t.sticky_model = value.cast<std::string>();
      } else if (key == "budget_key") {
        t.budget_key = value.cast<std::string>();
      } else if (key == "temperature") {
        t.temperature = optional_of<double>(value);
      } else if (key == "stop") {
        if (py::isinstance<py::str>(value))
          t.stop.push_back(value.cast<std::string>());
        else
          t.stop = value.cast<std::vector<std::string>>();
      } else {
        bad("unknown task field '" + key + "'");
      }
    } catch (const py::cast_error&) {
      throw py::type_error("task field '" + key + "' has the wrong type ("
                           + std::string{py::str(value.get_type())} + ")");
    }
  }
  if (t.text.empty() && t.messages.empty())
    bad("a task needs text or messages");
  return t;
}

} // namespace switchyard::python
