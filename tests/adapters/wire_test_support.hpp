#pragma once

// Shared by the wire-format tests: requests built and read back with the
// DOM parser, streams fed one event at a time with every chunk recorded, and
// the conversation of a two-turn tool loop.

#include "switchyard/engine/conversation.hpp"
#include "switchyard/providers/wire_format.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <simdjson.h>
#include <string>
#include <vector>

namespace switchyard::testing {

using json_result = simdjson::simdjson_result<simdjson::dom::element>;

struct built_request {
  http::client_request http;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
};

/// Builds `req`; requires success and a JSON body.
inline void build_ok(const providers::wire_format& f,
                     const engine::call_request& req, bool stream,
                     std::string_view base, built_request& out) {
  auto why = f.build_request(req, stream, base, out.http);
  INFO(why);
  REQUIRE(why.empty());
  REQUIRE(out.parser.parse(out.http.body).get(out.doc) == simdjson::SUCCESS);
}

/// Builds `req` expecting a refusal; returns its message.
inline std::string build_refused(const providers::wire_format& f,
                                 const engine::call_request& req) {
  http::client_request out;
  auto why = f.build_request(req, false, "", out);
  REQUIRE_FALSE(why.empty());
  return why;
}

inline std::string str(json_result e) {
  std::string_view s;
  REQUIRE(e.get(s) == simdjson::SUCCESS);
  return std::string{s};
}

inline double num(json_result e) {
  double d = 0;
  REQUIRE(e.get(d) == simdjson::SUCCESS);
  return d;
}

inline bool flag(json_result e) {
  bool b = false;
  REQUIRE(e.get(b) == simdjson::SUCCESS);
  return b;
}

inline std::size_t count(json_result e) {
  simdjson::dom::array a;
  REQUIRE(e.get(a) == simdjson::SUCCESS);
  return a.size();
}

inline bool absent(json_result e) {
  return e.error() == simdjson::NO_SUCH_FIELD;
}

/// One chunk, copied out of the decoder's views.
struct recorded_chunk {
  std::string delta;
  std::optional<std::uint32_t> tool_index;
  std::string tool_id;
  std::string tool_name;
  std::string tool_arguments;
  std::string reasoning;
  std::string finish_reason;
  std::optional<std::uint32_t> input_tokens;
  std::optional<std::uint32_t> output_tokens;
};

struct chunk_log {
  std::vector<recorded_chunk> chunks;

  providers::chunk_callback callback() {
    return [this](const engine::stream_chunk& c) {
      recorded_chunk r;
      r.delta = c.delta;
      r.tool_index = c.tool_index;
      r.tool_id = c.tool_id;
      r.tool_name = c.tool_name;
      r.tool_arguments = c.tool_arguments;
      r.reasoning = c.reasoning;
      r.finish_reason = c.finish_reason;
      r.input_tokens = c.input_tokens;
      r.output_tokens = c.output_tokens;
      chunks.push_back(std::move(r));
    };
  }

  [[nodiscard]] std::vector<recorded_chunk> tool_fragments() const {
    std::vector<recorded_chunk> out;
    for (const auto& c : chunks)
      if (c.tool_index)
        out.push_back(c);
    return out;
  }
};

/// The parts of `kind` in a result's content.
inline std::vector<engine::content_part> parts_of(const engine::call_result& r,
                                                  engine::part_kind kind) {
  std::vector<engine::content_part> out;
  for (const auto& p : r.content)
    if (p.kind == kind)
      out.push_back(p);
  return out;
}

inline engine::content_part text_part(std::string s) {
  return engine::content_part::make_text(std::move(s));
}

inline engine::content_part image_base64() {
  engine::content_part p;
  p.kind = engine::part_kind::image;
  p.media_type = "image/png";
  p.data = "iVBORw0KGgo=";
  p.detail = "low";
  return p;
}

inline engine::content_part image_url() {
  engine::content_part p;
  p.kind = engine::part_kind::image;
  p.url = "https://example.com/cat.jpg";
  return p;
}

inline engine::content_part tool_result(std::string id, std::string text) {
  engine::content_part p;
  p.kind = engine::part_kind::tool_result;
  p.id = std::move(id);
  p.content.push_back(text_part(std::move(text)));
  return p;
}

inline engine::content_part signed_reasoning() {
  engine::content_part p;
  p.kind = engine::part_kind::reasoning;
  p.text = "secret thoughts";
  p.signature = "sig-anthropic-1";
  p.name = "anthropic";
  return p;
}

/// system, user, assistant (text + two calls: the second without
/// arguments), tool (two results: the first without its tool name), user;
/// two tools, the first strict.
inline engine::call_request tool_loop_request() {
  using engine::chat_message;
  using engine::content_part;
  using engine::message_role;
  engine::call_request req;
  req.model = "m";
  req.upstream_model = "model-x";
  req.max_tokens = 200;
  chat_message assistant;
  assistant.role = message_role::assistant;
  assistant.parts = {text_part("Checking."),
                     content_part::make_tool_call("call_a", "get_weather",
                                                  R"({"city":"Paris"})"),
                     content_part::make_tool_call("call_b", "get_time", "")};
  chat_message tool;
  tool.role = message_role::tool;
  auto time_result = tool_result("call_b", "noon");
  time_result.name = "get_time";
  tool.parts = {tool_result("call_a", "18C, sunny"), time_result};
  req.messages
    = {chat_message::make(message_role::system, "Use the tools."),
       chat_message::make(message_role::user, "Weather and time in Paris?"),
       assistant, tool, chat_message::make(message_role::user, "Thanks!")};
  engine::tool_definition weather;
  weather.name = "get_weather";
  weather.description = "Current weather";
  weather.parameters
    = R"({"type":"object","properties":{"city":{"type":"string"}}})";
  weather.strict = true;
  engine::tool_definition time;
  time.name = "get_time";
  req.options.tools = {weather, time};
  return req;
}

/// A json_schema response format named "weather".
inline engine::response_format weather_schema() {
  engine::response_format f;
  f.kind = engine::response_format_kind::json_schema;
  f.name = "weather";
  f.schema = R"({"type":"object","properties":{"temp":{"type":"number"}}})";
  f.strict = true;
  return f;
}

/// A user turn holding text and the given images.
inline engine::chat_message
user_with_images(std::vector<engine::content_part> images) {
  auto m = engine::chat_message::make(engine::message_role::user,
                                      "What is in these?");
  for (auto& i : images)
    m.parts.push_back(std::move(i));
  return m;
}

} // namespace switchyard::testing
