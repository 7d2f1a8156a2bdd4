// The runtime's lifecycle as its callers see it: queries answer with errors
// that say why (no store, shut down), every call made after shutdown is
// refused at once, and calls racing shutdown from other threads are each
// answered exactly once, never reaching actors being torn down.

#include "runtime_helpers.hpp"
#include "../storage/temp_dir.hpp"
#include "answering_provider.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using namespace switchyard;

namespace {

template<class T>
void check_error(const caf::expected<T>& x, error_code code,
                 std::string_view says) {
  REQUIRE_FALSE(x);
  CHECK(error_code_of(x.error()) == code);
  CHECK_THAT(error_message(x.error()), Catch::Contains(std::string{says}));
}

task_spec hello() {
  task_spec t;
  t.text = "say hello";
  return t;
}

/// Counts calls made and answers received, and wakes a waiter per answer.
struct answer_count {
  std::atomic<std::uint64_t> asked{0};
  std::atomic<std::uint64_t> answered{0};
  std::mutex m;
  std::condition_variable changed;

  template<class... Ts>
  auto counted() {
    asked.fetch_add(1);
    return [this](Ts...) {
      std::lock_guard<std::mutex> guard{m};
      answered.fetch_add(1);
      changed.notify_all();
    };
  }

  bool wait_for_answers(std::uint64_t n) {
    std::unique_lock<std::mutex> guard{m};
    return changed.wait_for(guard, std::chrono::seconds{60}, [&] {
      return answered.load() >= n;
    });
  }

  /// Keeps the callers at most `window` calls ahead of the answers.
  bool wait_until_within(std::uint64_t window) {
    std::unique_lock<std::mutex> guard{m};
    return changed.wait_for(guard, std::chrono::seconds{60}, [&] {
      return answered.load() + window >= asked.load();
    });
  }
};

} // namespace

TEST_CASE("a store query without a data_dir says so", "[runtime][lifecycle]") {
  auto cfg = test::stored_runtime_config("");
  auto rt = test::start_runtime(std::move(cfg));
  check_error(rt->admin().logged(1).get(), error_code::not_found,
              "start it with a data_dir");
  check_error(rt->admin().analytics().get(), error_code::not_found,
              "start it with a data_dir");
  std::promise<caf::expected<std::vector<storage::api_key_record>>> keys;
  rt->admin().api_keys(
    [&keys](caf::expected<std::vector<storage::api_key_record>> k) {
      keys.set_value(std::move(k));
    });
  check_error(keys.get_future().get(), error_code::not_found, "data_dir");
  // The actors answer without a store.
  auto ledger = rt->admin().budget_summary().get();
  REQUIRE(ledger);
  CHECK(ledger->spent_nanos == 0);
  auto breakers = rt->admin().breaker_states().get();
  REQUIRE(breakers);
  CHECK(breakers->size() == rt->registry().providers.size());
}

TEST_CASE("after shutdown every call is refused at once",
          "[runtime][lifecycle]") {
  test::temp_dir dir;
  auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
  auto reply = rt->execute(hello()).get();
  REQUIRE(reply.ok());
  rt->shutdown();
  rt->shutdown(); // idempotent
  auto late = rt->execute(hello()).get();
  CHECK_FALSE(late.ok());
  CHECK_THAT(late.error_message, Catch::Contains("shutting down"));
  CHECK_FALSE(rt->route(hello()).get().ok());
  auto& admin = rt->admin();
  check_error(admin.logged(reply.decision_id).get(),
              error_code::invalid_argument, "shut down");
  check_error(admin.replay(reply.decision_id).get(),
              error_code::invalid_argument, "shut down");
  check_error(admin.analytics().get(), error_code::invalid_argument,
              "shut down");
  check_error(admin.experiments().get(), error_code::invalid_argument,
              "shut down");
  check_error(admin.budget_summary().get(), error_code::invalid_argument,
              "shut down");
  check_error(admin.breaker_states().get(), error_code::invalid_argument,
              "shut down");
  std::promise<caf::expected<void>> saved;
  admin.save_api_key({}, [&saved](caf::expected<void> r) {
    saved.set_value(std::move(r));
  });
  check_error(saved.get_future().get(), error_code::invalid_argument,
              "shut down");
  std::promise<error_code> ack;
  rt->feedback(reply.decision_id, {}, std::string{}, [&ack](error_code e) {
    ack.set_value(e);
  });
  CHECK(ack.get_future().get() == error_code::storage_failure);
  CHECK_FALSE(rt->approve(reply.decision_id, true).get());
  CHECK(rt->pending_approvals().get().empty());
  // Fire-and-forget calls do nothing; what lives outside the actors stays
  // readable.
  rt->feedback(reply.decision_id, {});
  admin.set_key_budget("key", 1.0);
  CHECK(rt->stats().succeeded == 1);
  CHECK(admin.discovery_done());
  CHECK(admin.breaker_history().empty());
}

TEST_CASE("calls racing shutdown from other threads are each answered once",
          "[runtime][lifecycle]") {
  test::temp_dir dir;
  answer_count count;
  auto rt = test::start_runtime(test::stored_runtime_config(dir.path()));
  auto first = rt->execute(hello()).get();
  REQUIRE(first.ok());
  std::atomic<bool> done{false};
  std::atomic<bool> stuck{false};
  auto caller = [&] {
    auto& admin = rt->admin();
    while (!done.load() && !stuck.load()) {
      rt->execute(hello(), count.counted<task_reply>());
      admin.logged(first.decision_id,
                   count.counted<caf::expected<logged_decision>>());
      admin.budget_summary(count.counted<caf::expected<ledger_summary>>());
      admin.experiments(
        count.counted<caf::expected<runtime_admin::experiment_list>>());
      admin.breaker_states(
        count.counted<caf::expected<std::vector<breaker_change>>>());
      admin.learned(count.counted<caf::expected<engine::performance_table>>());
      rt->feedback(first.decision_id, {}, std::string{},
                   count.counted<error_code>());
      // (Catch's assertions are for the test's own thread.)
      if (!count.wait_until_within(200))
        stuck.store(true);
    }
  };
  std::vector<std::thread> callers;
  for (int i = 0; i < 3; ++i)
    callers.emplace_back(caller);
  // Shut down while they call (once some answers came back).
  REQUIRE(count.wait_for_answers(300));
  rt->shutdown();
  done.store(true);
  for (auto& t : callers)
    t.join();
  CHECK_FALSE(stuck.load());
  // Everything asked before the teardown was answered by the actors or,
  // dropped with them, with an error; everything after, at once.
  auto asked = count.asked.load();
  CHECK(count.wait_for_answers(asked));
  CHECK(count.answered.load() == asked);
}
