#pragma once

// A raw-HTTP client of the simulated upstream for the sim tests: builds
// requests in each wire format from JSON pieces, and decodes answers
// (plain bodies, SSE streams, NDJSON) into text, tool calls and a finish
// reason, following each provider's documented shapes.

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/sim/sim_upstream.hpp"
#include "test_support.hpp"

#include <simdjson.h>
#include <vector>

namespace switchyard::testing {

inline const std::vector<engine::provider_kind> wire_kinds{
  engine::provider_kind::openai, engine::provider_kind::anthropic,
  engine::provider_kind::gemini, engine::provider_kind::cohere,
  engine::provider_kind::ollama};

inline std::string kind_text(engine::provider_kind k) {
  return std::string{engine::to_string(k)};
}

/// `s` as a JSON string literal.
inline std::string json_quoted(std::string_view s) {
  std::string out;
  engine::json_writer::escape_into(out, s);
  return out;
}

/// Per format: `<format>-agent` calls tools only when forced,
/// `<format>-eager` always when offered tools, `<format>-half` half the
/// time. No delays, no faults.
inline std::string agent_sim_yaml(std::uint64_t seed = 11) {
  std::string yaml = "version: 1\nseed: " + std::to_string(seed)
                     + "\ntime_scale: 0\ndefaults:\n"
                       "  output_tokens: {min: 5, max: 8}\nmodels:\n";
  for (auto kind : wire_kinds) {
    auto name = kind_text(kind);
    yaml += "  " + name + "-agent: {}\n";
    yaml += "  " + name + "-eager: {tool_call_rate: 1}\n";
    yaml += "  " + name + "-half: {tool_call_rate: 0.5}\n";
  }
  return yaml;
}

/// A simulator on port 0 with the given config, and a client for it.
struct sim_server {
  explicit sim_server(const std::string& yaml) {
    auto parsed = sim::parse_sim_config(yaml, "<sim test>", {});
    for (const auto& e : parsed.errors)
      FAIL(e.to_string());
    REQUIRE(parsed.config);
    std::string why;
    sim = sim::sim_upstream::make(std::move(*parsed.config), {}, why);
    INFO(why);
    REQUIRE(sim);
    http = make_client();
  }

  http::client_response send(std::string method, std::string target,
                             std::string body = {}) {
    http::client_request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    if (!req.body.empty())
      req.headers.push_back({"Content-Type", "application/json"});
    auto r = fetch(*http, local(sim->port()), std::move(req));
    REQUIRE(r.ok());
    return r;
  }

  std::unique_ptr<sim::sim_upstream> sim;
  std::unique_ptr<http::http_client> http;
};

/// A request in one format: its messages (or Gemini contents) and any
/// further top-level fields, as JSON text.
struct wire_request {
  std::string model;
  bool stream = false;
  /// A JSON array.
  std::string messages;
  /// Top-level fields without braces (`"tools":[...],"tool_choice":...`);
  /// Gemini's go beside `contents`.
  std::string extra;
};

/// The request's target and body in `kind`'s format.
inline std::pair<std::string, std::string> build(engine::provider_kind kind,
                                                 const wire_request& r) {
  using engine::provider_kind;
  auto extra = r.extra.empty() ? std::string{} : "," + r.extra;
  auto stream = std::string{r.stream ? "true" : "false"};
  switch (kind) {
    case provider_kind::gemini:
      return {"/v1beta/models/" + r.model
                + (r.stream ? ":streamGenerateContent?alt=sse"
                            : ":generateContent"),
              R"({"contents":)" + r.messages + extra + "}"};
    case provider_kind::anthropic:
      return {"/v1/messages", R"({"model":)" + json_quoted(r.model)
                                + R"(,"max_tokens":256,"stream":)" + stream
                                + R"(,"messages":)" + r.messages + extra + "}"};
    case provider_kind::cohere:
      return {"/v2/chat", R"({"model":)" + json_quoted(r.model)
                            + R"(,"stream":)" + stream + R"(,"messages":)"
                            + r.messages + extra + "}"};
    case provider_kind::ollama:
      return {"/api/chat", R"({"model":)" + json_quoted(r.model)
                             + R"(,"stream":)" + stream + R"(,"messages":)"
                             + r.messages + extra + "}"};
    default:
      return {"/v1/chat/completions",
              R"({"model":)" + json_quoted(r.model) + R"(,"stream":)" + stream
                + R"(,"messages":)" + r.messages + extra + "}"};
  }
}

// -- decoding answers
// -------------------------------------------------------------

struct wire_call {
  std::string id;
  std::string name;
  /// Compact JSON text of the arguments, however the format sent them.
  std::string arguments;
  /// How many pieces the arguments came in (1 when sent whole).
  std::size_t fragments = 0;
};

struct wire_answer {
  std::string text;
  std::vector<wire_call> calls;
  std::string finish;
  /// Every event or line parsed as JSON.
  bool well_formed = true;
};

using json_result = simdjson::simdjson_result<simdjson::dom::element>;

inline std::string str(json_result r) {
  std::string_view s;
  return r.get(s) ? std::string{} : std::string{s};
}

inline std::string compact(json_result r) {
  simdjson::dom::element e;
  return r.get(e) ? std::string{} : simdjson::to_string(e);
}

/// A parsed JSON text that keeps its parser alive.
struct json_doc {
  explicit json_doc(std::string_view text) {
    ok = parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS;
  }

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

inline std::uint64_t u64(json_result r) {
  std::uint64_t n = 0;
  return r.get(n) ? ~std::uint64_t{0} : n;
}

/// The JSON payloads of an SSE body (data lines joined per event), or of
/// NDJSON lines.
inline std::vector<std::string> payloads(std::string_view body, bool sse) {
  std::string text;
  for (char c : body)
    if (c != '\r')
      text += c;
  std::vector<std::string> out;
  std::string_view rest{text};
  auto sep = sse ? std::string_view{"\n\n"} : std::string_view{"\n"};
  while (!rest.empty()) {
    auto end = rest.find(sep);
    auto event = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{}
                                         : rest.substr(end + sep.size());
    if (!sse) {
      if (!event.empty())
        out.emplace_back(event);
      continue;
    }
    std::string data;
    while (!event.empty()) {
      auto nl = event.find('\n');
      auto line = event.substr(0, nl);
      if (line.substr(0, 5) == "data:")
        data += line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
      event = nl == std::string_view::npos ? std::string_view{}
                                           : event.substr(nl + 1);
    }
    if (!data.empty() && data != "[DONE]")
      out.push_back(std::move(data));
  }
  return out;
}

/// Folds one parsed body, chunk, event or line into `a`.
void fold(engine::provider_kind kind, bool stream, simdjson::dom::element e,
          wire_answer& a);

/// Decodes a whole answer, plain or streamed.
inline wire_answer decode(engine::provider_kind kind, bool stream,
                          std::string_view body) {
  wire_answer a;
  std::vector<std::string> items;
  if (stream)
    items = payloads(body, kind != engine::provider_kind::ollama);
  else
    items.emplace_back(body);
  simdjson::dom::parser parser;
  for (const auto& item : items) {
    simdjson::dom::element e;
    if (parser.parse(item).get(e)) {
      a.well_formed = false;
      continue;
    }
    fold(kind, stream, e, a);
  }
  return a;
}

} // namespace switchyard::testing
