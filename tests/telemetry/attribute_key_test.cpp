#include "otlp_batch.hpp"

#include "switchyard/telemetry/attribute_key.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/otlp_json.hpp"
#include "switchyard/telemetry/span.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <variant>
#include <vector>

using namespace switchyard::telemetry;
using switchyard::testing::parse_otlp_batch;

TEST_CASE("attribute key: one entry per text, whatever holds the text") {
  std::string built = "gen_ai.request.";
  built += "model";
  attribute_key a{genai::request_model};
  attribute_key b{built};
  CHECK(a.interned());
  CHECK(b.interned());
  CHECK(a.text().data() == b.text().data()); // shared, not copied
  CHECK(a == b);
  CHECK(a == "gen_ai.request.model");
  CHECK(a == std::string_view{built});
  CHECK_FALSE(a == attribute_key{genai::response_model});
  CHECK_FALSE(a == "gen_ai.request");
  built.assign(built.size(), 'x'); // the key does not look at it again
  CHECK(b.text() == "gen_ai.request.model");
}

TEST_CASE("attribute key: copies, moves and the empty key") {
  attribute_key a{"switchyard.test.copy"};
  auto b = a;
  auto c = std::move(b);
  CHECK(c == a);
  attribute_key empty;
  CHECK(empty.text().empty());
  CHECK(empty == attribute_key{std::string_view{}});
  CHECK(empty.json_safe());
}

TEST_CASE("attribute key: text JSON would need to escape is marked") {
  CHECK(attribute_key{"plain.key_1"}.json_safe());
  CHECK_FALSE(attribute_key{"say \"hi\""}.json_safe());
  CHECK_FALSE(attribute_key{"back\\slash"}.json_safe());
  CHECK_FALSE(attribute_key{"caf\xc3\xa9"}.json_safe());
  // Written escaped into a span.
  auto s = make_span("n", span_kind::internal, trace_context{}, {}, 1);
  s.set("say \"hi\"", 1).set("caf\xc3\xa9", 2);
  std::string body;
  append_otlp_json(body, resource{}, std::span<const span>{&s, 1});
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  CHECK(batch->spans.at(0).attributes.at("say \"hi\"")
        == R"({"intValue":"1"})");
  CHECK(batch->spans.at(0).attributes.at("caf\xc3\xa9")
        == R"({"intValue":"2"})");
}

TEST_CASE("attribute key: past the table's bound, keys are copies that "
          "still compare and encode alike") {
  // Fills this process's table (each test case runs in a process of its
  // own under ctest).
  std::size_t made = 0;
  attribute_key last;
  while (made <= attribute_key::max_interned) {
    last = attribute_key{"switchyard.test.k" + std::to_string(made++)};
    if (!last.interned())
      break;
  }
  REQUIRE_FALSE(last.interned());
  std::string text{last.text()};
  auto copy = last;
  CHECK_FALSE(copy.interned());
  CHECK(copy.text().data() != last.text().data());
  CHECK(copy == last);
  CHECK(copy == text);
  attribute_key again{text};
  CHECK(again == last);
  auto moved = std::move(copy);
  CHECK(moved == text);
  copy = moved; // assigned back after the move
  CHECK(copy == text);
  // A key interned before the table filled is still found.
  CHECK(attribute_key{"switchyard.test.k0"}.interned());
}

TEST_CASE("span: add appends what set would store, without replacing") {
  span added, set;
  const attribute_key text{"t.text"}, flag{"t.flag"}, count{"t.count"},
    big{"t.big"}, ratio{"t.ratio"}, owned{"t.owned"}, list{"t.list"};
  std::string long_text(40, 'x');
  auto fill = [&](auto&& put) {
    put(text, std::string_view{"chat"});
    put(flag, true);
    put(count, 42u);
    put(big, std::numeric_limits<std::uint64_t>::max());
    put(ratio, 0.25);
    put(owned, std::string{long_text});
    put(list, std::vector<std::string>{"a", "b"});
  };
  fill([&](const attribute_key& k, auto&& v) {
    added.add(k, std::forward<decltype(v)>(v));
  });
  fill([&](const attribute_key& k, auto&& v) {
    set.set(k, std::forward<decltype(v)>(v));
  });
  REQUIRE(added.attributes.size() == set.attributes.size());
  for (std::size_t i = 0; i < set.attributes.size(); ++i) {
    CHECK(added.attributes[i].key == set.attributes[i].key);
    CHECK(added.attributes[i].value == set.attributes[i].value);
  }
  // An integer past int64 is text, as with set.
  CHECK(std::get<std::string>(*added.find("t.big"))
        == std::to_string(std::numeric_limits<std::uint64_t>::max()));
  // set replaces an earlier value; add does not look.
  set.set(count, 7);
  CHECK(set.attributes.size() == 7);
  CHECK(std::get<std::int64_t>(*set.find("t.count")) == 7);
  added.add(count, 7);
  CHECK(added.attributes.size() == 8);
}
