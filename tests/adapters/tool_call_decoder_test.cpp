// The wire formats' one tool-call decoder on its own: fragments placed by
// index, id or position, calls sent whole, the parts between them, and the
// finish reason a call makes.
#include "tool_call_decoder.hpp"
#include "wire_test_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::testing;
using engine::content_part;
using providers::detail::tool_call_decoder;

namespace {

std::vector<content_part> take(tool_call_decoder& calls) {
  std::vector<content_part> out;
  calls.take_into(out);
  return out;
}

} // namespace

TEST_CASE("tool-call decoder: fragments of several calls interleaved by "
          "index",
          "[wire][decoder]") {
  tool_call_decoder calls;
  chunk_log log;
  auto cb = log.callback();
  // The provider's numbers are not positions: 7 started first.
  calls.add({7u, "c7", "get_weather", ""}, cb);
  calls.add({2u, "c2", "get_time", R"({"tz":)"}, cb);
  calls.add({7u, {}, {}, R"({"city":)"}, cb);
  calls.add({2u, {}, {}, R"("CET"})"}, cb);
  calls.add({7u, {}, {}, R"("Oslo"})"}, cb);
  // A fragment carrying nothing new goes nowhere.
  calls.add({2u, {}, {}, {}}, cb);
  auto frags = log.tool_fragments();
  REQUIRE(frags.size() == 5);
  CHECK(frags[0].tool_index == 0u);
  CHECK(frags[0].tool_id == "c7");
  CHECK(frags[0].tool_name == "get_weather");
  CHECK(frags[1].tool_index == 1u);
  CHECK(frags[1].tool_id == "c2");
  CHECK(frags[1].tool_arguments == R"({"tz":)");
  for (auto i : {2, 3, 4}) {
    CHECK(frags[i].tool_id.empty()); // only a call's first fragment names it
    CHECK(frags[i].tool_name.empty());
  }
  CHECK(frags[3].tool_index == 1u);
  CHECK(frags[4].tool_index == 0u);
  CHECK(
    take(calls)
    == std::vector<content_part>{
      content_part::make_tool_call("c7", "get_weather", R"({"city":"Oslo"})"),
      content_part::make_tool_call("c2", "get_time", R"({"tz":"CET"})")});
  CHECK_FALSE(calls.has_calls()); // taking empties it
}

TEST_CASE("tool-call decoder: without an index, ids start calls and the "
          "rest continue the newest",
          "[wire][decoder]") {
  tool_call_decoder calls;
  calls.add({{}, "a", "f", "{\"x\":"}, {});
  calls.add({{}, {}, {}, "1}"}, {});
  calls.add({{}, "b", "g", {}}, {});
  calls.add({{}, "a", {}, {}}, {}); // a repeated id continues its call
  auto out = take(calls);
  REQUIRE(out.size() == 2);
  CHECK(out[0].arguments == R"({"x":1})");
  CHECK(out[1].id == "b");
  CHECK(out[1].arguments == "{}"); // none came
}

TEST_CASE("tool-call decoder: calls sent whole get ids and arguments",
          "[wire][decoder]") {
  tool_call_decoder calls;
  chunk_log log;
  calls.add_whole({{}, {}, "get_weather", R"({"city":"Rome"})"}, log.callback(),
                  "sig-1");
  calls.add_whole({{}, "fc-9", "get_time", {}}, log.callback());
  calls.add_whole({{}, {}, "get_weather", "{}"}, log.callback());
  auto frags = log.tool_fragments();
  REQUIRE(frags.size() == 3);
  // Each goes out whole, at once: id, name and all its arguments.
  CHECK(frags[0].tool_id == "call_0");
  CHECK(frags[0].tool_arguments == R"({"city":"Rome"})");
  CHECK(frags[1].tool_id == "fc-9");
  CHECK(frags[1].tool_arguments == "{}");
  CHECK(frags[2].tool_id == "call_2"); // its position, unique in the answer
  auto out = take(calls);
  REQUIRE(out.size() == 3);
  CHECK(out[0].signature == "sig-1");
  CHECK(out[1].signature.empty());
  CHECK(out[2].id == "call_2");
}

TEST_CASE("tool-call decoder: other parts keep their place among the calls",
          "[wire][decoder]") {
  tool_call_decoder calls;
  auto thought = [](std::string text) {
    content_part p;
    p.kind = engine::part_kind::reasoning;
    p.text = std::move(text);
    return p;
  };
  auto first = calls.add_part(thought("Two lookups."));
  REQUIRE(calls.newest_part() != nullptr);
  calls.add({0u, "c0", "f", {}}, {});
  CHECK(calls.newest_part() == nullptr); // the newest is a call
  calls.add_part(thought("Then the time."));
  calls.add({1u, "c1", "g", {}}, {});
  calls.add({0u, {}, {}, "{}"}, {}); // a fragment moves nothing
  calls.part(first).text += " Weather first.";
  auto out = take(calls);
  REQUIRE(out.size() == 4);
  CHECK(out[0].text == "Two lookups. Weather first.");
  CHECK(out[1].id == "c0");
  CHECK(out[2].text == "Then the time.");
  CHECK(out[3].id == "c1");
}

TEST_CASE("tool-call decoder: a stop that made calls called tools",
          "[wire][decoder]") {
  tool_call_decoder calls;
  std::string reason = "stop";
  calls.adjust_finish_reason(reason);
  CHECK(reason == "stop");
  calls.add_whole({{}, "c", "f", {}}, {});
  calls.adjust_finish_reason(reason);
  CHECK(reason == "tool_calls");
  reason = "length"; // cut off: the calls may be unfinished; say so
  calls.adjust_finish_reason(reason);
  CHECK(reason == "length");
}
