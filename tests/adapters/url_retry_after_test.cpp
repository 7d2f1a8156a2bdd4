#include "switchyard/http/retry_after.hpp"
#include "switchyard/http/url.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::http;
using namespace std::chrono;

TEST_CASE("url: base URLs split into origin and path", "[url]") {
  std::string why;
  auto u = parse_url("https://api.openai.com/v1/", why);
  REQUIRE(u);
  CHECK(u->origin.tls);
  CHECK(u->origin.host == "api.openai.com");
  CHECK(u->origin.port == 443);
  CHECK(u->path == "/v1");
  u = parse_url("http://127.0.0.1:11434", why);
  REQUIRE(u);
  CHECK_FALSE(u->origin.tls);
  CHECK(u->origin.port == 11434);
  CHECK(u->path.empty());
  u = parse_url("HTTP://[::1]:8080/api", why);
  REQUIRE(u);
  CHECK(u->origin.host == "::1");
  CHECK(u->origin.to_string() == "http://[::1]:8080");
  for (auto bad :
       {"ftp://x", "https://", "https://user:pw@host/", "http://host:0",
        "http://host:99999", "http://host/?q=1", "http://host:abc"}) {
    INFO(bad);
    CHECK_FALSE(parse_url(bad, why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("url: path segments are percent-encoded", "[url]") {
  CHECK(escape_path_segment("gemini-1.5-pro") == "gemini-1.5-pro");
  CHECK(escape_path_segment("a/b c:d") == "a%2Fb%20c%3Ad");
}

TEST_CASE("retry-after: seconds and HTTP dates", "[retry]") {
  auto now
    = system_clock::time_point{seconds{784111777}}; // 1994-11-06 08:49:37
  CHECK(parse_retry_after("120", now) == milliseconds{120'000});
  CHECK(parse_retry_after(" 0 ", now) == milliseconds{0});
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now)
        == milliseconds{10'000});
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now)
        == milliseconds{60'000});
  CHECK(parse_retry_after("Sun Nov  6 08:49:57 1994", now)
        == milliseconds{20'000});
  // In the past: retry now.
  CHECK(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now)
        == milliseconds{0});
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("-5", now));
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 UTC", now));
}
