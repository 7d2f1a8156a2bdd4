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
