// Anthropic messages and Gemini generateContent written from and read into
// the conversation model, plain and streamed, against bodies in the shape
// of the real APIs' documentation.
#include "switchyard/providers/anthropic/anthropic_format.hpp"
#include "switchyard/providers/gemini/gemini_format.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace switchyard;
using namespace switchyard::providers;
using engine::call_error;
using engine::chat_message;
using engine::content_part;
using engine::message_role;
using engine::part_kind;

namespace {

using element = simdjson::dom::element;
using field_result = simdjson::simdjson_result<element>;

struct built {
  std::string refused;
  http::client_request http;
  simdjson::dom::parser parser;
  element doc;
};

void build(const wire_format& f, const engine::call_request& req, bool stream,
           built& out) {
  out.refused = f.build_request(req, stream, "/base", out.http);
  INFO(out.refused);
  REQUIRE(out.refused.empty());
  REQUIRE(out.parser.parse(out.http.body).get(out.doc) == simdjson::SUCCESS);
}

/// The refusal message for `req`, which must be refused.
std::string refusal(const wire_format& f, const engine::call_request& req) {
  http::client_request http;
  auto why = f.build_request(req, false, "/base", http);
  INFO(why);
  CHECK_FALSE(why.empty());
  return why;
}

std::string str(field_result e) {
  std::string_view s;
  REQUIRE(e.get(s) == simdjson::SUCCESS);
  return std::string{s};
}

double num(field_result e) {
  double d = 0;
  REQUIRE(e.get(d) == simdjson::SUCCESS);
  return d;
}

bool flag(field_result e) {
  bool b = false;
  REQUIRE(e.get(b) == simdjson::SUCCESS);
  return b;
}

std::size_t count(field_result e) {
  simdjson::dom::array a;
  REQUIRE(e.get(a) == simdjson::SUCCESS);
  return a.size();
}

bool absent(field_result e) {
  return e.error() == simdjson::NO_SUCH_FIELD;
}

engine::call_result parse(const wire_format& f, std::string body) {
  engine::call_result r;
  f.parse_response(body, r);
  return r;
}

/// A chunk with its views copied, to read after the stream moved on.
struct recorded_chunk {
  std::string delta;
  std::optional<std::uint32_t> tool_index;
  std::string tool_id;
  std::string tool_name;
  std::string tool_arguments;
  std::string reasoning;
  std::string reasoning_signature;
  std::string finish_reason;
};

/// Feeds a stream one event at a time, recording the chunks each produced.
struct stream_run {
  std::unique_ptr<stream_decoder> decoder;
  engine::call_result result;
  std::vector<recorded_chunk> chunks;

  explicit stream_run(const wire_format& f)
      : decoder(f.make_stream_decoder()) {}

  /// The chunks this event produced.
  std::vector<recorded_chunk> feed(std::string_view event) {
    auto before = chunks.size();
    bool ok = decoder->feed(
      event,
      [this](const engine::stream_chunk& c) {
        chunks.push_back(
          {std::string{c.delta}, c.tool_index, std::string{c.tool_id},
           std::string{c.tool_name}, std::string{c.tool_arguments},
           std::string{c.reasoning}, std::string{c.reasoning_signature},
           std::string{c.finish_reason}});
      },
      result);
    INFO(result.error_message);
    REQUIRE(ok);
    return {chunks.begin() + static_cast<std::ptrdiff_t>(before), chunks.end()};
  }
};

engine::tool_definition weather_tool() {
  return {"get_weather", "Current weather",
          R"({"type":"object","properties":{"city":{"type":"string"}}})",
          std::nullopt, ""};
}

content_part image_base64() {
  content_part p;
  p.kind = part_kind::image;
  p.media_type = "image/png";
  p.data = "iVBORw0KGgo=";
  return p;
}

content_part image_url(std::string url) {
  content_part p;
  p.kind = part_kind::image;
  p.url = std::move(url);
  p.media_type = "image/jpeg";
  return p;
}

content_part tool_result(std::string id, std::string text,
                         std::string name = {}) {
  content_part p;
  p.kind = part_kind::tool_result;
  p.id = std::move(id);
  p.name = std::move(name);
  p.content.push_back(content_part::make_text(std::move(text)));
  return p;
}

content_part reasoning(std::string name, std::string text,
                       std::string signature) {
  content_part p;
  p.kind = part_kind::reasoning;
  p.name = std::move(name);
  p.text = std::move(text);
  p.signature = std::move(signature);
  return p;
}

chat_message message(message_role role, std::vector<content_part> parts) {
  chat_message m;
  m.role = role;
  m.parts = std::move(parts);
  return m;
}

/// The second turn of a tool loop: the model called two tools, both
/// answered, and the user added a remark.
engine::call_request tool_loop(std::vector<content_part> assistant_parts,
                               std::vector<content_part> user_parts) {
  engine::call_request req;
  req.model = "m";
  req.upstream_model = "model-x";
  req.max_tokens = 200;
  req.stop = {"END"};
  req.messages.push_back(chat_message::make(message_role::system, "Be brief."));
  req.messages.push_back(message(message_role::user, std::move(user_parts)));
  req.messages.push_back(
    message(message_role::assistant, std::move(assistant_parts)));
  req.messages.push_back(
    message(message_role::tool, {tool_result("toolu_1", "18C and sunny")}));
  auto failed = tool_result("toolu_2", R"({"temp":12})", "get_weather");
  failed.is_error = true;
  req.messages.push_back(message(message_role::tool, {failed}));
  req.messages.push_back(
    chat_message::make(message_role::user, "Which is warmer?"));
  req.options.tools = {weather_tool()};
  return req;
}

std::vector<content_part> two_calls() {
  return {content_part::make_text("Checking both."),
          content_part::make_tool_call("toolu_1", "get_weather",
                                       R"({"city":"Paris"})"),
          content_part::make_tool_call("toolu_2", "get_weather",
                                       R"({"city":"Oslo"})")};
}

} // namespace

// -- Anthropic
// ------------------------------------------------------------------

TEST_CASE("anthropic: a tool loop is written as messages blocks", "[wire]") {
  anthropic_format f;
  auto parts = two_calls();
  parts.insert(parts.begin(), reasoning("anthropic", "Two cities.", "sig-A"));
  parts.insert(parts.begin(), reasoning("gemini", "not ours", "sig-G"));
  auto req = tool_loop(std::move(parts),
                       {content_part::make_text("Weather?"), image_base64(),
                        image_url("https://example.com/a.jpg")});
  req.options.system_cache_control = R"({"type":"ephemeral"})";
  req.options.tools[0].cache_control = R"({"type":"ephemeral"})";
  req.options.choice = {engine::tool_choice_mode::named, "get_weather"};
  req.options.parallel_tool_calls = false;
  req.options.top_k = 40;
  req.options.thinking_budget = 1024;
  req.options.user = "u-7";
  built b;
  build(f, req, true, b);
  CHECK(b.http.target == "/base/v1/messages");
  const auto& d = b.doc;
  CHECK(str(d["system"].at(0)["text"]) == "Be brief.");
  CHECK(str(d["system"].at(0)["cache_control"]["type"]) == "ephemeral");
  // user, assistant, then one user turn for both results and the remark.
  REQUIRE(count(d["messages"]) == 3);
  auto user = d["messages"].at(0)["content"];
  CHECK(str(user.at(1)["source"]["type"]) == "base64");
  CHECK(str(user.at(1)["source"]["media_type"]) == "image/png");
  CHECK(str(user.at(1)["source"]["data"]) == "iVBORw0KGgo=");
  CHECK(str(user.at(2)["source"]["type"]) == "url");
  CHECK(str(user.at(2)["source"]["url"]) == "https://example.com/a.jpg");
  auto assistant = d["messages"].at(1);
  CHECK(str(assistant["role"]) == "assistant");
  REQUIRE(count(assistant["content"]) == 4); // gemini's thought dropped
  CHECK(str(assistant["content"].at(0)["type"]) == "thinking");
  CHECK(str(assistant["content"].at(0)["signature"]) == "sig-A");
  CHECK(str(assistant["content"].at(1)["text"]) == "Checking both.");
  auto use = assistant["content"].at(2);
  CHECK(str(use["type"]) == "tool_use");
  CHECK(str(use["id"]) == "toolu_1");
  CHECK(str(use["input"]["city"]) == "Paris"); // an object, not a string
  auto results = d["messages"].at(2);
  CHECK(str(results["role"]) == "user");
  REQUIRE(count(results["content"]) == 3);
  CHECK(str(results["content"].at(0)["type"]) == "tool_result");
  CHECK(str(results["content"].at(0)["tool_use_id"]) == "toolu_1");
  CHECK(str(results["content"].at(0)["content"].at(0)["text"])
        == "18C and sunny");
  CHECK(absent(results["content"].at(0)["is_error"]));
  CHECK(str(results["content"].at(1)["tool_use_id"]) == "toolu_2");
  CHECK(flag(results["content"].at(1)["is_error"]));
  CHECK(str(results["content"].at(2)["text"]) == "Which is warmer?");
  CHECK(str(d["tools"].at(0)["input_schema"]["type"]) == "object");
  CHECK(str(d["tools"].at(0)["cache_control"]["type"]) == "ephemeral");
  CHECK(str(d["tool_choice"]["type"]) == "tool");
  CHECK(str(d["tool_choice"]["name"]) == "get_weather");
  CHECK(flag(d["tool_choice"]["disable_parallel_tool_use"]));
  CHECK(num(d["top_k"]) == 40);
  CHECK(num(d["thinking"]["budget_tokens"]) == 1024);
  CHECK(str(d["metadata"]["user_id"]) == "u-7");
  CHECK(str(d["stop_sequences"].at(0)) == "END");
  CHECK(flag(d["stream"]));
}

TEST_CASE("anthropic: fields it cannot express are refused by name", "[wire]") {
  anthropic_format f;
  auto base = tool_loop(two_calls(), {content_part::make_text("Weather?")});
  auto req = base;
  req.options.seed = 7;
  CHECK(refusal(f, req).find("seed") != std::string::npos);
  req = base;
  req.options.format.kind = engine::response_format_kind::json_schema;
  CHECK(refusal(f, req).find("json_schema") != std::string::npos);
  req = base;
  req.options.logprobs = true;
  CHECK(refusal(f, req).find("logprobs") != std::string::npos);
  req = base;
  req.options.reasoning_effort = "high";
  CHECK(refusal(f, req).find("reasoning_effort") != std::string::npos);
  req = base;
  req.options.tools[0].strict = true;
  CHECK(refusal(f, req).find("strict") != std::string::npos);
  req = base;
  req.messages[2].parts[1].arguments = "[1,2]";
  CHECK(refusal(f, req).find("'toolu_1'") != std::string::npos);
  req = base;
  req.options.tools[0].strict = false; // unset or false is fine
  built ok;
  build(f, req, false, ok);
}

TEST_CASE("anthropic: thinking, tool_use and cache usage are read", "[wire]") {
  anthropic_format f;
  auto r = parse(f, R"({"id":"msg_1","type":"message","role":"assistant",
    "content":[{"type":"thinking","thinking":"Paris first.",
    "signature":"EqQBCkgI"},{"type":"redacted_thinking","data":"opaque=="},
    {"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_9",
    "name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use",
    "usage":{"input_tokens":10,"cache_read_input_tokens":90,
    "cache_creation_input_tokens":5,"output_tokens":20}})");
  REQUIRE(r.ok());
  CHECK(r.text == "Let me check.");
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.input_tokens == 105);
  CHECK(r.output_tokens == 20);
  REQUIRE(r.content.size() == 3);
  CHECK(r.content[0].kind == part_kind::reasoning);
  CHECK(r.content[0].name == "anthropic");
  CHECK(r.content[0].text == "Paris first.");
  CHECK(r.content[0].signature == "EqQBCkgI");
  CHECK(r.content[1].redacted);
  CHECK(r.content[1].data == "opaque==");
  CHECK(r.content[2].kind == part_kind::tool_call);
  CHECK(r.content[2].id == "toolu_9");
  CHECK(r.content[2].arguments == R"({"city":"Paris"})");
  CHECK(anthropic_format::normalize_stop_reason("refusal") == "content_filter");
  CHECK(anthropic_format::normalize_stop_reason("max_tokens") == "length");

  // The next turn sends the thinking back exactly, signature included.
  auto next = tool_loop({}, {content_part::make_text("Weather?")});
  auto& assistant = next.messages[2];
  assistant.parts = r.content;
  assistant.parts.insert(assistant.parts.begin() + 2,
                         content_part::make_text(r.text));
  next.messages[3].parts[0].id = "toolu_9";
  next.messages.erase(next.messages.begin() + 4);
  built b;
  build(f, next, false, b);
  auto blocks = b.doc["messages"].at(1)["content"];
  CHECK(str(blocks.at(0)["thinking"]) == "Paris first.");
  CHECK(str(blocks.at(0)["signature"]) == "EqQBCkgI");
  CHECK(str(blocks.at(1)["type"]) == "redacted_thinking");
  CHECK(str(blocks.at(1)["data"]) == "opaque==");
  CHECK(str(blocks.at(3)["id"]) == "toolu_9");
  CHECK(str(b.doc["messages"].at(2)["content"].at(0)["tool_use_id"])
        == "toolu_9");
}

TEST_CASE("anthropic: a streamed tool call arrives fragment by fragment",
          "[wire]") {
  anthropic_format f;
  stream_run s{f};
  // Each event on one `data:` line, as the API sends them.
  auto ev = [](std::string_view type, std::string data) {
    std::replace(data.begin(), data.end(), '\n', ' ');
    return "event: " + std::string{type} + "\ndata: " + data + "\n\n";
  };
  s.feed(ev("message_start", R"({"type":"message_start","message":{"id":"m",
    "type":"message","role":"assistant","content":[],"usage":
    {"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}})"));
  s.feed(ev("content_block_start", R"({"type":"content_block_start","index":0,
    "content_block":{"type":"thinking","thinking":""}})"));
  auto thought = s.feed(ev("content_block_delta", R"({"type":
    "content_block_delta","index":0,"delta":{"type":"thinking_delta",
    "thinking":"Hmm."}})"));
  REQUIRE(thought.size() == 1);
  CHECK(thought[0].reasoning == "Hmm.");
  s.feed(ev("content_block_delta", R"({"type":"content_block_delta","index":0,
    "delta":{"type":"signature_delta","signature":"sig-S"}})"));
  auto stop = s.feed(
    ev("content_block_stop", R"({"type":"content_block_stop","index":0})"));
  REQUIRE(stop.size() == 1);
  CHECK(stop[0].reasoning_signature == "sig-S");
  s.feed(ev("ping", R"({"type":"ping"})"));
  s.feed(ev("content_block_start", R"({"type":"content_block_start","index":1,
    "content_block":{"type":"text","text":""}})"));
  auto text = s.feed(ev("content_block_delta", R"({"type":
    "content_block_delta","index":1,"delta":{"type":"text_delta",
    "text":"Checking."}})"));
  REQUIRE(text.size() == 1);
  CHECK(text[0].delta == "Checking.");
  auto start = s.feed(ev("content_block_start", R"({"type":
    "content_block_start","index":2,"content_block":{"type":"tool_use",
    "id":"toolu_5","name":"get_weather","input":{}}})"));
  REQUIRE(start.size() == 1);
  CHECK(start[0].tool_index == 0u);
  CHECK(start[0].tool_id == "toolu_5");
  CHECK(start[0].tool_name == "get_weather");
  auto first = s.feed(ev("content_block_delta", R"({"type":
    "content_block_delta","index":2,"delta":{"type":"input_json_delta",
    "partial_json":"{\"city\": "}})"));
  REQUIRE(first.size() == 1); // out before the rest has arrived
  CHECK(first[0].tool_index == 0u);
  CHECK(first[0].tool_arguments == R"({"city": )");
  auto second = s.feed(ev("content_block_delta", R"({"type":
    "content_block_delta","index":2,"delta":{"type":"input_json_delta",
    "partial_json":"\"Paris\"}"}})"));
  REQUIRE(second.size() == 1);
  CHECK(second[0].tool_arguments == R"("Paris"})");
  s.feed(
    ev("content_block_stop", R"({"type":"content_block_stop","index":2})"));
  auto end = s.feed(ev("message_delta", R"({"type":"message_delta","delta":
    {"stop_reason":"tool_use","stop_sequence":null},"usage":
    {"output_tokens":42}})"));
  REQUIRE(end.size() == 1);
  CHECK(end[0].finish_reason == "tool_calls");
  s.feed(ev("message_stop", R"({"type":"message_stop"})"));
  REQUIRE(s.decoder->finish(s.result));
  CHECK(s.result.text == "Checking.");
  CHECK(s.result.input_tokens == 30);
  CHECK(s.result.output_tokens == 42);
  REQUIRE(s.result.content.size() == 2);
  CHECK(s.result.content[0].text == "Hmm.");
  CHECK(s.result.content[0].signature == "sig-S");
  CHECK(s.result.content[1].id == "toolu_5");
  CHECK(s.result.content[1].arguments == R"({"city": "Paris"})");
}

TEST_CASE("anthropic: an error event fails the stream", "[wire]") {
  anthropic_format f;
  stream_run cut{f};
  cut.feed("data: {\"type\":\"message_start\",\"message\":{}}\n\n");
  CHECK_FALSE(cut.decoder->finish(cut.result)); // no message_stop
  auto d = f.make_stream_decoder();
  engine::call_result r;
  CHECK_FALSE(d->feed("event: error\ndata: {\"type\":\"error\",\"error\":"
                      "{\"type\":\"overloaded_error\",\"message\":"
                      "\"Overloaded\"}}\n\n",
                      {}, r));
  CHECK(r.error == call_error::server_error);
  CHECK(r.error_message.find("Overloaded") != std::string::npos);
}

// -- Gemini
// ---------------------------------------------------------------------

TEST_CASE("gemini: a tool loop is written as contents and parts", "[wire]") {
  gemini_format f;
  auto parts = two_calls();
  parts[1].signature = "tsig-1";
  parts.insert(parts.begin(), reasoning("gemini", "unsigned", ""));
  parts.insert(parts.begin(), reasoning("anthropic", "not ours", "sig-A"));
  auto req = tool_loop(std::move(parts),
                       {content_part::make_text("Weather?"), image_base64(),
                        image_url("gs://bucket/a.jpg")});
  req.options.choice = {engine::tool_choice_mode::named, "get_weather"};
  req.options.format.kind = engine::response_format_kind::json_schema;
  req.options.format.schema = R"({"type":"object","properties":{"warmer":)"
                              R"({"type":"string"}}})";
  req.options.seed = 3;
  req.options.top_k = 20;
  built b;
  build(f, req, true, b);
  CHECK(b.http.target == "/base/models/model-x:streamGenerateContent?alt=sse");
  const auto& d = b.doc;
  CHECK(str(d["systemInstruction"]["parts"].at(0)["text"]) == "Be brief.");
  REQUIRE(count(d["contents"]) == 3);
  auto user = d["contents"].at(0)["parts"];
  CHECK(str(user.at(1)["inline_data"]["mime_type"]) == "image/png");
  CHECK(str(user.at(1)["inline_data"]["data"]) == "iVBORw0KGgo=");
  CHECK(str(user.at(2)["file_data"]["file_uri"]) == "gs://bucket/a.jpg");
  auto model = d["contents"].at(1);
  CHECK(str(model["role"]) == "model");
  REQUIRE(count(model["parts"]) == 3); // both thoughts stay out
  CHECK(str(model["parts"].at(0)["text"]) == "Checking both.");
  CHECK(str(model["parts"].at(1)["functionCall"]["name"]) == "get_weather");
  CHECK(str(model["parts"].at(1)["functionCall"]["args"]["city"]) == "Paris");
  CHECK(str(model["parts"].at(1)["thoughtSignature"]) == "tsig-1");
  CHECK(absent(model["parts"].at(2)["thoughtSignature"]));
  auto answers = d["contents"].at(2);
  CHECK(str(answers["role"]) == "user");
  REQUIRE(count(answers["parts"]) == 3);
  // The first result has no name: found from the call with its id.
  auto first = answers["parts"].at(0)["functionResponse"];
  CHECK(str(first["name"]) == "get_weather");
  CHECK(str(first["response"]["content"]) == "18C and sunny");
  auto second = answers["parts"].at(1)["functionResponse"];
  CHECK(num(second["response"]["error"]["temp"]) == 12); // parsed JSON
  CHECK(str(answers["parts"].at(2)["text"]) == "Which is warmer?");
  auto decl = d["tools"].at(0)["functionDeclarations"].at(0);
  CHECK(str(decl["parameters"]["type"]) == "object");
  auto calling = d["toolConfig"]["functionCallingConfig"];
  CHECK(str(calling["mode"]) == "ANY");
  CHECK(str(calling["allowedFunctionNames"].at(0)) == "get_weather");
  auto gen = d["generationConfig"];
  CHECK(str(gen["responseMimeType"]) == "application/json");
  CHECK(str(gen["responseSchema"]["properties"]["warmer"]["type"]) == "string");
  CHECK(num(gen["seed"]) == 3);
  CHECK(num(gen["topK"]) == 20);
  CHECK(num(gen["maxOutputTokens"]) == 200);
  built plain;
  build(f, req, false, plain);
  CHECK(plain.http.target == "/base/models/model-x:generateContent");
}

TEST_CASE("gemini: fields it cannot express are refused by name", "[wire]") {
  gemini_format f;
  auto base = tool_loop(two_calls(), {content_part::make_text("Weather?")});
  auto req = base;
  req.messages[1].parts.push_back(image_url("https://example.com/a.jpg"));
  auto why = refusal(f, req);
  CHECK(why.find("image_url") != std::string::npos);
  CHECK(why.find("base64") != std::string::npos);
  req = base;
  req.options.parallel_tool_calls = false;
  CHECK(refusal(f, req).find("parallel_tool_calls") != std::string::npos);
  req = base;
  req.options.thinking_budget = 512;
  CHECK(refusal(f, req).find("thinking") != std::string::npos);
  req = base;
  req.options.logprobs = true;
  CHECK(refusal(f, req).find("logprobs") != std::string::npos);
  req = base;
  req.messages[3].parts[0].content.push_back(image_base64());
  CHECK(refusal(f, req).find("tool_result image") != std::string::npos);
  req = base;
  req.messages[3].parts[0].id = "toolu_unknown";
  CHECK(refusal(f, req).find("'toolu_unknown'") != std::string::npos);
}

TEST_CASE("gemini: thoughts, calls and their signatures are read", "[wire]") {
  gemini_format f;
  auto r = parse(f, R"({"candidates":[{"content":{"role":"model","parts":[
    {"text":"Comparing.","thought":true},{"text":"Both: "},
    {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},
    "thoughtSignature":"tsig-P"},
    {"functionCall":{"id":"fc-9","name":"get_weather","args":{"city":"Oslo"}}}
    ]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,
    "candidatesTokenCount":6,"thoughtsTokenCount":30}})");
  REQUIRE(r.ok());
  CHECK(r.text == "Both: ");
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.input_tokens == 9);
  CHECK(r.output_tokens == 36);
  REQUIRE(r.content.size() == 3);
  CHECK(r.content[0].kind == part_kind::reasoning);
  CHECK(r.content[0].name == "gemini");
  CHECK(r.content[0].text == "Comparing.");
  CHECK(r.content[1].id == "call_0");
  CHECK(r.content[1].arguments == R"({"city":"Paris"})");
  CHECK(r.content[1].signature == "tsig-P");
  CHECK(r.content[2].id == "fc-9");
  CHECK(gemini_format::normalize_finish_reason("SAFETY") == "content_filter");
  CHECK(parse(f, R"({"candidates":[{"content":{"parts":[{"text":"a"}]},
    "finishReason":"MAX_TOKENS"}]})")
          .finish_reason
        == "length");

  // The call's signature goes back on its functionCall part.
  auto next = tool_loop({r.content[1]}, {content_part::make_text("Weather?")});
  next.messages[3].parts[0].id = "call_0";
  next.messages.erase(next.messages.begin() + 4);
  built b;
  build(f, next, false, b);
  auto call = b.doc["contents"].at(1)["parts"].at(0);
  CHECK(str(call["thoughtSignature"]) == "tsig-P");
  CHECK(str(b.doc["contents"].at(2)["parts"].at(0)["functionResponse"]["name"])
        == "get_weather");
}

TEST_CASE("gemini: each streamed call is a chunk as it arrives", "[wire]") {
  gemini_format f;
  stream_run s{f};
  auto text = s.feed(R"(data: {"candidates":[{"content":{"role":"model",)"
                     R"("parts":[{"text":"Checking"}]}}]})"
                     "\n\n");
  REQUIRE(text.size() == 1);
  CHECK(text[0].delta == "Checking");
  auto call = s.feed(R"(data: {"candidates":[{"content":{"role":"model",)"
                     R"("parts":[{"functionCall":{"name":"get_weather",)"
                     R"("args":{"city":"Paris"}},"thoughtSignature":"ts"}]}}]})"
                     "\n\n");
  REQUIRE(call.size() == 1); // not held back until the end
  CHECK(call[0].tool_index == 0u);
  CHECK(call[0].tool_id == "call_0");
  CHECK(call[0].tool_name == "get_weather");
  CHECK(call[0].tool_arguments == R"({"city":"Paris"})");
  auto last = s.feed(R"(data: {"candidates":[{"content":{"role":"model",)"
                     R"("parts":[{"functionCall":{"name":"get_weather",)"
                     R"("args":{"city":"Oslo"}}}]},"finishReason":"STOP"}],)"
                     R"("usageMetadata":{"promptTokenCount":8,)"
                     R"("candidatesTokenCount":4}})"
                     "\n\n");
  REQUIRE(last.size() == 2);
  CHECK(last[0].tool_index == 1u);
  CHECK(last[0].tool_id == "call_1");
  CHECK(last[1].finish_reason == "tool_calls");
  REQUIRE(s.decoder->finish(s.result));
  CHECK(s.result.text == "Checking");
  CHECK(s.result.output_tokens == 4);
  REQUIRE(s.result.content.size() == 2);
  CHECK(s.result.content[0].signature == "ts");
  CHECK(s.result.content[1].arguments == R"({"city":"Oslo"})");
}

TEST_CASE("gemini: an error object fails the stream", "[wire]") {
  gemini_format f;
  stream_run cut{f};
  cut.feed("data: {\"candidates\":[{\"content\":{\"parts\":"
           "[{\"text\":\"a\"}]}}]}\n\n");
  CHECK_FALSE(cut.decoder->finish(cut.result)); // no finishReason
  auto d = f.make_stream_decoder();
  engine::call_result r;
  CHECK_FALSE(d->feed(R"(data: {"error":{"code":429,"message":"Quota",)"
                      R"("status":"RESOURCE_EXHAUSTED"}})"
                      "\n\n",
                      {}, r));
  CHECK(r.error == call_error::rate_limited);
  CHECK(r.error_message.find("Quota") != std::string::npos);
}
