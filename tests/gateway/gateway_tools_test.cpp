// Agent conversations through the real gateway and sim-upstream: tool
// loops in the client's format whichever upstream format answers, plain
// and streamed; ids handed out tagged and stripped on the way back (the
// simulator refuses results for ids it never issued), the loop staying on
// its model, and the pin.

#include "gateway_fixture.hpp"

#include <regex>
#include <simdjson.h>

using namespace switchyard::testing;

namespace {

const std::string weather_tool
  = R"({"type":"function","function":{"name":"get_weather",)"
    R"("description":"Forecast.","parameters":{"type":"object",)"
    R"("properties":{"city":{"type":"string"},"days":{"type":"integer",)"
    R"("minimum":1,"maximum":7},"units":{"type":"string","enum":)"
    R"(["celsius","fahrenheit"]}},"required":["city","days","units"]}}})";

std::string json_text(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

const std::regex tagged_id{".+-sy[0-9a-f]{8}"};

struct first_call {
  std::string model;
  std::string id;
  std::string name;
  std::string arguments;
};

/// Turn one of an OpenAI tool loop on `model`: a forced call.
first_call ask_for_call(gateway_fixture& gw, const std::string& model) {
  auto r = gw.chat(
    R"({"model":")" + model
    + R"(","messages":[{"role":"user","content":"Weather in Paris for 3 days?"}],"tools":[)"
    + weather_tool + R"(],"tool_choice":"required"})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, r.body);
  auto msg = doc["choices"].at(0)["message"];
  CHECK(msg["content"].is_null());
  CHECK(std::string_view{doc["choices"].at(0)["finish_reason"]}
        == "tool_calls");
  auto call = msg["tool_calls"].at(0);
  first_call c;
  c.model = r.headers["x-switchyard-model"];
  c.id = std::string{std::string_view{call["id"]}};
  c.name = std::string{std::string_view{call["function"]["name"]}};
  c.arguments = std::string{std::string_view{call["function"]["arguments"]}};
  CHECK(std::regex_match(c.id, tagged_id));
  CHECK(c.name == "get_weather");
  return c;
}

/// Turn two: the call and its result, routed by `model` ("auto" lets the
/// conversation's own model be found from the ids).
std::string answer_body(const first_call& c, const std::string& model,
                        const std::string& extra = {}) {
  return R"({"model":")" + model + R"(",)" + extra
         + R"("messages":[{"role":"user","content":"Weather in Paris for 3 days?"},)"
           R"({"role":"assistant","content":null,"tool_calls":[{"id":)"
         + json_text(c.id) + R"(,"type":"function","function":{"name":)"
         + json_text(c.name) + R"(,"arguments":)" + json_text(c.arguments)
         + R"(}}]},{"role":"tool","tool_call_id":)" + json_text(c.id)
         + R"(,"content":"Sunny, 21C"}],"tools":[)" + weather_tool + "]}";
}

} // namespace

TEST_CASE("an OpenAI client's tool loop through every upstream format that "
          "can force a call, staying on the first turn's model",
          "[gateway][tools]") {
  gateway_fixture gw;
  for (auto model :
       {"gpt-4o-mini", "claude-haiku-4", "gemini-flash-1.5", "command-r"}) {
    INFO(model);
    auto c = ask_for_call(gw, model);
    CHECK(c.model == model);
    auto r = gw.chat(answer_body(c, "auto"));
    INFO(r.body);
    REQUIRE(r.status == 200);
    // Stripped on the way back (the simulator refuses an id it never
    // issued), and kept on the model that made the call.
    CHECK(r.headers["x-switchyard-model"] == model);
    simdjson::dom::parser p;
    auto doc = parse(p, r.body);
    std::string_view text;
    REQUIRE(doc["choices"].at(0)["message"]["content"].get(text)
            == simdjson::SUCCESS);
    CHECK_FALSE(text.empty());
    // A text answer (the simulator may stop it at its token limit).
    std::string_view finish{doc["choices"].at(0)["finish_reason"]};
    CHECK((finish == "stop" || finish == "length"));
    CHECK(doc["choices"].at(0)["message"]["tool_calls"].error()
          == simdjson::NO_SUCH_FIELD);
  }
}

TEST_CASE("a streamed tool call reaches an OpenAI client as delta.tool_calls",
          "[gateway][tools][stream]") {
  gateway_fixture gw;
  for (auto model : {"gpt-4o-mini", "claude-haiku-4"}) {
    INFO(model);
    auto r = gw.chat(
      R"({"model":")" + std::string{model}
      + R"(","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[)"
      + weather_tool + R"(],"tool_choice":"required"})");
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK_THAT(r.body, Catch::Contains(
                         "\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\""));
    CHECK_THAT(
      r.body,
      Catch::Contains(
        "\"type\":\"function\",\"function\":{\"name\":\"get_weather\""));
    CHECK_THAT(r.body, Catch::Contains("\"finish_reason\":\"tool_calls\""));
    CHECK_THAT(r.body, Catch::Contains("data: [DONE]"));
    std::smatch m;
    std::string body = r.body;
    REQUIRE(std::regex_search(
      body, m, std::regex{"\"id\":\"([^\"]+)\",\"type\":\"function\""}));
    CHECK(std::regex_match(m[1].str(), tagged_id));
  }
}

TEST_CASE("an Anthropic client's tool loop to an OpenAI-format upstream, "
          "plain and streamed",
          "[gateway][tools]") {
  gateway_fixture gw;
  auto headers = std::string{"anthropic-version: 2023-06-01\r\n"};
  const std::string tool
    = R"({"name":"get_weather","description":"Forecast.","input_schema":{"type":"object",)"
      R"("properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7},)"
      R"("units":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","days","units"]}})";
  auto first = gw.call(
    "POST", "/v1/messages",
    R"({"model":"gpt-4o-mini","max_tokens":200,"messages":[{"role":"user","content":"Weather in Rome?"}],"tools":[)"
      + tool + R"(],"tool_choice":{"type":"any"}})",
    gateway_fixture::admin_key, headers);
  INFO(first.body);
  REQUIRE(first.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, first.body);
  CHECK(std::string_view{doc["stop_reason"]} == "tool_use");
  simdjson::dom::element use;
  for (auto block : doc["content"].get_array())
    if (std::string_view{block["type"]} == "tool_use")
      use = block;
  REQUIRE(use["input"].is_object());
  std::string id{std::string_view{use["id"]}};
  CHECK(std::regex_match(id, tagged_id));
  auto input = simdjson::minify(use["input"]);
  auto second = gw.call(
    "POST", "/v1/messages",
    R"({"model":"auto","max_tokens":200,"messages":[{"role":"user","content":"Weather in Rome?"},)"
    R"({"role":"assistant","content":[{"type":"tool_use","id":)"
      + json_text(id) + R"(,"name":"get_weather","input":)" + input
      + R"(}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":)"
      + json_text(id) + R"(,"content":"Sunny"}]}],"tools":[)" + tool + "]}",
    gateway_fixture::admin_key, headers);
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(second.headers["x-switchyard-model"] == "gpt-4o-mini");
  simdjson::dom::parser p2;
  auto answer = parse(p2, second.body);
  CHECK(std::string_view{answer["content"].at(0)["type"]} == "text");
  std::string_view stop{answer["stop_reason"]};
  CHECK((stop == "end_turn" || stop == "max_tokens"));

  auto streamed = gw.call(
    "POST", "/v1/messages",
    R"({"model":"gpt-4o-mini","max_tokens":200,"stream":true,"messages":[{"role":"user","content":"Weather in Rome?"}],"tools":[)"
      + tool + R"(],"tool_choice":{"type":"any"}})",
    gateway_fixture::admin_key, headers);
  INFO(streamed.body);
  REQUIRE(streamed.status == 200);
  CHECK_THAT(
    streamed.body,
    Catch::Contains("\"content_block\":{\"type\":\"tool_use\",\"id\":\""));
  CHECK_THAT(
    streamed.body,
    Catch::Contains("\"type\":\"input_json_delta\",\"partial_json\":"));
  CHECK_THAT(streamed.body, Catch::Contains("\"stop_reason\":\"tool_use\""));
  CHECK_THAT(streamed.body, Catch::Contains("event: message_stop"));
}

TEST_CASE("pin_model: an unknown model is a 404, false and a model id are "
          "accepted",
          "[gateway][tools]") {
  gateway_fixture gw;
  auto c = ask_for_call(gw, "gpt-4o-mini");
  auto unknown
    = gw.chat(answer_body(c, "auto", R"("switchyard":{"pin_model":"gpt-7"},)"));
  CHECK(unknown.status == 404);
  CHECK(error_code_of(unknown.body) == "model_not_found");
  auto header = gw.call("POST", "/v1/chat/completions", answer_body(c, "auto"),
                        gateway_fixture::admin_key,
                        "X-Switchyard-Pin-Model: nope\r\n");
  CHECK(header.status == 404);
  auto pinned = gw.chat(
    answer_body(c, "auto", R"("switchyard":{"pin_model":"gpt-4o-mini"},)"));
  CHECK(pinned.status == 200);
  CHECK(pinned.headers["x-switchyard-model"] == "gpt-4o-mini");
  auto moved
    = gw.chat(answer_body(c, "auto", R"("switchyard":{"pin_model":false},)"));
  // The router may move it; whichever model answers gets the ids stripped.
  CHECK(moved.status == 200);
}

TEST_CASE("refusals name the field: one the gateway cannot carry, and one a "
          "forced model cannot express",
          "[gateway][tools]") {
  gateway_fixture gw;
  auto audio = gw.chat(
    R"({"model":"auto","audio":{"voice":"alloy"},"messages":[{"role":"user","content":"hi"}]})");
  CHECK(audio.status == 400);
  CHECK_THAT(audio.body, Catch::Contains("audio"));
  auto seed = gw.chat(
    R"({"model":"claude-haiku-4","seed":7,"messages":[{"role":"user","content":"hi"}]})");
  CHECK(seed.status == 400);
  CHECK_THAT(seed.body, Catch::Contains("seed"));
  CHECK_THAT(seed.body, Catch::Contains("\"type\":\"invalid_request_error\""));
  auto document = gw.call(
    "POST", "/v1/messages",
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]})");
  CHECK(document.status == 400);
  CHECK_THAT(document.body, Catch::Contains("'document'"));
  CHECK_THAT(document.body, Catch::Contains("\"type\":\"error\""));
}
