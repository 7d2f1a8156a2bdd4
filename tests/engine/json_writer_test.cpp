#include "switchyard/engine/json_writer.hpp"

// GCC 12 reports a bogus -Wrestrict inside std::string once the writer is
// inlined into this test (GCC bug 105651); the code is correct.
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <catch2/catch.hpp>

#include <limits>

using namespace switchyard::engine;

TEST_CASE("json_writer places commas and escapes strings", "[json]") {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("a", 1);
  w.key("b").begin_array();
  w.value("x\"y\\z\n\t\x01");
  w.value(true);
  w.null();
  w.value(0.5);
  w.end_array();
  w.key("c").begin_object().end_object();
  w.field("nan", std::numeric_limits<double>::quiet_NaN());
  w.end_object();
  CHECK(out
        == R"({"a":1,"b":["x\"y\\z\n\t\u0001",true,null,0.5],"c":{},"nan":null})");
}

namespace {

/// The escaping rules, a byte at a time: what escape_into must produce.
std::string escaped_byte_by_byte(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  return out + "\"";
}

} // namespace

TEST_CASE("escape_into, eight bytes at a time, escapes every byte value at "
          "every position",
          "[json]") {
  // Each byte value at each offset of strings from 1 to 19 bytes long, in
  // text that needs no escape otherwise (including UTF-8 bytes >= 0x80).
  for (std::size_t len = 1; len <= 19; ++len)
    for (std::size_t pos = 0; pos < len; ++pos)
      for (int b = 0; b < 256; ++b) {
        std::string s;
        for (std::size_t i = 0; i < len; ++i)
          s.push_back(i % 3 == 0 ? 'a' : static_cast<char>(0xc3 + (i % 2)));
        s[pos] = static_cast<char>(b);
        std::string out;
        json_writer::escape_into(out, s);
        INFO("len " << len << ", byte " << b << " at " << pos);
        REQUIRE(out == escaped_byte_by_byte(s));
      }
  // Two that need escaping in one eight-byte word, and a long clean run.
  std::string mixed = "ab\"cd\\ef" + std::string(40, 'x') + "\x1f\n";
  std::string out;
  json_writer::escape_into(out, mixed);
  CHECK(out == escaped_byte_by_byte(mixed));
}
