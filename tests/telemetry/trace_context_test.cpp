#include "switchyard/telemetry/trace_context.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchyard::telemetry;

namespace {

// The example of the W3C Trace Context specification.
constexpr std::string_view example
  = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

} // namespace

TEST_CASE("traceparent: the W3C example parses and formats back") {
  auto ctx = parse_trace_context(example);
  REQUIRE(ctx);
  CHECK(ctx->trace_id.to_hex() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(ctx->span_id.to_hex() == "00f067aa0ba902b7");
  CHECK(ctx->flags == sampled_flag);
  CHECK(ctx->sampled());
  CHECK(ctx->valid());
  CHECK(ctx->trace_state.empty());
  CHECK(ctx->traceparent() == example);
}

TEST_CASE("traceparent: an unsampled context keeps its flag off") {
  auto ctx = parse_trace_context(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  REQUIRE(ctx);
  CHECK_FALSE(ctx->sampled());
  CHECK(ctx->traceparent().ends_with("-00"));
}

TEST_CASE("traceparent: surrounding spaces are allowed") {
  auto ctx = parse_trace_context(" \t" + std::string{example} + " ");
  REQUIRE(ctx);
  CHECK(ctx->traceparent() == example);
}

TEST_CASE("traceparent: the random flag is kept, unknown flags are dropped") {
  auto random = parse_trace_context(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
  REQUIRE(random);
  CHECK(random->flags == (sampled_flag | random_flag));
  auto unknown = parse_trace_context(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
  REQUIRE(unknown);
  CHECK(unknown->flags == known_flags);
  CHECK(unknown->traceparent().ends_with("-03"));
}

TEST_CASE("traceparent: malformed values start a new trace") {
  const char* malformed[] = {
    "",
    "00",
    // wrong lengths
    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
    // version 00 with anything after the flags
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    // uppercase hex, in each field
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
    "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    // the forbidden version
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    // all-zero ids
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    // wrong separators, not hex
    "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
    "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
    "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    // a later version whose extra part does not start with '-'
    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
  };
  for (const char* text : malformed) {
    INFO(text);
    CHECK_FALSE(parse_trace_context(text, "vendor=value"));
  }
}

TEST_CASE("traceparent: a later version is read as version 00") {
  auto exact = parse_trace_context(
    "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(exact);
  CHECK(exact->sampled());
  auto longer = parse_trace_context(
    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next");
  REQUIRE(longer);
  // Sent on as the version this library speaks.
  CHECK(longer->traceparent() == example);
}

TEST_CASE("tracestate: carried as is with the context") {
  auto ctx
    = parse_trace_context(example, " rojo=00f067aa0ba902b7,congo=t61rcWkgMzE ");
  REQUIRE(ctx);
  CHECK(ctx->trace_state == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST_CASE("tracestate: one with a control or non-ASCII character is dropped") {
  auto ctl = parse_trace_context(example, "a=b\r\nx-injected: yes");
  REQUIRE(ctl);
  CHECK(ctl->trace_state.empty());
  auto utf8 = parse_trace_context(example, "a=caf\xc3\xa9");
  REQUIRE(utf8);
  CHECK(utf8->trace_state.empty());
}

TEST_CASE("tracestate: a long one is cut at member boundaries") {
  SECTION("members from the right go") {
    std::string text;
    for (int i = 0; i < 60; ++i) {
      if (i > 0)
        text += ",";
      text += "k" + std::to_string(100 + i) + "=vvvvvvvv"; // 13 characters
    }
    REQUIRE(text.size() > max_trace_state_chars);
    auto ctx = parse_trace_context(example, text);
    REQUIRE(ctx);
    CHECK(ctx->trace_state.size() <= max_trace_state_chars);
    CHECK(ctx->trace_state.starts_with("k100=vvvvvvvv,k101=vvvvvvvv"));
    // At most 32 members (W3C's limit), each whole.
    CHECK(ctx->trace_state.ends_with("k131=vvvvvvvv"));
  }
  SECTION("members over 128 characters go first") {
    std::string text = "first=" + std::string(200, 'a');
    for (int i = 0; i < 30; ++i)
      text += ",k" + std::to_string(100 + i) + "=" + std::string(10, 'v');
    text += ",last=" + std::string(150, 'b');
    REQUIRE(text.size() > max_trace_state_chars);
    auto ctx = parse_trace_context(example, text);
    REQUIRE(ctx);
    CHECK(ctx->trace_state.starts_with("k100="));
    CHECK(ctx->trace_state.ends_with("k129=vvvvvvvvvv"));
    CHECK(ctx->trace_state.find("first=") == std::string::npos);
    CHECK(ctx->trace_state.find("last=") == std::string::npos);
  }
}

TEST_CASE("ids: hex round trips, lowercase only, zero is invalid") {
  auto t = trace_id::from_hex("0af7651916cd43dd8448eb211c80319c");
  REQUIRE(t);
  CHECK(t->valid());
  CHECK(t->to_hex() == "0af7651916cd43dd8448eb211c80319c");
  // The rightmost 7 bytes: 48 eb 21 1c 80 31 9c.
  CHECK(t->randomness() == 0x48eb211c80319cull);
  CHECK_FALSE(trace_id::from_hex("0AF7651916CD43DD8448EB211C80319C"));
  CHECK_FALSE(trace_id::from_hex("0af7651916cd43dd8448eb211c80319"));
  auto zero = trace_id::from_hex(std::string(32, '0'));
  REQUIRE(zero);
  CHECK_FALSE(zero->valid());
  auto s = span_id::from_hex("b7ad6b7169203331");
  REQUIRE(s);
  CHECK(s->to_hex() == "b7ad6b7169203331");
  CHECK_FALSE(span_id{}.valid());
  CHECK_FALSE(span_id::from_hex("b7ad6b716920333"));
}
