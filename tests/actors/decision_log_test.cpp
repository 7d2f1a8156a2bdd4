// The decision log as a runtime with a data directory writes it: compact
// records that explain and replay (and records of an older build that still
// do), shared inputs stored once, what the log keeps of a prompt, feedback
// only from the key that made a decision, and a stalled store that never
// holds a request up.

#include "runtime_helpers.hpp"
#include "switchyard/clock/function_time.hpp"
#include "../storage/temp_dir.hpp"
#include "answering_provider.hpp"

#include "switchyard/actors/decision_log_queue.hpp"
#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/storage/record_codec.hpp"
#include "switchyard/storage/store.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <future>

using namespace switchyard;

namespace {


constexpr std::int64_t wall_now_ms = 1'750'000'000'000;

/// An agent's turn: a conversation with a tool call, its result and tools.
task_spec agent_task(const std::string& key) {
  task_spec t;
  t.budget_key = key;
  t.messages.push_back(engine::chat_message::make(
    engine::message_role::system, "You are a coding agent."));
  t.messages.push_back(engine::chat_message::make(
    engine::message_role::user, "Review this pull request diff for bugs"));
  engine::tool_definition tool;
  tool.name = "read_file";
  tool.description = "Reads a file";
  tool.parameters = R"({"type":"object","properties":{"path":{"type":"string"}}})";
  t.options.tools.push_back(tool);
  return t;
}

error_code feedback_from(runtime& rt, std::uint64_t id, std::string key) {
  engine::feedback_report f;
  f.outcome = engine::feedback_report::verdict::success;
  std::promise<error_code> ack;
  auto answer = ack.get_future();
  rt.feedback(id, f, std::move(key),
              [&ack](error_code e) { ack.set_value(e); });
  return answer.get();
}

engine::performance_table learned_now(runtime& rt) {
  std::promise<caf::expected<engine::performance_table>> table;
  auto answer = table.get_future();
  rt.admin().learned([&table](caf::expected<engine::performance_table> t) {
    table.set_value(std::move(t));
  });
  auto t = answer.get();
  REQUIRE(t);
  return std::move(*t);
}

std::unique_ptr<storage::store> open_store(const std::string& dir) {
  storage::store_options o;
  o.path = dir;
  o.time = std::make_shared<function_time>([] { return wall_now_ms; });
  auto db = storage::store::open(std::move(o));
  REQUIRE(db);
  return std::move(*db);
}

void require_identical(const actors::replay_report& r) {
  INFO(r.not_recomputed);
  REQUIRE(r.not_recomputed.empty());
  if (auto d = r.first_divergence())
    FAIL("differs at " << d->difference->path << ": logged "
                       << d->difference->logged << ", recomputed "
                       << d->difference->recomputed);
  CHECK(r.identical());
}

/// Overwrites one decision's value with `value`, as an older build wrote it.
void put_raw_decision(const std::string& dir, std::uint64_t id,
                      const std::string& value) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, dir, &names)
            .ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names)
    descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions{}, dir, descriptors, &handles,
                            &raw)
            .ok());
  std::unique_ptr<rocksdb::DB> db{raw};
  rocksdb::ColumnFamilyHandle* decisions = nullptr;
  for (auto* h : handles)
    if (h->GetName() == "decisions")
      decisions = h;
  REQUIRE(decisions != nullptr);
  auto key = storage::decision_key(id);
  CHECK(db->Put(rocksdb::WriteOptions{}, decisions, key, value).ok());
  for (auto* h : handles)
    db->DestroyColumnFamilyHandle(h);
  CHECK(db->Close().ok());
}

} // namespace

TEST_CASE("a compact decision record explains and replays, an older build's "
          "record still does",
          "[runtime][decision_log]") {
  test::temp_dir dir;
  std::uint64_t id = 0;
  {
    auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
    auto reply = rt->execute(agent_task("key_a")).get();
    REQUIRE(reply.ok());
    id = reply.decision_id;
    rt->shutdown();
  }
  decision_record v1_copy;
  {
    auto db = open_store(dir.path());
    auto rec = db->get_decision(id);
    REQUIRE(rec);
    // The record holds what routing read, not the transcript or schemas.
    CHECK_FALSE(rec->evidence_stored);
    CHECK(rec->task.messages.empty());
    CHECK(rec->task.options.tools.empty());
    CHECK(rec->task.text == "Review this pull request diff for bugs");
    CHECK(rec->prompts == prompt_retention::full);
    REQUIRE(rec->shape.recorded);
    CHECK(rec->shape.messages == 2);
    CHECK(rec->shape.tool_names == std::vector<std::string>{"read_file"});
    CHECK(rec->shape.text_bytes > rec->task.text.size());
    CHECK(engine::request_field_set{rec->shape.fields}.has(
      engine::request_field::tools));
    REQUIRE(rec->rounds.size() == 1);
    CHECK(rec->rounds[0].decision.inputs.recorded);
    CHECK(rec->rounds[0].decision.candidates.empty());
    auto reg = db->get_registry(rec->rounds[0].decision.config_hash);
    REQUIRE(reg);
    engine::keyword_classifier cls;
    require_identical(actors::replay_decision(*rec, *reg, cls));
    // Explain's evidence, recomputed from the stored inputs.
    REQUIRE(actors::restore_evidence(*rec, *reg, cls));
    CHECK(rec->evidence_recomputed);
    CHECK_FALSE(rec->rounds[0].decision.candidates.empty());
    const auto* chosen
      = rec->rounds[0].decision.find_candidate(rec->rounds[0].decision.model);
    REQUIRE(chosen != nullptr);
    CHECK(chosen->total > 0.0);
    // The previous build logged the whole task, transcript and tools.
    v1_copy = *rec;
    v1_copy.task = agent_task("key_a");
    v1_copy.task.text = rec->task.text;
    v1_copy.shape = {};
    v1_copy.evidence_stored = true;
    v1_copy.evidence_recomputed = false;
  }
  // The same decision as the previous build wrote it (version 1: the whole
  // task and the evidence in the record).
  put_raw_decision(dir.path(), id, storage::encode_decision(v1_copy));
  auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
  auto logged = rt->admin().logged(id).get();
  REQUIRE(logged);
  CHECK(logged->record.evidence_stored);
  CHECK_FALSE(logged->record.rounds[0].decision.candidates.empty());
  auto replayed = rt->admin().replay(id).get();
  REQUIRE(replayed);
  require_identical(*replayed);
}

TEST_CASE("decisions made from one learning snapshot store their shared "
          "inputs once",
          "[runtime][decision_log]") {
  test::temp_dir dir;
  {
    auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
    // Route-only decisions teach learning nothing: every one reads the same
    // snapshot, breakers and availability.
    for (int i = 0; i < 20; ++i)
      REQUIRE(rt->route(agent_task("key_a")).get().ok());
    rt->shutdown();
  }
  auto db = open_store(dir.path());
  auto decisions = db->raw_count(storage::column::decisions);
  auto inputs = db->raw_count(storage::column::inputs);
  REQUIRE(decisions);
  REQUIRE(inputs);
  CHECK(*decisions == 20);
  CHECK(*inputs == 1);
}

TEST_CASE("storage.prompts hash keeps a SHA-256 of the prompt, and replay "
          "needs the text",
          "[runtime][decision_log]") {
  test::temp_dir dir;
  std::uint64_t id = 0;
  {
    auto cfg = test::stored_runtime_config(dir.path());
    cfg.prompts = prompt_retention::hash;
    auto rt = test::start_runtime(std::move(cfg));
    auto reply = rt->execute(agent_task("key_a")).get();
    REQUIRE(reply.ok());
    id = reply.decision_id;
    rt->shutdown();
  }
  auto db = open_store(dir.path());
  auto rec = db->get_decision(id);
  REQUIRE(rec);
  CHECK(rec->prompts == prompt_retention::hash);
  CHECK(rec->task.text.empty());
  // sha256("Review this pull request diff for bugs")
  CHECK(rec->prompt_sha256.size() == 64);
  auto reg = db->get_registry(rec->rounds[0].decision.config_hash);
  REQUIRE(reg);
  engine::keyword_classifier cls;
  auto without = actors::replay_decision(*rec, *reg, cls);
  CHECK_FALSE(without.not_recomputed.empty());
  CHECK(without.rounds.empty());
  CHECK_FALSE(actors::restore_evidence(*rec, *reg, cls));
  std::string text = "Review this pull request diff for bugs";
  require_identical(actors::replay_decision(*rec, *reg, cls, &text));
}

TEST_CASE("only the key that made a decision gives feedback on it, before "
          "and after a restart",
          "[runtime][decision_log][feedback]") {
  test::temp_dir dir;
  std::uint64_t id = 0;
  {
    auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
    auto reply = rt->execute(agent_task("key_a")).get();
    REQUIRE(reply.ok());
    id = reply.decision_id;
    auto before = learned_now(*rt);
    CHECK(feedback_from(*rt, id, "key_b") == error_code::not_found);
    CHECK(feedback_from(*rt, id + 1'000, "") == error_code::not_found);
    // Nothing reached learning from the refused feedback.
    auto after = learned_now(*rt);
    CHECK(after.cells.size() == before.cells.size());
    for (std::size_t i = 0; i < after.cells.size(); ++i)
      CHECK(after.cells[i].feedback_weight == before.cells[i].feedback_weight);
    CHECK(feedback_from(*rt, id, "key_a") == error_code::none);
    CHECK(feedback_from(*rt, id, "") == error_code::none);
    auto logged = rt->admin().logged(id).get();
    REQUIRE(logged);
    CHECK(logged->feedback.size() == 2);
    rt->shutdown();
  }
  // Learning starts empty: the store answers who made the decision. (A
  // later clock: feedback sequence numbers start from it.)
  auto rt = test::start_runtime(test::stored_runtime_config(dir.path(), wall_now_ms + 1'000));
  CHECK(feedback_from(*rt, id, "key_b") == error_code::not_found);
  CHECK(feedback_from(*rt, id + 1'000, "key_a") == error_code::not_found);
  CHECK(feedback_from(*rt, id, "key_a") == error_code::none);
  auto logged = rt->admin().logged(id).get();
  REQUIRE(logged);
  CHECK(logged->feedback.size() == 3);
}

TEST_CASE("a stalled store drops decision records instead of holding "
          "requests, and catches up",
          "[runtime][decision_log]") {
  test::temp_dir dir;
  auto cfg = test::stored_runtime_config(dir.path());
  cfg.decision_log_queue = 8;
  auto rt = test::start_runtime(std::move(cfg));
  // The storage thread blocks until released: a store query's callback runs
  // on it, and this one does what no real callback may (it blocks).
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> blocked;
  rt->admin().api_keys(
    [released, &blocked](caf::expected<std::vector<storage::api_key_record>>) {
      blocked.set_value();
      released.wait();
    });
  blocked.get_future().wait();
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    auto reply = rt->execute(agent_task("key_a")).get();
    REQUIRE(reply.ok());
    ids.push_back(reply.decision_id);
  }
  auto stalled = rt->stats();
  CHECK(stalled.decisions_queued <= 8);
  CHECK(stalled.decisions_dropped == 50 - stalled.decisions_queued);
  CHECK(stalled.decisions_dropped >= 42);
  release.set_value();
  // A read runs after every write queued before it.
  auto first = rt->admin().logged(ids.front()).get();
  CHECK(first);
  auto caught_up = rt->stats();
  CHECK(caught_up.decisions_queued == 0);
  CHECK(caught_up.decisions_logged == stalled.decisions_queued);
  CHECK(caught_up.store_error.empty());
  // The dropped ones are gone from the log, and the log goes on.
  auto dropped = rt->admin().logged(ids.back()).get();
  REQUIRE_FALSE(dropped);
  CHECK(error_code_of(dropped.error()) == error_code::not_found);
  auto next = rt->execute(agent_task("key_a")).get();
  REQUIRE(next.ok());
  CHECK(rt->admin().logged(next.decision_id).get());
}

TEST_CASE("the log queue parks records only while the storage actor gathers "
          "a batch",
          "[decision_log]") {
  actors::decision_log_queue q{4};
  decision_record a;
  a.decision_id = 7;
  // Not gathering: the caller sends the record, untouched.
  CHECK_FALSE(q.park(a));
  CHECK(a.decision_id == 7);
  q.open_window();
  CHECK(q.park(a));
  decision_record b;
  b.decision_id = 8;
  CHECK(q.park(b));
  // A commit inside the window takes what is parked; parking goes on.
  auto taken = q.take_parked();
  REQUIRE(taken.size() == 2);
  CHECK(taken[0].decision_id == 7);
  CHECK(taken[1].decision_id == 8);
  decision_record c;
  c.decision_id = 9;
  CHECK(q.park(c));
  auto closed = q.close_window();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].decision_id == 9);
  decision_record d;
  CHECK_FALSE(q.park(d));
}

TEST_CASE("decisions logged inside a group-commit window are found by "
          "feedback and reads at once, and all are written",
          "[runtime][decision_log]") {
  test::temp_dir dir;
  auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 20; ++i) {
    auto reply = rt->execute(agent_task("key_a")).get();
    REQUIRE(reply.ok());
    ids.push_back(reply.decision_id);
  }
  // No wait for the window: feedback and a read right after the answers.
  CHECK(feedback_from(*rt, ids.back(), "key_a") == error_code::none);
  CHECK(rt->admin().logged(ids.front()).get());
  auto s = rt->stats();
  CHECK(s.decisions_queued == 0);
  CHECK(s.decisions_logged == 20);
  CHECK(s.decisions_dropped == 0);
}
