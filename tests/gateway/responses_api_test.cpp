// POST /v1/responses without a server: the request parser, the response
// body and the stream of typed events.

#include "switchyard/engine/tool_call_ids.hpp"
#include "switchyard/gateway/responses_api.hpp"
#include "switchyard/gateway/tool_call_stickiness.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <simdjson.h>
#include <string>
#include <vector>

using namespace switchyard;
using namespace switchyard::gateway;
using engine::message_role;
using engine::part_kind;
using engine::tool_call_ids;

namespace {

engine::registry test_registry() {
  engine::registry reg;
  for (auto id : {"openai-mini", "claude-sonnet"}) {
    engine::model_spec m;
    m.id = id;
    reg.models.push_back(m);
  }
  return reg;
}

std::optional<std::string_view> no_headers(std::string_view) {
  return std::nullopt;
}

chat_request parse_ok(const engine::registry& reg, std::string_view body) {
  auto r = parse_responses_request(body, no_headers, reg);
  if (auto* e = std::get_if<api_error>(&r))
    FAIL("unexpected " << e->status << ": " << e->message);
  return std::get<chat_request>(std::move(r));
}

api_error parse_error(const engine::registry& reg, std::string_view body) {
  auto r = parse_responses_request(body, no_headers, reg);
  REQUIRE(std::holds_alternative<api_error>(r));
  return std::get<api_error>(r);
}

/// A parsed JSON document that owns its parser.
struct json_doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;

  explicit json_doc(std::string_view text) {
    REQUIRE(parser.parse(simdjson::padded_string{text}).get(root)
            == simdjson::SUCCESS);
  }
};

std::string str(simdjson::dom::element e) {
  std::string_view s;
  REQUIRE(e.get(s) == simdjson::SUCCESS);
  return std::string{s};
}

std::int64_t num(simdjson::dom::element e) {
  std::int64_t n = 0;
  REQUIRE(e.get(n) == simdjson::SUCCESS);
  return n;
}

/// One server-sent event: its `event:` name and its data.
struct sse_event {
  std::string name;
  std::string data;
};

std::vector<sse_event> split_events(std::string_view stream) {
  std::vector<sse_event> out;
  while (!stream.empty()) {
    auto end = stream.find("\n\n");
    REQUIRE(end != std::string_view::npos);
    auto block = stream.substr(0, end);
    stream.remove_prefix(end + 2);
    auto nl = block.find('\n');
    REQUIRE(block.substr(0, 7) == "event: ");
    REQUIRE(block.substr(nl + 1, 6) == "data: ");
    out.push_back({std::string{block.substr(7, nl - 7)},
                   std::string{block.substr(nl + 7)}});
  }
  return out;
}

} // namespace

// -- parsing -----------------------------------------------------------------

TEST_CASE("a string input is one user turn", "[responses]") {
  auto reg = test_registry();
  auto req = parse_ok(reg, R"({"model":"auto","input":"What is 2+2?"})");
  REQUIRE(req.task.messages.size() == 1);
  CHECK(req.task.messages[0].role == message_role::user);
  CHECK(req.task.messages[0].text() == "What is 2+2?");
  CHECK(req.task.text == "What is 2+2?");
  CHECK(req.forced_model.empty());
  CHECK(req.requested_model == "auto");
  CHECK_FALSE(req.stream);

  auto forced = parse_ok(reg, R"({"model":"claude-sonnet","input":"hi",
                                  "stream":true})");
  CHECK(forced.forced_model == "claude-sonnet");
  CHECK(forced.task.force_model == "claude-sonnet");
  CHECK(forced.stream);

  auto unknown = parse_error(reg, R"({"model":"gpt-9","input":"hi"})");
  CHECK(unknown.status == 404);
  CHECK(unknown.code == "model_not_found");

  // Routing hints as every API takes them: the body's `switchyard` object
  // and the X-Switchyard-* headers.
  auto headers = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "x-switchyard-task-type")
      return "code_generation";
    return std::nullopt;
  };
  auto hinted = parse_responses_request(
    R"({"model":"auto","input":"hi","switchyard":{"budget_usd":0.5}})", headers,
    reg);
  REQUIRE(std::holds_alternative<chat_request>(hinted));
  const auto& task = std::get<chat_request>(hinted).task;
  CHECK(task.type == engine::task_type::code_generation);
  CHECK(task.budget_usd == 0.5);
}

TEST_CASE("a function-call loop becomes assistant tool calls and a tool turn",
          "[responses]") {
  auto reg = test_registry();
  auto id1 = tool_call_ids::tag("call_a", "claude-sonnet");
  auto id2 = tool_call_ids::tag("call_b", "claude-sonnet");
  // What an SDK loop sends back: the previous output items as they came
  // (ids, statuses, annotations), then the function outputs.
  auto body = R"({"model":"auto","input":[
      {"role":"user","content":"Weather in Paris and Rome?"},
      {"type":"message","id":"msg_1_0","status":"completed","role":"assistant",
       "content":[{"type":"output_text","text":"Checking.","annotations":[]}]},
      {"type":"function_call","id":"fc_1_1","status":"completed",
       "call_id":")"
              + id1
              + R"(","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
      {"type":"function_call","id":"fc_1_2","call_id":")"
              + id2 + R"(","name":"get_weather","arguments":""},
      {"type":"function_call_output","call_id":")"
              + id1 + R"(","output":"18C"},
      {"type":"function_call_output","call_id":")"
              + id2 + R"(",
       "output":[{"type":"input_text","text":"21C"}]}]})";
  auto req = parse_ok(reg, body);
  const auto& m = req.task.messages;
  REQUIRE(m.size() == 3);
  CHECK(m[0].role == message_role::user);
  // The assistant turn: its text first, then both calls.
  REQUIRE(m[1].role == message_role::assistant);
  REQUIRE(m[1].parts.size() == 3);
  CHECK(m[1].parts[0].kind == part_kind::text);
  CHECK(m[1].parts[0].text == "Checking.");
  CHECK(m[1].parts[1].kind == part_kind::tool_call);
  CHECK(m[1].parts[1].name == "get_weather");
  CHECK(m[1].parts[1].arguments == R"({"city":"Paris"})");
  CHECK(m[1].parts[2].arguments == "{}");
  // Both outputs in one tool turn, named after the calls they answer.
  REQUIRE(m[2].role == message_role::tool);
  REQUIRE(m[2].parts.size() == 2);
  CHECK(m[2].parts[0].kind == part_kind::tool_result);
  CHECK(m[2].parts[0].name == "get_weather");
  REQUIRE(m[2].parts[0].content.size() == 1);
  CHECK(m[2].parts[0].content[0].text == "18C");
  CHECK(m[2].parts[1].content[0].text == "21C");
  CHECK(req.task.text == "Weather in Paris and Rome?");

  // Ids come back as the client sent them; the gateway's one ingress step
  // strips the tags and keeps the loop on the model that made the calls.
  CHECK(m[1].parts[1].id == id1);
  tool_call_stickiness sticky{reg};
  sticky.apply(req);
  CHECK(req.task.messages[1].parts[1].id == "call_a");
  CHECK(req.task.messages[1].parts[2].id == "call_b");
  CHECK(req.task.messages[2].parts[0].id == "call_a");
  CHECK(req.task.messages[2].parts[1].id == "call_b");
  CHECK(req.task.sticky_model == "claude-sonnet");

  SECTION("switchyard.pin_model: false lets the router move it") {
    auto unpinned = body;
    unpinned.insert(1, R"("switchyard":{"pin_model":false},)");
    auto r = parse_ok(reg, unpinned);
    CHECK(r.pin == pin_mode::off);
    sticky.apply(r);
    CHECK(r.task.sticky_model.empty());
  }
}

TEST_CASE("instructions, a json_schema format, tools and images",
          "[responses]") {
  auto reg = test_registry();
  auto req = parse_ok(reg, R"({"model":"auto",
    "instructions":"Answer in JSON.",
    "input":[{"type":"message","role":"user","content":[
      {"type":"input_text","text":"Describe these."},
      {"type":"input_image","image_url":"https://example.com/cat.png","detail":"low"},
      {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]},
      {"role":"developer","content":"Be brief."}],
    "text":{"format":{"type":"json_schema","name":"animals","strict":true,
      "schema":{"type":"object","properties":{"n":{"type":"integer"}}}}},
    "tools":[{"type":"function","name":"lookup","description":"Find a thing",
      "parameters":{"type":"object","properties":{}},"strict":false}],
    "tool_choice":{"type":"function","name":"lookup"},
    "parallel_tool_calls":false,"max_output_tokens":300,"temperature":0.2,
    "top_p":0.9,"user":"u-1","reasoning":{"effort":"low"}})");
  const auto& m = req.task.messages;
  REQUIRE(m.size() == 3);
  CHECK(m[0].role == message_role::system);
  CHECK(m[0].text() == "Answer in JSON.");
  REQUIRE(m[1].parts.size() == 3);
  CHECK(m[1].parts[1].kind == part_kind::image);
  CHECK(m[1].parts[1].url == "https://example.com/cat.png");
  CHECK(m[1].parts[1].detail == "low");
  CHECK(m[1].parts[2].url.empty());
  CHECK(m[1].parts[2].media_type == "image/png");
  CHECK(m[1].parts[2].data == "iVBORw0KGgo=");
  CHECK(m[2].role == message_role::developer);
  CHECK(req.task.text == "Describe these.");

  const auto& o = req.task.options;
  CHECK(o.format.kind == engine::response_format_kind::json_schema);
  CHECK(o.format.name == "animals");
  CHECK(o.format.schema
        == R"({"type":"object","properties":{"n":{"type":"integer"}}})");
  CHECK(o.format.strict == true);
  REQUIRE(o.tools.size() == 1);
  CHECK(o.tools[0].name == "lookup");
  CHECK(o.tools[0].description == "Find a thing");
  CHECK(o.tools[0].parameters == R"({"type":"object","properties":{}})");
  CHECK(o.tools[0].strict == false);
  CHECK(o.choice.mode == engine::tool_choice_mode::named);
  CHECK(o.choice.name == "lookup");
  CHECK(o.parallel_tool_calls == false);
  CHECK(o.top_p == 0.9);
  CHECK(o.user == "u-1");
  CHECK(o.reasoning_effort == "low");
  CHECK(req.task.max_output_tokens == 300u);
  CHECK(req.task.temperature == 0.2);
}

TEST_CASE("what switchyard cannot do is refused by name", "[responses]") {
  auto reg = test_registry();
  struct refusal {
    std::string body;
    std::string names;
  };
  std::vector<refusal> cases{
    {R"({"model":"auto","input":"hi","previous_response_id":"resp_1"})",
     "previous_response_id"},
    {R"({"model":"auto","input":"hi","store":true})", "store: true"},
    {R"({"model":"auto","input":"hi","tools":[{"type":"web_search"}]})",
     "web_search"},
    {R"({"model":"auto","input":"hi","tools":[{"type":"file_search",
        "vector_store_ids":["vs_1"]}]})",
     "file_search"},
    {R"({"model":"auto","input":[{"role":"user","content":[
        {"type":"input_file","file_id":"file-1"}]}]})",
     "input_file"},
    {R"({"model":"auto","input":[{"type":"reasoning","id":"rs_1",
        "summary":[]}]})",
     "reasoning items"},
    {R"({"model":"auto","input":"hi","conversation":"conv_1"})",
     "conversation"},
    {R"({"model":"auto","input":"hi","background":true})", "background"},
    {R"({"model":"auto","input":"hi","include":["reasoning.encrypted_content"]})",
     "include"},
    {R"({"model":"auto","input":"hi","prompt":{"id":"pmpt_1"}})", "prompt"},
    {R"({"model":"auto","input":[{"type":"item_reference","id":"msg_1"}]})",
     "item_reference"},
    {R"({"model":"auto","input":"hi","tool_choice":{"type":"web_search_preview"}})",
     "tool_choice"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    auto e = parse_error(reg, c.body);
    CHECK(e.status == 400);
    CHECK(e.message.find(c.names) != std::string::npos);
  }
  // OpenAI's default is store: true, but a client that leaves it out (or
  // says false) asks for nothing switchyard does not do.
  parse_ok(reg, R"({"model":"auto","input":"hi","store":false})");
  parse_ok(reg, R"({"model":"auto","input":"hi","previous_response_id":null,
                    "include":[],"background":false})");
}

// -- the response body --------------------------------------------------------

namespace {

task_reply reply_with_two_calls(const engine::registry& reg) {
  task_reply r;
  r.decision_id = 0xabc;
  r.model = 1;
  r.text = "Let me look both up.";
  r.content.push_back(engine::content_part::make_tool_call(
    tool_call_ids::tag("toolu_1", reg.models[1].id), "get_weather",
    R"({"city":"Paris"})"));
  r.content.push_back(engine::content_part::make_tool_call(
    tool_call_ids::tag("toolu_2", reg.models[1].id), "get_weather",
    R"({"city":"Rome"})"));
  r.finish_reason = "tool_calls";
  r.input_tokens = 40;
  r.output_tokens = 12;
  return r;
}

} // namespace

TEST_CASE("a reply with text and two tool calls renders as output items",
          "[responses]") {
  auto reg = test_registry();
  auto req = parse_ok(reg, R"({"model":"auto","input":"weather?",
    "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
    "text":{"format":{"type":"json_object"}},"temperature":0.5})");
  auto r = reply_with_two_calls(reg);
  json_doc doc{responses_body(r, reg, 1700000000, req)};
  auto root = doc.root;
  CHECK(str(root["id"]) == "resp_0000000000000abc");
  CHECK(str(root["object"]) == "response");
  CHECK(num(root["created_at"]) == 1700000000);
  CHECK(str(root["status"]) == "completed");
  CHECK(str(root["model"]) == "claude-sonnet");
  CHECK(root["error"].is_null());
  CHECK(root["incomplete_details"].is_null());
  CHECK(root["previous_response_id"].is_null());
  CHECK(root["store"].get_bool().value() == false);
  // The SDK computes output_text itself; it is not on the wire.
  CHECK(root["output_text"].error() == simdjson::NO_SUCH_FIELD);

  simdjson::dom::array output;
  REQUIRE(root["output"].get(output) == simdjson::SUCCESS);
  REQUIRE(output.size() == 3);
  auto msg = output.at(0).value();
  CHECK(str(msg["type"]) == "message");
  CHECK(str(msg["role"]) == "assistant");
  CHECK(str(msg["status"]) == "completed");
  CHECK(str(msg["content"].at(0)["type"]) == "output_text");
  CHECK(str(msg["content"].at(0)["text"]) == "Let me look both up.");
  CHECK(msg["content"].at(0)["annotations"].get_array().size() == 0);
  std::vector<std::string> ids{str(msg["id"])};
  for (std::size_t i = 1; i <= 2; ++i) {
    auto fc = output.at(i).value();
    CHECK(str(fc["type"]) == "function_call");
    CHECK(str(fc["status"]) == "completed");
    CHECK(str(fc["name"]) == "get_weather");
    CHECK(str(fc["call_id"]) == r.content[i - 1].id);
    CHECK(str(fc["arguments"]) == r.content[i - 1].arguments);
    ids.push_back(str(fc["id"]));
  }
  CHECK(ids[0].substr(0, 4) == "msg_");
  CHECK(ids[1].substr(0, 3) == "fc_");
  CHECK(ids[1] != ids[2]);

  auto usage = root["usage"];
  CHECK(num(usage["input_tokens"]) == 40);
  CHECK(num(usage["output_tokens"]) == 12);
  CHECK(num(usage["total_tokens"]) == 52);
  CHECK(num(usage["input_tokens_details"]["cached_tokens"]) == 0);
  CHECK(num(usage["output_tokens_details"]["reasoning_tokens"]) == 0);

  // The request's settings, echoed as the SDK's Response type has them.
  CHECK(str(root["tools"].at(0)["name"]) == "get_weather");
  CHECK(str(root["tools"].at(0)["type"]) == "function");
  CHECK(str(root["tool_choice"]) == "auto");
  CHECK(root["parallel_tool_calls"].get_bool().value());
  CHECK(str(root["text"]["format"]["type"]) == "json_object");
  CHECK(root["temperature"].get_double().value() == 0.5);
  CHECK(root["max_output_tokens"].is_null());

  SECTION("an answer cut at the output limit is incomplete") {
    task_reply cut;
    cut.decision_id = 7;
    cut.text = "The first half";
    cut.finish_reason = "length";
    json_doc d{responses_body(cut, reg, 1, req)};
    CHECK(str(d.root["status"]) == "incomplete");
    CHECK(str(d.root["incomplete_details"]["reason"]) == "max_output_tokens");
    CHECK(str(d.root["output"].at(0)["status"]) == "incomplete");
  }
}

// -- the stream
// ----------------------------------------------------------------

TEST_CASE("a streamed answer is OpenAI's typed event sequence", "[responses]") {
  auto reg = test_registry();
  auto req = parse_ok(reg,
                      R"({"model":"auto","input":"weather?","stream":true})");
  auto call_id = tool_call_ids::tag("call_9", "openai-mini");
  auto enc = make_responses_encoder("resp_00000000000000ff", "openai-mini",
                                    1700000000, req);
  std::string stream = enc->start(0);
  stream += enc->text("Checking ");
  stream += enc->reasoning("hidden", "", ""); // shown nowhere
  stream += enc->text("now.");
  stream += enc->tool_call(0, call_id, "get_weather", "{\"ci");
  stream += enc->tool_call(0, "", "", "ty\":");
  stream += enc->tool_call(0, "", "", "\"Paris\"}");
  stream += enc->finish("tool_calls", 30, 9);

  auto events = split_events(stream);
  std::vector<std::string> types;
  for (const auto& e : events)
    types.push_back(e.name);
  CHECK(types
        == std::vector<std::string>{
          "response.created", "response.in_progress",
          "response.output_item.added", "response.content_part.added",
          "response.output_text.delta", "response.output_text.delta",
          "response.output_text.done", "response.content_part.done",
          "response.output_item.done", "response.output_item.added",
          "response.function_call_arguments.delta",
          "response.function_call_arguments.delta",
          "response.function_call_arguments.delta",
          "response.function_call_arguments.done", "response.output_item.done",
          "response.completed"});

  std::string text, arguments, message_id, call_item_id;
  std::int64_t expected_sequence = 0;
  for (const auto& e : events) {
    INFO(e.name << ": " << e.data);
    json_doc d{e.data};
    CHECK(str(d.root["type"]) == e.name);
    CHECK(num(d.root["sequence_number"]) == expected_sequence++);
    if (e.name == "response.created") {
      CHECK(str(d.root["response"]["status"]) == "in_progress");
      CHECK(d.root["response"]["output"].get_array().size() == 0);
    } else if (e.name == "response.output_item.added") {
      auto item = d.root["item"];
      if (str(item["type"]) == "message") {
        message_id = str(item["id"]);
        CHECK(num(d.root["output_index"]) == 0);
        CHECK(item["content"].get_array().size() == 0);
      } else {
        call_item_id = str(item["id"]);
        CHECK(num(d.root["output_index"]) == 1);
        CHECK(str(item["call_id"]) == call_id);
        CHECK(str(item["name"]) == "get_weather");
        CHECK(str(item["arguments"]).empty());
      }
    } else if (e.name == "response.output_text.delta") {
      CHECK(str(d.root["item_id"]) == message_id);
      CHECK(num(d.root["content_index"]) == 0);
      text += str(d.root["delta"]);
    } else if (e.name == "response.output_text.done") {
      CHECK(str(d.root["text"]) == text);
    } else if (e.name == "response.function_call_arguments.delta") {
      CHECK(str(d.root["item_id"]) == call_item_id);
      CHECK(num(d.root["output_index"]) == 1);
      arguments += str(d.root["delta"]);
    } else if (e.name == "response.function_call_arguments.done") {
      CHECK(str(d.root["arguments"]) == arguments);
      CHECK(str(d.root["name"]) == "get_weather");
    } else if (e.name == "response.completed") {
      auto r = d.root["response"];
      CHECK(str(r["id"]) == "resp_00000000000000ff");
      CHECK(str(r["status"]) == "completed");
      CHECK(str(r["model"]) == "openai-mini");
      simdjson::dom::array output;
      REQUIRE(r["output"].get(output) == simdjson::SUCCESS);
      REQUIRE(output.size() == 2);
      CHECK(str(output.at(0)["id"]) == message_id);
      CHECK(str(output.at(0)["content"].at(0)["text"]) == "Checking now.");
      CHECK(str(output.at(1)["id"]) == call_item_id);
      CHECK(str(output.at(1)["call_id"]) == call_id);
      CHECK(str(output.at(1)["arguments"]) == R"({"city":"Paris"})");
      CHECK(str(output.at(1)["status"]) == "completed");
      CHECK(num(r["usage"]["total_tokens"]) == 39);
    }
  }
  CHECK(text == "Checking now.");
  CHECK(arguments == R"({"city":"Paris"})");
}

TEST_CASE("a stream that fails ends in response.failed and an error event",
          "[responses]") {
  auto reg = test_registry();
  auto req = parse_ok(reg, R"({"model":"auto","input":"hi"})");
  auto enc = make_responses_encoder("resp_0000000000000001", "openai-mini", 1,
                                    req);
  std::string stream = enc->start(0);
  stream += enc->text("partial");
  stream += enc->error("api_error", "upstream reset the connection");
  auto events = split_events(stream);
  REQUIRE(events.size() >= 2);
  auto failed = events[events.size() - 2];
  auto error = events.back();
  CHECK(failed.name == "response.failed");
  json_doc f{failed.data};
  CHECK(str(f.root["response"]["status"]) == "failed");
  CHECK(str(f.root["response"]["error"]["code"]) == "server_error");
  CHECK(str(f.root["response"]["output"].at(0)["content"].at(0)["text"])
        == "partial");
  CHECK(error.name == "error");
  json_doc e{error.data};
  CHECK(str(e.root["message"]) == "upstream reset the connection");
  CHECK(num(e.root["sequence_number"]) == num(f.root["sequence_number"]) + 1);
}

TEST_CASE("an empty streamed answer still has its message item, as the body",
          "[responses]") {
  auto reg = test_registry();
  auto req = parse_ok(reg, R"({"model":"auto","input":"hi"})");
  auto enc = make_responses_encoder("resp_0000000000000002", "openai-mini", 1,
                                    req);
  std::string stream = enc->start(0);
  stream += enc->finish("length", 3, 0);
  auto events = split_events(stream);
  REQUIRE(events.back().name == "response.incomplete");
  json_doc d{events.back().data};
  CHECK(str(d.root["response"]["incomplete_details"]["reason"])
        == "max_output_tokens");
  simdjson::dom::array output;
  REQUIRE(d.root["response"]["output"].get(output) == simdjson::SUCCESS);
  REQUIRE(output.size() == 1);
  CHECK(str(output.at(0)["type"]) == "message");
  CHECK(str(output.at(0)["content"].at(0)["text"]).empty());

  task_reply r;
  r.decision_id = 2;
  r.finish_reason = "length";
  json_doc body{responses_body(r, reg, 1, req)};
  CHECK(body.root["output"].get_array().size() == 1);
  CHECK(str(body.root["output"].at(0)["type"]) == "message");
}
