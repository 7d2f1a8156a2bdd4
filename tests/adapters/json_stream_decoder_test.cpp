// The decoder every wire format's stream runs on (json_stream_decoder with
// its tool_call_decoder), driven by the smallest format there can be: events
// holding tool-call fragments in OpenAI's shape. Then the same failures
// through real formats, to show they run on it.
#include "json_stream_decoder.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/providers/cohere/cohere_format.hpp"
#include "switchyard/providers/openai/openai_format.hpp"
#include "tool_call_decoder.hpp"
#include "wire_test_support.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace switchyard;
using namespace switchyard::testing;
using engine::call_error;
using engine::part_kind;
using providers::detail::json_stream_decoder;
using providers::detail::stream_framing;
using providers::detail::tool_call_decoder;
namespace od = providers::detail::od;

namespace {

/// Each event is `{"tool_calls": [...]}`, fragments in OpenAI's shape, or
/// `{"done": true}`, which ends the stream (as does an end marker).
class fragment_decoder final : public json_stream_decoder {
  using json_stream_decoder::json_stream_decoder;

  simdjson::error_code
  read_event(od::object event,
             const providers::detail::stream_output& out) override {
    return providers::detail::for_each_field(
      event, [&](std::string_view key, od::value& v) -> simdjson::error_code {
        if (key == "done")
          end();
        if (key != "tool_calls")
          return simdjson::SUCCESS;
        return calls_.read_each(v, out.result, [&](const auto& fragment) {
          calls_.add(fragment, out.on_chunk);
        });
      });
  }

  void complete(engine::call_result& result) override {
    calls_.take_into(result.content);
  }

  tool_call_decoder calls_;
};

fragment_decoder sse_decoder() {
  return fragment_decoder{stream_framing::sse, "[DONE]"};
}

/// One fragment: the provider's index, and the id and name when it starts
/// its call.
struct fragment {
  std::uint32_t index;
  std::string id;
  std::string name;
  std::string arguments;
};

/// An SSE event holding `fragments`, escaped by the JSON writer, with CRLF
/// line ends (as some servers send).
std::string event(const std::vector<fragment>& fragments) {
  std::string json;
  engine::json_writer w{json};
  w.begin_object().key("tool_calls").begin_array();
  for (const auto& f : fragments) {
    w.begin_object();
    w.field("index", static_cast<std::uint64_t>(f.index));
    if (!f.id.empty()) {
      w.field("id", f.id);
      w.field("type", "function");
    }
    w.key("function").begin_object();
    if (!f.name.empty())
      w.field("name", f.name);
    w.field("arguments", f.arguments);
    w.end_object().end_object();
  }
  w.end_array().end_object();
  return "data: " + json + "\r\n\r\n";
}

/// Three calls whose fragments interleave by index (0, 5 and 1: a
/// provider's numbers, not positions). The arguments hold escaped quotes,
/// an escaped newline and a two-byte character, so that splitting the body
/// at every byte cuts inside each of them; a keep-alive comment sits
/// between events.
const std::vector<fragment> interleaved = {
  {0, "call_a", "get_weather", ""},
  {5, "call_c", "lookup", R"({"q":)"},
  {0, "", "", R"({"city":)"},
  {1, "call_b", "get_time", "{}"},
  {0, "", "", "\"Z\xC3\xBCrich \\\"Alt"},
  {5, "", "", R"("a\nb"})"},
  {0, "", "", R"(stadt\""})"},
};

std::string interleaved_body() {
  const auto& f = interleaved;
  return event({f[0]}) + event({f[1]}) + ": keep-alive\r\n\r\n" + event({f[2]})
         + event({f[3], f[4]}) + event({f[5]}) + event({f[6]})
         + "data: [DONE]\r\n\r\n";
}

/// What a decoder made of a body fed in pieces.
struct decoded {
  engine::call_result result;
  chunk_log log;
  bool fed = true;
  bool complete = false;
};

/// Feeds `body` cut at `cuts` (ascending offsets), then finishes.
decoded decode(std::string_view body, const std::vector<std::size_t>& cuts) {
  decoded d;
  auto decoder = sse_decoder();
  auto on_chunk = d.log.callback();
  std::size_t from = 0;
  auto feed_to = [&](std::size_t to) {
    d.fed = d.fed
            && decoder.feed(body.substr(from, to - from), on_chunk, d.result);
    from = to;
  };
  for (auto cut : cuts)
    feed_to(cut);
  feed_to(body.size());
  d.complete = decoder.finish(d.result);
  return d;
}

/// Checks the calls and the fragments passed on against `interleaved`.
void check_interleaved(const decoded& d) {
  REQUIRE(d.fed);
  REQUIRE(d.complete);
  // Positions follow the order in which calls started: 0, 5, then 1.
  const std::vector<std::uint32_t> positions = {0, 1, 0, 2, 0, 1, 0};
  auto frags = d.log.tool_fragments();
  REQUIRE(frags.size() == interleaved.size());
  for (std::size_t i = 0; i < frags.size(); ++i) {
    INFO("fragment " << i);
    CHECK(frags[i].tool_index == positions[i]);
    CHECK(frags[i].tool_id == interleaved[i].id);
    CHECK(frags[i].tool_name == interleaved[i].name);
    CHECK(frags[i].tool_arguments == interleaved[i].arguments);
  }
  using engine::content_part;
  REQUIRE(d.result.content.size() == 3);
  CHECK(d.result.content[0]
        == content_part::make_tool_call("call_a", "get_weather",
                                        "{\"city\":\"Z\xC3\xBCrich "
                                        "\\\"Altstadt\\\"\"}"));
  CHECK(d.result.content[1]
        == content_part::make_tool_call("call_c", "lookup", R"({"q":"a\nb"})"));
  CHECK(d.result.content[2]
        == content_part::make_tool_call("call_b", "get_time", "{}"));
}

} // namespace

TEST_CASE("shared decoder: interleaved tool calls come out whole and in "
          "order, fragment by fragment",
          "[wire][decoder]") {
  check_interleaved(decode(interleaved_body(), {}));
}

TEST_CASE("shared decoder: a body split at any byte decodes the same",
          "[wire][decoder]") {
  auto body = interleaved_body();
  SECTION("in two pieces, at every offset") {
    for (std::size_t cut = 1; cut < body.size(); ++cut) {
      INFO("cut at " << cut << ": " << body.substr(0, cut));
      check_interleaved(decode(body, {cut}));
    }
  }
  SECTION("one byte at a time") {
    std::vector<std::size_t> cuts;
    for (std::size_t cut = 1; cut < body.size(); ++cut)
      cuts.push_back(cut);
    check_interleaved(decode(body, cuts));
  }
  SECTION("cut anywhere before [DONE] is never complete") {
    auto end = body.find("data: [DONE]");
    for (std::size_t cut = 0; cut <= end; cut += 5) {
      auto d = decode(std::string_view{body}.substr(0, cut), {});
      CHECK(d.fed);
      CHECK_FALSE(d.complete);
    }
  }
}

TEST_CASE("shared decoder: a malformed tool-call fragment fails the stream "
          "and names what was wrong",
          "[wire][decoder]") {
  struct bad_fragment {
    std::string json;
    std::string says;
  };
  auto bad = GENERATE(
    bad_fragment{R"({"tool_calls":[{"index":"first","function":{}}]})",
                 R"(a tool call's "index" cannot be read)"},
    bad_fragment{R"({"tool_calls":[{"index":1,"id":7}]})",
                 R"(a tool call's "id" cannot be read)"},
    bad_fragment{R"({"tool_calls":[{"index":1,"function":"get_time"}]})",
                 R"(a tool call's "function" cannot be read)"},
    bad_fragment{R"({"tool_calls":[{"index":1,"function":{"name":["f"]}}]})",
                 R"(a tool call's "function.name" cannot be read)"},
    bad_fragment{R"({"tool_calls":[{"index":-1}]})",
                 R"(a tool call's "index" cannot be read)"},
    bad_fragment{R"({"tool_calls":["get_time"]})",
                 "a tool call is not an object"},
    bad_fragment{R"({"tool_calls":{"index":1}})",
                 "tool_calls is not an array"});
  INFO(bad.json);
  auto decoder = sse_decoder();
  engine::call_result r;
  chunk_log log;
  // The first call's fragment went out before the bad one arrived.
  REQUIRE(decoder.feed(event({interleaved[0]}), log.callback(), r));
  CHECK_FALSE(decoder.feed(
    "data: " + bad.json + "\n\n" + event({interleaved[2]}), log.callback(), r));
  CHECK(r.error == call_error::malformed);
  CHECK(r.finish_reason == "error");
  CHECK(r.error_message.find("malformed response body: " + bad.says) == 0);
  CHECK(r.error_message.find("(") != std::string::npos); // simdjson's reason
  CHECK(log.tool_fragments().size() == 1);
}

TEST_CASE("shared decoder: the formats' tool-call fragments fail the same "
          "way",
          "[wire][decoder]") {
  SECTION("OpenAI") {
    auto d = providers::openai_format{}.make_stream_decoder();
    engine::call_result r;
    CHECK_FALSE(
      d->feed(R"(data: {"choices":[{"delta":{"tool_calls":[{"index":"0"}]}}]})"
              "\n\n",
              {}, r));
    CHECK(r.error == call_error::malformed);
    CHECK(r.error_message.find(R"(a tool call's "index" cannot be read)")
          != std::string::npos);
  }
  SECTION("Cohere") {
    auto d = providers::cohere_format{}.make_stream_decoder();
    engine::call_result r;
    CHECK_FALSE(
      d->feed("event: tool-call-start\ndata: "
              R"({"type":"tool-call-start","index":0,"delta":{"message":)"
              R"({"tool_calls":{"id":"c1","function":{"name":7}}}}})"
              "\n\n",
              {}, r));
    CHECK(r.error == call_error::malformed);
    CHECK(r.error_message.find(R"("function.name" cannot be read)")
          != std::string::npos);
  }
}

TEST_CASE("shared decoder: events that are not JSON objects, and what "
          "follows the end",
          "[wire][decoder]") {
  SECTION("an event that is not JSON fails the stream") {
    auto decoder = sse_decoder();
    engine::call_result r;
    CHECK_FALSE(decoder.feed("data: {\"tool_calls\": [\n\n", {}, r));
    CHECK(r.error == call_error::malformed);
    CHECK(r.error_message.find("stream event is not a JSON object")
          != std::string::npos);
  }
  SECTION("nothing after the end marker is read, not even garbage") {
    auto decoder = sse_decoder();
    engine::call_result r;
    REQUIRE(decoder.feed(event({interleaved[0]}) + "data: [DONE]\n\n"
                           + "data: not json\n\n" + event({interleaved[3]}),
                         {}, r));
    REQUIRE(decoder.finish(r));
    CHECK(parts_of(r, part_kind::tool_call).size() == 1);
  }
  SECTION("NDJSON: a last line without its newline still counts") {
    fragment_decoder decoder{stream_framing::ndjson};
    engine::call_result r;
    REQUIRE(decoder.feed(
      R"({"tool_calls":[{"index":0,"id":"c","function":{"name":"f",)"
      R"("arguments":"{}"}}]})"
      "\r\n\n"
      R"({"done":true})",
      {}, r));
    REQUIRE(decoder.finish(r));
    CHECK(parts_of(r, part_kind::tool_call).size() == 1);
  }
  SECTION("NDJSON: an unfinished last line leaves the stream cut, the "
          "result untouched") {
    fragment_decoder decoder{stream_framing::ndjson};
    engine::call_result r;
    REQUIRE(decoder.feed(R"({"done":tr)", {}, r));
    CHECK_FALSE(decoder.finish(r));
    CHECK(r.ok());
  }
}
