// The simulated upstream in agent conversations, over raw HTTP in each
// wire format, plain and streamed: forced tool calls in each provider's
// shapes, tool results answered with text, tool results it never asked
// for refused as the real APIs refuse them, tool_choice and the rate.
#include "sim_wire_client.hpp"

using namespace switchyard;
using namespace switchyard::testing;
using engine::provider_kind;

namespace {

// -- the conversation in each format
// ----------------------------------------------

const std::string weather_schema
  = R"({"type":"object","properties":{"city":{"type":"string"},)"
    R"("days":{"type":"integer","minimum":1,"maximum":7},)"
    R"("units":{"type":"string","enum":["celsius","fahrenheit"]},)"
    R"("hourly":{"type":"boolean"}},"required":["city","days","units"]})";
const std::string search_schema
  = R"({"type":"object","properties":{"query":{"type":"string"}},)"
    R"("required":["query"]})";
// Gemini's OpenAPI subset, types in capitals.
const std::string weather_schema_gemini
  = R"({"type":"OBJECT","properties":{"city":{"type":"STRING"},)"
    R"("days":{"type":"INTEGER","minimum":1,"maximum":7},)"
    R"("units":{"type":"STRING","format":"enum",)"
    R"("enum":["celsius","fahrenheit"]},"hourly":{"type":"BOOLEAN"}},)"
    R"("required":["city","days","units"]})";
const std::string search_schema_gemini
  = R"({"type":"OBJECT","properties":{"query":{"type":"STRING"}},)"
    R"("required":["query"]})";

std::string tools_field(provider_kind kind) {
  switch (kind) {
    case provider_kind::anthropic:
      return R"("tools":[{"name":"search","input_schema":)" + search_schema
             + R"(},{"name":"get_weather","description":"Forecast.",)"
               R"("input_schema":)"
             + weather_schema + "}]";
    case provider_kind::gemini:
      return R"("tools":[{"functionDeclarations":[{"name":"search",)"
             R"("parameters":)"
             + search_schema_gemini + R"(},{"name":"get_weather","parameters":)"
             + weather_schema_gemini + "}]}]";
    default:
      return R"("tools":[{"type":"function","function":{"name":"search",)"
             R"("parameters":)"
             + search_schema
             + R"(}},{"type":"function","function":{"name":"get_weather",)"
               R"("description":"Forecast.","parameters":)"
             + weather_schema + "}}]";
  }
}

/// A choice forcing a call: to get_weather where the format can name one
/// (Cohere can only require one; Ollama cannot force at all).
std::string forced_choice(provider_kind kind) {
  switch (kind) {
    case provider_kind::openai:
      return R"("tool_choice":{"type":"function",)"
             R"("function":{"name":"get_weather"}})";
    case provider_kind::anthropic:
      return R"("tool_choice":{"type":"tool","name":"get_weather"})";
    case provider_kind::gemini:
      return R"("toolConfig":{"functionCallingConfig":{"mode":"ANY",)"
             R"("allowedFunctionNames":["get_weather"]}})";
    case provider_kind::cohere: return R"("tool_choice":"REQUIRED")";
    default: return {};
  }
}

/// The model that makes the forced call: Ollama's must call at its rate.
std::string forcing_model(provider_kind kind) {
  return kind_text(kind)
         + (kind == provider_kind::ollama ? "-eager" : "-agent");
}

std::string user_turn(provider_kind kind) {
  if (kind == provider_kind::gemini)
    return R"({"role":"user","parts":[{"text":"Weather in Oslo?"}]})";
  return R"({"role":"user","content":"Weather in Oslo?"})";
}

/// The user's question, the assistant's call and its result, as the
/// format writes them.
std::string tool_turns(provider_kind kind, const wire_call& c) {
  auto user = user_turn(kind);
  switch (kind) {
    case provider_kind::openai:
      return "[" + user
             + R"(,{"role":"assistant","content":null,"tool_calls":[{"id":)"
             + json_quoted(c.id) + R"(,"type":"function","function":{"name":)"
             + json_quoted(c.name) + R"(,"arguments":)"
             + json_quoted(c.arguments)
             + R"(}}]},{"role":"tool","tool_call_id":)" + json_quoted(c.id)
             + R"(,"content":"Sunny, 21 C"}])";
    case provider_kind::anthropic:
      return "[" + user
             + R"(,{"role":"assistant","content":[{"type":"tool_use","id":)"
             + json_quoted(c.id) + R"(,"name":)" + json_quoted(c.name)
             + R"(,"input":)" + c.arguments
             + R"(}]},{"role":"user","content":[{"type":"tool_result",)"
               R"("tool_use_id":)"
             + json_quoted(c.id) + R"(,"content":"Sunny, 21 C"}]}])";
    case provider_kind::gemini:
      return "[" + user
             + R"(,{"role":"model","parts":[{"functionCall":{"name":)"
             + json_quoted(c.name) + R"(,"args":)" + c.arguments
             + R"(}}]},{"role":"user","parts":[{"functionResponse":)"
               R"({"name":)"
             + json_quoted(c.name) + R"(,"response":{"result":"Sunny"}}}]}])";
    case provider_kind::cohere:
      return "[" + user
             + R"(,{"role":"assistant","tool_plan":"I will look it up.",)"
               R"("tool_calls":[{"id":)"
             + json_quoted(c.id) + R"(,"type":"function","function":{"name":)"
             + json_quoted(c.name) + R"(,"arguments":)"
             + json_quoted(c.arguments)
             + R"(}}]},{"role":"tool","tool_call_id":)" + json_quoted(c.id)
             + R"(,"content":[{"type":"document","document":)"
               R"({"data":"Sunny"}}]}])";
    case provider_kind::ollama:
      return "[" + user
             + R"(,{"role":"assistant","content":"","tool_calls":)"
               R"([{"function":{"name":)"
             + json_quoted(c.name) + R"(,"arguments":)" + c.arguments
             + R"(}}]},{"role":"tool","tool_name":)" + json_quoted(c.name)
             + R"(,"content":"Sunny"}])";
  }
  return {};
}

std::string_view call_finish(provider_kind kind) {
  constexpr std::array<std::string_view, 5> finishes{
    "tool_calls", "tool_use", "STOP", "TOOL_CALL", "stop"};
  return finishes[static_cast<std::size_t>(kind)];
}

std::string_view text_finish(provider_kind kind) {
  constexpr std::array<std::string_view, 5> finishes{"stop", "end_turn", "STOP",
                                                     "COMPLETE", "stop"};
  return finishes[static_cast<std::size_t>(kind)];
}

/// The call's id is in the provider's own style, or absent where the
/// provider sends none.
void check_id(provider_kind kind, const wire_call& c) {
  INFO("id " << c.id);
  switch (kind) {
    case provider_kind::openai:
      CHECK(c.id.rfind("call_", 0) == 0);
      CHECK(c.id.size() == 29);
      break;
    case provider_kind::anthropic:
      CHECK(c.id.rfind("toolu_01", 0) == 0);
      CHECK(c.id.size() == 30);
      break;
    case provider_kind::cohere:
      CHECK(c.id.rfind(c.name + "_", 0) == 0);
      CHECK(c.id.size() == c.name.size() + 13);
      break;
    default: CHECK(c.id.empty()); break;
  }
}

/// The arguments are a JSON object valid for the tool's parameters.
void check_arguments(const wire_call& c) {
  INFO("arguments " << c.arguments);
  json_doc args{c.arguments};
  REQUIRE(args.ok);
  REQUIRE(args.root.is_object());
  if (c.name == "search") {
    CHECK_FALSE(str(args.root["query"]).empty());
    return;
  }
  REQUIRE(c.name == "get_weather");
  CHECK_FALSE(str(args.root["city"]).empty());
  auto days = u64(args.root["days"]);
  CHECK(days >= 1);
  CHECK(days <= 7);
  auto units = str(args.root["units"]);
  CHECK((units == "celsius" || units == "fahrenheit"));
}

wire_answer ask(sim_server& s, provider_kind kind, const wire_request& req,
                int status = 200) {
  auto [target, body] = build(kind, req);
  auto r = s.send("POST", target, body);
  INFO(r.body);
  REQUIRE(r.status == status);
  auto a = decode(kind, req.stream, r.body);
  CHECK(a.well_formed);
  return a;
}

} // namespace

TEST_CASE("a forced tool call comes in the provider's shapes, and its "
          "result gets a text answer",
          "[sim][tools]") {
  sim_server s{agent_sim_yaml()};
  for (auto kind : wire_kinds) {
    for (bool stream : {false, true}) {
      INFO(kind_text(kind) << (stream ? " streamed" : " plain"));
      wire_request first;
      first.model = forcing_model(kind);
      first.stream = stream;
      first.messages = "[" + user_turn(kind) + "]";
      first.extra = tools_field(kind);
      if (auto choice = forced_choice(kind); !choice.empty())
        first.extra += "," + choice;
      auto a = ask(s, kind, first);
      REQUIRE(a.calls.size() == 1);
      const auto& call = a.calls.front();
      CHECK(a.text.empty());
      CHECK(a.finish == call_finish(kind));
      if (kind != provider_kind::cohere && kind != provider_kind::ollama)
        CHECK(call.name == "get_weather");
      check_id(kind, call);
      check_arguments(call);
      // Streamed arguments come in pieces where the format streams them;
      // Gemini and Ollama send a call whole.
      if (stream && kind != provider_kind::gemini
          && kind != provider_kind::ollama)
        CHECK(call.fragments >= 2);
      else
        CHECK(call.fragments == 1);

      // The next turn carries the result (and the same tools and forced
      // choice): the answer is text.
      auto second = first;
      second.messages = tool_turns(kind, call);
      auto b = ask(s, kind, second);
      CHECK(b.calls.empty());
      CHECK_FALSE(b.text.empty());
      CHECK(b.finish == text_finish(kind));
    }
  }
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    auto model = stats.root["models"][forcing_model(kind)];
    CHECK(u64(model["tool_calls"]) == 2);
    CHECK(u64(model["tool_results"]) == 2);
    CHECK(u64(model["refused_tool_results"]) == 0);
  }
}

TEST_CASE("a tool result the simulator never asked for is refused with the "
          "format's 400",
          "[sim][tools]") {
  sim_server s{agent_sim_yaml()};
  for (auto kind : wire_kinds) {
    for (bool stream : {false, true}) {
      INFO(kind_text(kind) << (stream ? " streamed" : " plain"));
      // The conversation is consistent (the call precedes its result), but
      // the id is none the simulator issued; Gemini and Ollama, which have
      // no ids, name a tool the request does not offer.
      wire_call fake;
      fake.name = "get_weather";
      fake.arguments = R"({"city":"Oslo","days":1,"units":"celsius"})";
      if (kind == provider_kind::openai)
        fake.id = "call_NeverIssuedByTheSim0000";
      else if (kind == provider_kind::anthropic)
        fake.id = "toolu_01NeverIssuedByTheSim00";
      else if (kind == provider_kind::cohere)
        fake.id = "get_weather_neverissued0";
      else
        fake.name = "launch_rocket";
      wire_request req;
      req.model = kind_text(kind) + "-agent";
      req.stream = stream;
      req.messages = tool_turns(kind, fake);
      req.extra = tools_field(kind);
      auto [target, body] = build(kind, req);
      auto r = s.send("POST", target, body);
      INFO(r.body);
      REQUIRE(r.status == 400);
      json_doc error{r.body};
      REQUIRE(error.ok);
      auto& e = error.root;
      switch (kind) {
        case provider_kind::openai:
          CHECK(str(e["error"]["type"]) == "invalid_request_error");
          CHECK(str(e["error"]["param"]) == "messages.[2].tool_call_id");
          CHECK(str(e["error"]["message"]).find(fake.id) != std::string::npos);
          break;
        case provider_kind::anthropic:
          CHECK(str(e["type"]) == "error");
          CHECK(str(e["error"]["type"]) == "invalid_request_error");
          CHECK(str(e["error"]["message"])
                  .find("messages.2.content.0: unexpected `tool_use_id`")
                == 0);
          CHECK(str(e["error"]["message"]).find(fake.id) != std::string::npos);
          break;
        case provider_kind::gemini:
          CHECK(u64(e["error"]["code"]) == 400);
          CHECK(str(e["error"]["status"]) == "INVALID_ARGUMENT");
          CHECK(str(e["error"]["message"]).find("launch_rocket")
                != std::string::npos);
          break;
        case provider_kind::cohere:
          CHECK(str(e["message"]).find(fake.id) != std::string::npos);
          break;
        case provider_kind::ollama:
          CHECK(str(e["error"]).find("launch_rocket") != std::string::npos);
          break;
      }
    }
  }
  // Refusals draw nothing: the models' request counts stay at zero.
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    auto model = stats.root["models"][kind_text(kind) + "-agent"];
    CHECK(u64(model["refused_tool_results"]) == 2);
    CHECK(u64(model["requests"]) == 0);
  }
  CHECK(u64(stats.root["bad_request"]) == 10);
}

TEST_CASE("tool_choice none never calls, auto calls at the model's rate",
          "[sim][tools]") {
  sim_server s{agent_sim_yaml()};
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    wire_request req;
    req.messages = "[" + user_turn(kind) + "]";
    req.extra = tools_field(kind);
    // Rate 0, not forced: text.
    req.model = kind_text(kind) + "-agent";
    auto a = ask(s, kind, req);
    CHECK(a.calls.empty());
    CHECK_FALSE(a.text.empty());
    // Rate 1: a call, unless the choice is none (Ollama has no choice).
    req.model = kind_text(kind) + "-eager";
    CHECK(ask(s, kind, req).calls.size() == 1);
    std::string none;
    if (kind == provider_kind::openai)
      none = R"("tool_choice":"none")";
    else if (kind == provider_kind::anthropic)
      none = R"("tool_choice":{"type":"none"})";
    else if (kind == provider_kind::gemini)
      none = R"("toolConfig":{"functionCallingConfig":{"mode":"NONE"}})";
    else if (kind == provider_kind::cohere)
      none = R"("tool_choice":"NONE")";
    if (!none.empty()) {
      auto with_none = req;
      with_none.extra += "," + none;
      CHECK(ask(s, kind, with_none).calls.empty());
    }
    // Rate 1/2: some of each, and no call without tools.
    req.model = kind_text(kind) + "-half";
    int calls = 0;
    for (int i = 0; i < 40; ++i)
      calls += ask(s, kind, req).calls.empty() ? 0 : 1;
    CHECK(calls > 8);
    CHECK(calls < 32);
    req.extra.clear();
    req.model = kind_text(kind) + "-eager";
    CHECK(ask(s, kind, req).calls.empty());
  }
}

TEST_CASE("a tool_choice naming a tool the request lacks is a 400",
          "[sim][tools]") {
  sim_server s{agent_sim_yaml()};
  for (auto kind : {provider_kind::openai, provider_kind::anthropic,
                    provider_kind::gemini}) {
    INFO(kind_text(kind));
    wire_request req;
    req.model = kind_text(kind) + "-agent";
    req.messages = "[" + user_turn(kind) + "]";
    auto choice = forced_choice(kind);
    auto at = choice.find("get_weather");
    choice.replace(at, 11, "fly_away");
    req.extra = tools_field(kind) + "," + choice;
    auto [target, body] = build(kind, req);
    auto r = s.send("POST", target, body);
    CHECK(r.status == 400);
    CHECK(r.body.find("fly_away") != std::string::npos);
  }
}

TEST_CASE("tool calls are the same for the same seed and request",
          "[sim][tools]") {
  auto first_call = [](std::uint64_t seed, provider_kind kind) {
    sim_server s{agent_sim_yaml(seed)};
    wire_request req;
    req.model = forcing_model(kind);
    req.messages = "[" + user_turn(kind) + "]";
    req.extra = tools_field(kind);
    if (auto choice = forced_choice(kind); !choice.empty())
      req.extra += "," + choice;
    auto a = ask(s, kind, req);
    REQUIRE(a.calls.size() == 1);
    return a.calls.front();
  };
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    auto a = first_call(5, kind);
    auto b = first_call(5, kind);
    CHECK(a.id == b.id);
    CHECK(a.name == b.name);
    CHECK(a.arguments == b.arguments);
    if (kind == provider_kind::openai || kind == provider_kind::anthropic)
      CHECK(first_call(6, kind).id != a.id);
  }
}
