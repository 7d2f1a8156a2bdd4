#include "otlp_batch.hpp"

#include "switchyard/telemetry/otlp_json.hpp"
#include "switchyard/telemetry/span_batches.hpp"
#include "switchyard/telemetry/start_context.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace switchyard::telemetry;
using switchyard::testing::parse_otlp_batch;

namespace {

std::string encoded(int i) {
  static id_generator ids{7};
  auto s = make_span("s" + std::to_string(i), span_kind::internal,
                     start_root_context(sampler{1.0}, ids), {}, 1);
  std::string out;
  append_otlp_json_span(out, s);
  return out;
}

span_batches batches_of(std::size_t capacity, std::size_t max_batch) {
  resource res;
  std::string head;
  std::string tail;
  append_otlp_json_head(head, res);
  append_otlp_json_tail(tail);
  return span_batches{capacity, max_batch, head, tail};
}

/// The next body `q` sends, or empty when none waits.
std::string take_body(span_batches& q, std::size_t& spans) {
  std::string text;
  spans = q.take(text);
  return spans == 0 ? std::string{} : text + q.tail();
}

/// The span names in a body, in order.
std::vector<std::string> names_in(const std::string& body) {
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  std::vector<std::string> out;
  for (const auto& s : batch->spans)
    out.push_back(s.name);
  return out;
}

} // namespace

TEST_CASE("span batches: bodies of at most max_batch spans, oldest first") {
  auto q = batches_of(10, 2);
  CHECK(q.empty());
  CHECK(q.push(encoded(1)) == 1);
  CHECK_FALSE(q.ready());
  CHECK(q.push(encoded(2)) == 2); // complete
  CHECK(q.ready());
  CHECK(q.push(encoded(3)) == 1); // a new batch
  CHECK(q.size() == 3);
  std::size_t n = 0;
  auto body = take_body(q, n);
  REQUIRE(n == 2);
  CHECK(names_in(body) == std::vector<std::string>{"s1", "s2"});
  CHECK_FALSE(q.ready()); // the newest holds one
  body = take_body(q, n);
  REQUIRE(n == 1);
  CHECK(names_in(body) == std::vector<std::string>{"s3"});
  CHECK(q.empty());
  std::string text = "untouched";
  CHECK(q.take(text) == 0);
  CHECK(text == "untouched");
}

TEST_CASE("span batches: a taken batch's buffer comes back for a later one") {
  auto q = batches_of(4, 1);
  std::string text;
  text.reserve(4096);
  const auto* kept = text.data();
  CHECK(q.push(encoded(1)) == 1);
  REQUIRE(q.take(text) == 1); // `text` holds the batch; its buffer is queued
  CHECK(q.push(encoded(2)) == 1);
  std::string next;
  REQUIRE(q.take(next) == 1);
  CHECK(next.data() == kept); // the second batch was written in it
  CHECK(names_in(next + q.tail()) == std::vector<std::string>{"s2"});
}

TEST_CASE("span batches: bounded, and a refused span changes nothing") {
  auto q = batches_of(3, 2);
  CHECK(q.push(encoded(1)) == 1);
  CHECK(q.push(encoded(2)) == 2);
  CHECK(q.push(encoded(3)) == 1);
  CHECK(q.full());
  CHECK(q.push(encoded(4)) == 0);
  CHECK(q.size() == 3);
  std::size_t n = 0;
  take_body(q, n);
  REQUIRE(n == 2);
  CHECK_FALSE(q.full());
  CHECK(q.push(encoded(5)) == 2);
  auto body = take_body(q, n);
  REQUIRE(n == 2);
  CHECK(names_in(body) == std::vector<std::string>{"s3", "s5"});
  CHECK(q.push(encoded(6)) == 1);
  CHECK(q.clear() == 1);
  CHECK(q.empty());
}

TEST_CASE("span batches: a body is the same as append_otlp_json's") {
  static id_generator ids{11};
  std::vector<span> spans;
  for (int i = 0; i < 3; ++i) {
    auto s = make_span("n" + std::to_string(i), span_kind::client,
                       start_root_context(sampler{1.0}, ids), {}, 5);
    s.set("k", i);
    spans.push_back(std::move(s));
  }
  resource res;
  res.node_id = "node-2";
  std::string head;
  std::string tail;
  append_otlp_json_head(head, res);
  append_otlp_json_tail(tail);
  span_batches q{8, 8, head, tail};
  for (const auto& s : spans) {
    std::string one;
    append_otlp_json_span(one, s);
    q.push(one);
  }
  std::size_t n = 0;
  auto body = take_body(q, n);
  REQUIRE(n == 3);
  std::string whole;
  append_otlp_json(whole, res, spans);
  CHECK(body == whole);
}
