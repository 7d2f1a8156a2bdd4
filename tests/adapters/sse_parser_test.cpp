// The SSE and NDJSON parsers, fed whole and split at every byte.
#include "switchyard/http/ndjson_parser.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using namespace switchyard::http;

namespace {

struct event_copy {
  std::string type;
  std::string data;
  std::string id;

  bool operator==(const event_copy&) const = default;
};

/// Feeds `pieces` one by one and collects every event.
std::vector<event_copy> parse_pieces(const std::vector<std::string>& pieces,
                                     sse_parser& p) {
  std::vector<event_copy> out;
  for (const auto& piece : pieces) {
    p.feed(piece);
    sse_event e;
    while (p.next(e))
      out.push_back(
        {std::string{e.type}, std::string{e.data}, std::string{e.id}});
  }
  return out;
}

std::vector<event_copy> parse_whole(const std::string& text) {
  sse_parser p;
  return parse_pieces({text}, p);
}

/// Every way of cutting `text` in two, and random cuts into many pieces.
template<class Check>
void for_each_split(const std::string& text, Check check) {
  for (std::size_t cut = 0; cut <= text.size(); ++cut)
    check(std::vector<std::string>{text.substr(0, cut), text.substr(cut)});
  std::mt19937 rng{12345};
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> pieces;
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto n = std::uniform_int_distribution<std::size_t>{1, 7}(rng);
      pieces.push_back(text.substr(pos, n));
      pos += n;
    }
    check(pieces);
  }
}

} // namespace

TEST_CASE("sse: fields, comments and line endings follow the spec", "[sse]") {
  auto events = parse_whole(": keep-alive comment\n"
                            "event: message_start\n"
                            "data: {\"a\":1}\n"
                            "\n"
                            "data:no space\r\n"
                            "data:  two spaces\r\n"
                            "id: 7\r\n"
                            "\r\n"
                            "event: ignored-without-data\r\r"
                            "data: cr only\r\r"
                            "retry: 100\n"
                            "unknown: x\n"
                            "data\n"
                            "\n");
  REQUIRE(events.size() == 4);
  CHECK(events[0] == event_copy{"message_start", "{\"a\":1}", ""});
  CHECK(events[1] == event_copy{"", "no space\n two spaces", "7"});
  CHECK(events[2] == event_copy{"", "cr only", "7"});
  // A bare `data` field is an empty data line: dispatched, empty.
  CHECK(events[3] == event_copy{"", "", "7"});
}

TEST_CASE("sse: a leading BOM is dropped", "[sse]") {
  auto events = parse_whole("\xEF\xBB\xBF"
                            "data: x\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "x");
}

TEST_CASE("sse: any split gives the same events", "[sse]") {
  const std::string text = "\xEF\xBB\xBF"
                           "event: a\r\ndata: one\r\n\r\n"
                           ": ping\n\n"
                           "data: two\rdata: lines\r\r"
                           "event: b\ndata: {\"text\":\"h\xC3\xA9llo\"}\n\n"
                           "data: [DONE]\n\n";
  auto expected = parse_whole(text);
  REQUIRE(expected.size() == 4);
  CHECK(expected[1].data == "two\nlines");
  for_each_split(text, [&](const std::vector<std::string>& pieces) {
    sse_parser p;
    auto got = parse_pieces(pieces, p);
    REQUIRE(got == expected);
    CHECK_FALSE(p.has_partial_event());
  });
}

TEST_CASE("sse: an event cut before its blank line is not dispatched",
          "[sse]") {
  sse_parser p;
  auto got = parse_pieces({"data: complete\n\ndata: cut"}, p);
  REQUIRE(got.size() == 1);
  CHECK(p.has_partial_event());
  sse_parser q;
  got = parse_pieces({"data: complete\n\ndata: cut\n"}, q);
  CHECK(got.size() == 1);
  CHECK(q.has_partial_event());
}

TEST_CASE("sse: an oversized event stops the parser", "[sse]") {
  sse_parser p{64};
  p.feed("data: " + std::string(100, 'x'));
  sse_event e;
  CHECK_FALSE(p.next(e));
  CHECK(p.overflowed());
}

TEST_CASE("ndjson: lines come out whatever the split", "[ndjson]") {
  const std::string text
    = "{\"a\":1}\n\n{\"b\":\"x\\ny\"}\r\n  \n{\"done\":true}\n";
  const std::vector<std::string> expected{"{\"a\":1}", "{\"b\":\"x\\ny\"}",
                                          "{\"done\":true}"};
  for_each_split(text, [&](const std::vector<std::string>& pieces) {
    ndjson_parser p;
    std::vector<std::string> got;
    for (const auto& piece : pieces) {
      p.feed(piece);
      std::string_view line;
      while (p.next(line))
        got.emplace_back(line);
    }
    REQUIRE(got == expected);
    CHECK_FALSE(p.has_partial_line());
    std::string_view rest;
    CHECK_FALSE(p.take_rest(rest));
  });
}

TEST_CASE("ndjson: a last line without newline is left for take_rest",
          "[ndjson]") {
  ndjson_parser p;
  p.feed("{\"a\":1}\n{\"done\":");
  std::string_view line;
  REQUIRE(p.next(line));
  CHECK(line == "{\"a\":1}");
  CHECK_FALSE(p.next(line));
  CHECK(p.has_partial_line());
  REQUIRE(p.take_rest(line));
  CHECK(line == "{\"done\":");
}

TEST_CASE("ndjson: an oversized line stops the parser", "[ndjson]") {
  ndjson_parser p{16};
  p.feed(std::string(40, 'x'));
  std::string_view line;
  CHECK_FALSE(p.next(line));
  CHECK(p.overflowed());
}
