// Each adapter against the simulated upstream over loopback: round trips,
// plain and streamed, and every fault mapped to its error class.
#include "provider_fixture.hpp"
#include "switchyard/providers/model_price.hpp"
#include "switchyard/providers/wire_format.hpp"

#include <random>

using namespace switchyard;
using namespace switchyard::testing;
using engine::call_error;
using engine::provider_kind;

namespace {

std::string kind_name(provider_kind k) {
  return std::string{engine::to_string(k)};
}

engine::usd_nanos expected_cost(const engine::call_result& r) {
  // The fixture's price: $0.001 / 1k input, $0.002 / 1k output.
  return std::llround(r.input_tokens * 1000.0 + r.output_tokens * 2000.0);
}

} // namespace

TEST_CASE("every adapter round-trips a plain call", "[providers][sim]") {
  provider_fixture f;
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    auto r = f.call(kind, "ok");
    INFO(r.error_message);
    REQUIRE(r.ok());
    CHECK(r.model == model_name(kind, "ok"));
    CHECK(r.http_status == 200);
    CHECK_FALSE(r.text.empty());
    CHECK(r.finish_reason == "stop");
    CHECK(r.input_tokens > 0);
    CHECK(r.output_tokens >= 5);
    CHECK(r.output_tokens <= 12);
    CHECK(r.cost_nanos == expected_cost(r));
    CHECK(r.cost_nanos > 0);
    CHECK(r.latency_ms > 0);
    CHECK(r.time_to_first_token_ms > 0);
    CHECK(r.time_to_first_token_ms <= r.latency_ms);
    CHECK(r.error_message.empty());
  }
}

TEST_CASE("every adapter round-trips a stream", "[providers][sim]") {
  provider_fixture f;
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    auto s = f.stream(kind, "ok");
    INFO(s.result.error_message);
    REQUIRE(s.result.ok());
    CHECK(s.deltas == s.result.text);
    CHECK_FALSE(s.result.text.empty());
    CHECK(s.chunks >= 5);
    CHECK(s.last_finish == "stop");
    CHECK(s.result.finish_reason == "stop");
    CHECK(s.result.input_tokens > 0);
    CHECK(s.result.output_tokens >= 5);
    REQUIRE(s.output_tokens);
    CHECK(*s.output_tokens == s.result.output_tokens);
    CHECK(s.result.cost_nanos == expected_cost(s.result));
    CHECK(s.result.time_to_first_token_ms > 0);
  }
}

TEST_CASE("the same call gives the same text in both modes' format",
          "[providers][sim]") {
  // The Nth request to a model is fixed by the seed: a fresh simulator
  // answers a stream with the text it gave a plain call.
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    provider_fixture a;
    provider_fixture b;
    auto plain = a.call(kind, "ok");
    auto streamed = b.stream(kind, "ok");
    REQUIRE(plain.ok());
    REQUIRE(streamed.result.ok());
    CHECK(plain.text == streamed.result.text);
    CHECK(plain.output_tokens == streamed.result.output_tokens);
  }
}

TEST_CASE("the request's max_tokens ends the answer with length",
          "[providers][sim]") {
  provider_fixture f;
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    for (bool stream : {false, true}) {
      auto req = provider_fixture::request(kind, "ok");
      req.max_tokens = 3;
      auto promise = std::make_shared<std::promise<engine::call_result>>();
      auto future = promise->get_future();
      auto done = [promise](engine::call_result r) {
        promise->set_value(std::move(r));
      };
      if (stream)
        f.client(kind).stream(req, {}, done);
      else
        f.client(kind).call(req, done);
      REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
      auto r = future.get();
      REQUIRE(r.ok());
      CHECK(r.finish_reason == "length");
      CHECK(r.output_tokens == 3);
    }
  }
}

TEST_CASE("every fault maps to its error class, plain and streamed",
          "[providers][sim]") {
  provider_fixture f;
  struct expectation {
    std::string outcome;
    call_error error;
    int status;
  };
  const std::vector<expectation> table{
    {"http_500", call_error::server_error, 500},
    {"http_503", call_error::server_error, 503},
    {"http_429", call_error::rate_limited, 429},
    {"hang", call_error::timeout, 0},
    {"reset", call_error::connection, 0},
    {"truncate", call_error::truncated, 200},
    {"malformed", call_error::malformed, 200},
  };
  for (auto kind : kinds) {
    for (const auto& e : table) {
      for (bool stream : {false, true}) {
        INFO(kind_name(kind)
             << " " << e.outcome << (stream ? " streamed" : " plain"));
        auto r = stream ? f.stream(kind, e.outcome).result
                        : f.call(kind, e.outcome);
        INFO(r.error_message);
        CHECK(r.error == e.error);
        CHECK(r.http_status == e.status);
        CHECK(r.finish_reason == "error");
        CHECK(r.error_message.find("provider '" + kind_name(kind) + "-sim'")
              == 0);
        if (e.outcome == "http_429" || e.outcome == "http_503") {
          REQUIRE(r.retry_after);
          CHECK(*r.retry_after == std::chrono::milliseconds{2000});
        }
        if (e.outcome == "http_500" || e.outcome == "http_429")
          CHECK(r.error_message.find("(simulated)") != std::string::npos);
      }
    }
  }
  auto stats = f.sim->stats_json();
  CHECK(stats.find("\"hang\":10") != std::string::npos);
}

TEST_CASE("an unknown model is a client error that keeps the provider's "
          "message",
          "[providers][sim]") {
  provider_fixture f;
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    auto req = provider_fixture::request(kind, "ok");
    req.upstream_model = "no-such-model";
    auto promise = std::make_shared<std::promise<engine::call_result>>();
    auto future = promise->get_future();
    f.client(kind).call(req, [promise](engine::call_result r) {
      promise->set_value(std::move(r));
    });
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    auto r = future.get();
    CHECK(r.error == call_error::client_error);
    CHECK(r.http_status == 404);
    CHECK_FALSE(engine::is_retryable(r.error));
    CHECK(r.error_message.find("The model `no-such-model` does not exist")
          != std::string::npos);
  }
}

TEST_CASE("a 10 MB upstream body is refused at the limit", "[providers][sim]") {
  provider_fixture f;
  auto r = f.call(provider_kind::openai, "big");
  CHECK(r.error == call_error::malformed);
  CHECK(r.error_message.find("over the limit of 8388608 bytes")
        != std::string::npos);
}

TEST_CASE("a cancelled call completes once, as cancelled", "[providers][sim]") {
  provider_fixture f;
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    auto promise = std::make_shared<std::promise<engine::call_result>>();
    auto future = promise->get_future();
    auto handle = f.client(kind).stream(provider_fixture::request(kind, "hang"),
                                        {}, [promise](engine::call_result r) {
                                          promise->set_value(std::move(r));
                                        });
    handle->cancel();
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    CHECK(future.get().error == call_error::cancelled);
  }
}

TEST_CASE("stream decoders give the same result whatever the split",
          "[providers][sim]") {
  provider_fixture f;
  std::mt19937 rng{99};
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    // Fetch the raw stream body as the simulator sends it.
    auto format = providers::make_wire_format(kind);
    http::client_request req;
    auto spec = f.reg.providers[static_cast<std::size_t>(kind)];
    std::string why;
    auto base = http::parse_url(spec.base_url, why);
    REQUIRE(base);
    format->build_request(provider_fixture::request(kind, "ok"), true,
                          base->path, req);
    auto raw = fetch(*f.http, base->origin, req);
    REQUIRE(raw.ok());
    REQUIRE(raw.status == 200);
    engine::call_result whole;
    auto decoder = format->make_stream_decoder();
    REQUIRE(decoder->feed(raw.body, {}, whole));
    REQUIRE(decoder->finish(whole));
    for (int round = 0; round < 50; ++round) {
      engine::call_result split;
      std::string deltas;
      auto d = format->make_stream_decoder();
      std::size_t pos = 0;
      while (pos < raw.body.size()) {
        auto n = std::uniform_int_distribution<std::size_t>{1, 40}(rng);
        REQUIRE(d->feed(
          std::string_view{raw.body}.substr(pos, n),
          [&deltas](const engine::stream_chunk& c) {
            deltas += c.delta;
          },
          split));
        pos += n;
      }
      REQUIRE(d->finish(split));
      CHECK(split.text == whole.text);
      CHECK(deltas == whole.text);
      CHECK(split.output_tokens == whole.output_tokens);
      CHECK(split.input_tokens == whole.input_tokens);
      CHECK(split.finish_reason == whole.finish_reason);
    }
    SECTION("and a cut anywhere before the end is never complete") {
      for (std::size_t cut = 0; cut + 1 < raw.body.size(); cut += 7) {
        engine::call_result partial;
        auto d = format->make_stream_decoder();
        (void)d->feed(std::string_view{raw.body}.substr(0, cut), {}, partial);
        // Gemini ends with its finishReason chunk: a cut inside the last
        // event's trailing CRLFs still leaves it unsent.
        CHECK_FALSE(d->finish(partial));
      }
    }
  }
}

TEST_CASE("a stream whose body ends cleanly but without its final event is "
          "truncated",
          "[providers]") {
  // OpenAI-style events but no [DONE]: the HTTP body is complete, the
  // stream is not.
  auto server = serve([](const http::server_request&,
                         std::shared_ptr<http::response_writer> w) {
    w->begin(200, {{"Content-Type", "text/event-stream"}});
    w->write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
             "\"finish_reason\":null}]}\n\n");
    w->end();
  });
  auto http = make_client();
  engine::registry reg;
  engine::provider_spec p;
  p.id = "cut";
  p.kind = provider_kind::openai;
  p.base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1";
  reg.providers.push_back(p);
  engine::model_spec m;
  m.id = "m";
  m.provider = "cut";
  m.upstream = "m";
  reg.models.push_back(m);
  auto client = providers::make_provider_client(p, reg, *http, {});
  REQUIRE(client);
  engine::call_request req;
  req.model = "m";
  req.upstream_model = "m";
  req.messages = {engine::chat_message::make(engine::message_role::user, "hi")};
  auto promise = std::make_shared<std::promise<engine::call_result>>();
  auto future = promise->get_future();
  std::string deltas;
  (*client)->stream(
    req,
    [&deltas](const engine::stream_chunk& c) {
      deltas += c.delta;
    },
    [promise](engine::call_result r) {
      promise->set_value(std::move(r));
    });
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  auto r = future.get();
  CHECK(r.error == call_error::truncated);
  CHECK(engine::is_retryable(r.error));
  CHECK(r.text == "Hel");
  CHECK(deltas == "Hel");
  CHECK(r.error_message.find("final event") != std::string::npos);
}

// -- agent conversations through every adapter -------------------------------

namespace {

/// One model per format that calls tools only when forced (`<kind>-tools`),
/// except Ollama's, which always does: its API cannot force a call.
struct agent_fixture {
  agent_fixture() {
    std::string yaml = "version: 1\nseed: 3\ntime_scale: 0\nmodels:\n";
    for (auto kind : kinds)
      yaml += "  " + model_name(kind, "tools") + ": {tool_call_rate: "
              + (kind == provider_kind::ollama ? "1" : "0") + "}\n";
    auto parsed = sim::parse_sim_config(yaml, "<agent sim>", {});
    REQUIRE(parsed.config);
    std::string why;
    sim = sim::sim_upstream::make(std::move(*parsed.config), {}, why);
    REQUIRE(sim);
    http = make_client();
    reg = sim_registry(sim->port());
    for (auto kind : kinds) {
      engine::model_spec m;
      m.id = m.upstream = model_name(kind, "tools");
      m.provider = kind_name(kind) + "-sim";
      m.provider_index = static_cast<std::uint16_t>(kind);
      reg.models.push_back(m);
    }
    for (const auto& p : reg.providers) {
      auto client = providers::make_provider_client(p, reg, *http, test_keys);
      REQUIRE(client);
      clients.emplace(p.kind, std::move(*client));
    }
  }

  struct outcome {
    engine::call_result result;
    /// The streamed tool-call fragments' arguments, by call index.
    std::map<std::uint32_t, std::string> arguments;
    std::size_t argument_fragments = 0;
  };

  outcome run(provider_kind kind, engine::call_request req) {
    auto acc = std::make_shared<outcome>();
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    auto done = [acc, promise](engine::call_result r) {
      acc->result = std::move(r);
      promise->set_value();
    };
    if (req.stream)
      clients.at(kind)->stream(
        req,
        [acc](const engine::stream_chunk& c) {
          if (c.tool_index && !c.tool_arguments.empty()) {
            acc->arguments[*c.tool_index] += c.tool_arguments;
            ++acc->argument_fragments;
          }
        },
        done);
    else
      clients.at(kind)->call(req, done);
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    return *acc;
  }

  /// The newest body the simulator received for `model`.
  std::string last_body(const std::string& model) {
    http::client_request req;
    req.method = "GET";
    req.target = "/sim/requests?limit=1&model=" + model;
    auto r = fetch(*http, local(sim->port()), req);
    REQUIRE(r.status == 200);
    return r.body;
  }

  std::unique_ptr<sim::sim_upstream> sim;
  std::unique_ptr<http::http_client> http;
  engine::registry reg;
  std::map<provider_kind, std::shared_ptr<providers::provider_client>> clients;
};

engine::call_request weather_request(provider_kind kind, bool stream) {
  engine::call_request req;
  req.model = req.upstream_model = model_name(kind, "tools");
  req.stream = stream;
  req.max_tokens = 256;
  req.messages
    = {engine::chat_message::make(engine::message_role::user, "Oslo?")};
  engine::tool_definition tool;
  tool.name = "get_weather";
  tool.description = "The forecast for a city.";
  tool.parameters = R"({"type":"object","properties":{"city":{"type":)"
                    R"("string"},"days":{"type":"integer"}},)"
                    R"("required":["city","days"]})";
  req.options.tools = {tool};
  // Cohere can only require a call; Ollama cannot force one at all (its
  // sim model calls at rate 1).
  req.options.choice = {engine::tool_choice_mode::named, "get_weather"};
  if (kind == provider_kind::cohere)
    req.options.choice = {engine::tool_choice_mode::required, {}};
  if (kind == provider_kind::ollama)
    req.options.choice = {};
  return req;
}

} // namespace

TEST_CASE("every adapter carries a tool loop to the sim and back, plain and "
          "streamed",
          "[providers][sim][tools]") {
  agent_fixture f;
  for (auto kind : kinds) {
    for (bool stream : {false, true}) {
      INFO(kind_name(kind) << (stream ? " streamed" : " plain"));
      auto req = weather_request(kind, stream);
      auto first = f.run(kind, req);
      INFO(first.result.error_message);
      REQUIRE(first.result.ok());
      CHECK(first.result.finish_reason == "tool_calls");
      CHECK(first.result.text.empty());
      // One call, after any reasoning (Cohere's tool plan may come as
      // reasoning).
      std::vector<engine::content_part> calls;
      for (const auto& p : first.result.content) {
        if (p.kind == engine::part_kind::tool_call)
          calls.push_back(p);
        else
          CHECK(p.kind == engine::part_kind::reasoning);
      }
      REQUIRE(calls.size() == 1);
      const auto& call = calls.front();
      CHECK(call.name == "get_weather");
      CHECK_FALSE(call.id.empty());
      if (kind == provider_kind::openai)
        CHECK(call.id.rfind("call_", 0) == 0);
      if (kind == provider_kind::anthropic)
        CHECK(call.id.rfind("toolu_", 0) == 0);
      if (kind == provider_kind::cohere)
        CHECK(call.id.rfind("get_weather_", 0) == 0);
      CHECK(call.arguments.find("\"city\":") != std::string::npos);
      CHECK(call.arguments.find("\"days\":") != std::string::npos);
      if (stream) {
        // Fragments arrive as they come, and add up to the call.
        CHECK(first.arguments[0] == call.arguments);
        if (kind != provider_kind::gemini && kind != provider_kind::ollama)
          CHECK(first.argument_fragments >= 2);
      }

      // The result goes back with the call's id; the answer is text.
      auto second = req;
      engine::chat_message assistant;
      assistant.role = engine::message_role::assistant;
      assistant.parts.push_back(call);
      engine::chat_message result;
      result.role = engine::message_role::tool;
      engine::content_part part;
      part.kind = engine::part_kind::tool_result;
      part.id = call.id;
      part.name = call.name;
      part.content = {engine::content_part::make_text("Sunny, 21 C")};
      result.parts.push_back(part);
      second.messages.push_back(assistant);
      second.messages.push_back(result);
      auto answer = f.run(kind, second);
      INFO(answer.result.error_message);
      REQUIRE(answer.result.ok());
      CHECK(answer.result.finish_reason == "stop");
      CHECK_FALSE(answer.result.text.empty());
      for (const auto& p : answer.result.content)
        CHECK(p.kind != engine::part_kind::tool_call);
      // The upstream got its own id back (the formats without ids get the
      // tool's name instead).
      auto body = f.last_body(model_name(kind, "tools"));
      if (kind == provider_kind::gemini || kind == provider_kind::ollama)
        CHECK(body.find("\"get_weather\"") != std::string::npos);
      else
        CHECK(body.find('"' + call.id + '"') != std::string::npos);
    }
  }
}

TEST_CASE("every adapter's image and schema reach the sim",
          "[providers][sim][tools]") {
  agent_fixture f;
  // 12 bytes; Gemini takes the bytes inline as well.
  const std::string png = "iVBORw0KGgoAAAAN";
  for (auto kind : kinds) {
    INFO(kind_name(kind));
    engine::call_request req;
    req.model = req.upstream_model = model_name(kind, "tools");
    req.max_tokens = 256;
    auto user = engine::chat_message::make(engine::message_role::user,
                                           "What is in it?");
    engine::content_part image;
    image.kind = engine::part_kind::image;
    image.media_type = "image/png";
    image.data = png;
    user.parts.push_back(image);
    req.messages = {user};
    auto r = f.run(kind, req).result;
    INFO(r.error_message);
    CHECK(r.ok());
    if (kind == provider_kind::anthropic)
      continue; // its messages API has no structured-output field
    req.messages
      = {engine::chat_message::make(engine::message_role::user, "Who?")};
    req.options.format.kind = engine::response_format_kind::json_schema;
    req.options.format.name = "person";
    req.options.format.schema
      = R"({"type":"object","properties":{"name":{"type":"string"},)"
        R"("age":{"type":"integer"}},"required":["name","age"]})";
    auto s = f.run(kind, req).result;
    INFO(s.error_message);
    REQUIRE(s.ok());
    CHECK(s.text.rfind("{\"name\":\"", 0) == 0);
    CHECK(s.text.find(",\"age\":1}") != std::string::npos);
  }
  auto stats = f.sim->stats_json();
  for (auto kind : kinds) {
    INFO(kind_name(kind) << ": " << stats);
    CHECK(stats.find("\"" + kind_name(kind)
                     + R"(":{"inline":1,"inline_bytes":12,"urls":0})")
          != std::string::npos);
  }
}
