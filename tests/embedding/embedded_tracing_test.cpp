// An embedded runtime (the installed API: embedded_runtime and
// embedding_options) traces the tasks it is given as the gateway traces its
// requests: each task is the root of a trace (a `switchyard.task` span, as
// there is no HTTP server span), with its routing, plan steps and upstream
// attempts under it, exported over OTLP/HTTP to a receiver in this test
// (127.0.0.1, port 0). Providers answer in-process.
#include "../actors/answering_provider.hpp"
#include "../telemetry/otlp_receiver.hpp"

#include "switchyard/embedded_runtime.hpp"
#include "switchyard/messages/decision_id.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <string>

using namespace switchyard;
using switchyard::testing::otlp_receiver;
using switchyard::testing::received_span;

namespace {

std::string attribute(const received_span& s, const std::string& key) {
  auto i = s.attributes.find(key);
  return i == s.attributes.end() ? std::string{} : i->second;
}

std::string string_value(const std::string& text) {
  return R"({"stringValue":")" + text + R"("})";
}

embedding_options traced_options(const otlp_receiver& collector) {
  embedding_options opts;
  opts.worker_threads = 2;
  opts.make_client = [](const engine::provider_spec&) {
    return std::make_shared<test::answering_provider>();
  };
  opts.otlp_endpoint = collector.endpoint();
  opts.service_name = "embedded-test";
  opts.sample_ratio = 1.0;
  return opts;
}

std::unique_ptr<embedded_runtime> start(embedding_options opts) {
  auto started = embedded_runtime::start(std::move(opts));
  if (!started)
    FAIL(error_message(started.error()));
  return std::move(*started);
}

task_spec task(const char* text, engine::plan_kind plan) {
  task_spec t;
  t.text = text;
  t.plan = plan;
  return t;
}

} // namespace

TEST_CASE("an embedded runtime roots each task in a span of its own, with "
          "its routing, steps and attempts under it",
          "[embedding][telemetry]") {
  otlp_receiver collector;
  auto rt = start(traced_options(collector));
  auto single = rt->execute(task("say hello", engine::plan_kind::single)).get();
  REQUIRE(single.ok());
  auto chain = rt->execute(task("Review this pull request diff for bugs",
                                engine::plan_kind::chain))
                 .get();
  REQUIRE(chain.ok());
  REQUIRE(chain.plan == engine::plan_kind::chain);
  // Shutting down exports what is queued.
  rt->shutdown();
  // single: task, routing, attempt; chain: task, 3 routings, 2 steps, 2
  // attempts.
  REQUIRE(collector.wait_for_spans(3 + 8));
  auto spans = collector.spans();
  REQUIRE(spans.size() == 3 + 8);
  auto batches = collector.batches();
  REQUIRE_FALSE(batches.empty());
  REQUIRE(batches.front());
  CHECK(batches.front()->resource["service.name"]
        == string_value("embedded-test"));

  auto roots = std::count_if(spans.begin(), spans.end(), [](const auto& s) {
    return s.name == "switchyard.task";
  });
  CHECK(roots == 2);
  auto tree_of = [&](const task_reply& r) {
    auto decision = string_value(format_decision_id(r.decision_id));
    auto root = std::find_if(spans.begin(), spans.end(), [&](const auto& s) {
      return s.name == "switchyard.task"
             && attribute(s, "switchyard.decision.id") == decision;
    });
    REQUIRE(root != spans.end());
    CHECK(root->parent_span_id.empty());
    CHECK(root->kind == 1);
    CHECK_FALSE(root->has_status);
    std::vector<const received_span*> trace;
    for (const auto& s : spans)
      if (s.trace_id == root->trace_id && &s != &*root) {
        CHECK(attribute(s, "switchyard.decision.id") == decision);
        trace.push_back(&s);
      }
    return std::pair{*root, trace};
  };

  SECTION("a single call") {
    auto [root, under] = tree_of(single);
    REQUIRE(under.size() == 2);
    std::set<std::string> names;
    for (const auto* s : under) {
      CHECK(s->parent_span_id == root.span_id);
      names.insert(s->kind == 3 ? "client" : s->name);
    }
    CHECK(names == std::set<std::string>{"client", "switchyard.route"});
  }
  SECTION("a chain") {
    auto [root, under] = tree_of(chain);
    REQUIRE(under.size() == 7);
    std::vector<const received_span*> steps;
    for (const auto* s : under)
      if (s->name.rfind("switchyard.plan_step ", 0) == 0)
        steps.push_back(s);
    REQUIRE(steps.size() == 2);
    for (const auto* step : steps) {
      INFO(step->name);
      CHECK(step->parent_span_id == root.span_id);
      auto below = std::count_if(under.begin(), under.end(), [&](auto* s) {
        return s->parent_span_id == step->span_id;
      });
      CHECK(below == 2); // its routing and its attempt
    }
    auto task_route = std::count_if(under.begin(), under.end(), [&](auto* s) {
      return s->name == "switchyard.route"
             && s->parent_span_id == root.span_id
             && attribute(*s, "switchyard.plan.kind") == string_value("chain");
    });
    CHECK(task_route == 1);
  }
}

TEST_CASE("an embedded runtime without an endpoint traces nothing, and a "
          "bad endpoint fails its start",
          "[embedding][telemetry]") {
  otlp_receiver collector;
  auto opts = traced_options(collector);
  SECTION("an empty endpoint turns export off") {
    opts.otlp_endpoint = "";
    auto rt = start(std::move(opts));
    REQUIRE(rt->execute(task("say hello", engine::plan_kind::single))
              .get()
              .ok());
    rt->shutdown();
    CHECK(collector.requests().empty());
  }
  SECTION("a bad endpoint fails the start, naming the setting") {
    opts.otlp_endpoint = "ftp://collector:4318";
    auto started = embedded_runtime::start(std::move(opts));
    REQUIRE_FALSE(started);
    CHECK(error_code_of(started.error()) == error_code::invalid_config);
  }
}
