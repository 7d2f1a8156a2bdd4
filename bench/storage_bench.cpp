#include "storage_bench.hpp"

#include "switchyard/actors/storage_actor.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/messages/message_types.hpp"
#include "switchyard/storage/record_codec.hpp"
#include "switchyard/storage/store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <random>
#include <vector>

namespace switchyard::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0.0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k),
                   xs.end());
  return xs[k];
}

storage_op_result summarize(std::vector<double>& us,
                            clock_type::duration elapsed) {
  storage_op_result r;
  r.operations = us.size();
  auto seconds = std::chrono::duration<double>(elapsed).count();
  r.per_second = seconds > 0 ? static_cast<double>(us.size()) / seconds : 0.0;
  r.p50_us = percentile(us, 0.50);
  r.p99_us = percentile(us, 0.99);
  r.p999_us = percentile(us, 0.999);
  r.max_us = us.empty() ? 0.0 : *std::max_element(us.begin(), us.end());
  return r;
}

/// A fresh directory under `parent`, removed when this goes away.
struct scratch_dir {
  std::filesystem::path path;

  explicit scratch_dir(const std::string& parent) {
    auto base = parent.empty() ? std::filesystem::temp_directory_path()
                               : std::filesystem::path{parent};
    auto pattern = (base / "switchyard-storage-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr)
      path = pattern;
  }

  ~scratch_dir() {
    std::error_code ec;
    if (!path.empty())
      std::filesystem::remove_all(path, ec);
  }
};

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

feedback_record make_feedback(std::uint64_t decision_id) {
  feedback_record f;
  f.decision_id = decision_id;
  f.received_unix_ms = now_unix_ms();
  f.report.outcome = engine::feedback_report::verdict::success;
  f.report.rating = 4;
  f.model = "gpt-4o-mini";
  f.type = engine::task_type::code_generation;
  return f;
}

/// A decision as the runtime logs it: routed by the engine over the default
/// registry, with its recorded inputs.
decision_record make_decision(const engine::registry& reg) {
  engine::keyword_classifier cls;
  engine::router router{reg, cls};
  decision_record rec;
  rec.execute = true;
  rec.task.text = "Write a Python function that parses ISO 8601 dates and "
                  "returns a datetime, with tests for time zones.";
  engine::route_request req;
  req.text = rec.task.text;
  engine::routing_state state;
  auto d = router.route(req, state);
  engine::record_inputs(state, d.cls.type, reg.models.size(), d.inputs);
  rec.rounds.push_back({route_context{}, std::move(d)});
  rec.answered = true;
  rec.input_tokens = 40;
  rec.output_tokens = 400;
  rec.cost_nanos = 250'000;
  rec.latency_ms = 900.0;
  return rec;
}

caf::expected<std::unique_ptr<storage::store>>
open_store(const std::filesystem::path& dir, bool sync_decisions) {
  storage::store_options o;
  o.path = dir.string();
  o.sync_decisions = sync_decisions;
  return storage::store::open(std::move(o));
}

/// Keeps `window` feedback requests outstanding at the storage actor until
/// `total` are answered, timing each from send to answer.
struct group_run {
  storage_actor storage;
  std::uint64_t total = 0;
  std::uint64_t sent = 0;
  std::uint64_t answered = 0;
  std::uint64_t failed = 0;
  std::vector<double> us;
  std::promise<void> done;
};

void send_feedback(caf::event_based_actor* self,
                   const std::shared_ptr<group_run>& run) {
  auto id = ++run->sent;
  auto start = clock_type::now();
  self->request(run->storage, caf::infinite, feedback_atom::value,
                make_feedback(1'000'000 + id))
    .then(
      [self, run, start](bool ok) {
        run->us.push_back(micros(clock_type::now() - start));
        run->failed += ok ? 0 : 1;
        if (++run->answered == run->total) {
          run->done.set_value();
          self->quit();
        } else if (run->sent < run->total) {
          send_feedback(self, run);
        }
      },
      [self, run](caf::error&) {
        ++run->failed;
        if (++run->answered == run->total) {
          run->done.set_value();
          self->quit();
        } else if (run->sent < run->total) {
          send_feedback(self, run);
        }
      });
}

caf::behavior feedback_driver(caf::event_based_actor* self,
                              std::shared_ptr<group_run> run,
                              std::uint32_t window) {
  for (std::uint32_t i = 0; i < window && run->sent < run->total; ++i)
    send_feedback(self, run);
  // Kept alive by the pending requests; nothing else arrives.
  return {[](caf::ok_atom) {}};
}

} // namespace

storage_bench_result run_storage_bench(const storage_bench_options& opts) {
  storage_bench_result out;
  out.in_flight = opts.in_flight;
  scratch_dir dir{opts.parent_dir};
  if (dir.path.empty()) {
    out.error = "cannot create a temporary directory in "
                + (opts.parent_dir.empty()
                     ? std::filesystem::temp_directory_path().string()
                     : opts.parent_dir);
    return out;
  }
  out.directory = dir.path.string();
  auto reg = config::default_registry();
  auto decision = make_decision(reg);
  out.decision_bytes = storage::encode_decision(decision).size();

  {
    auto opened = open_store(dir.path / "unsynced-decisions", false);
    if (!opened) {
      out.error = error_message(opened.error());
      return out;
    }
    std::shared_ptr<storage::store> db = std::move(*opened);

    // -- synced feedback, one at a time --
    std::vector<double> us;
    us.reserve(opts.sequential_feedback);
    auto begin = clock_type::now();
    for (std::uint64_t i = 1; i <= opts.sequential_feedback; ++i) {
      auto t0 = clock_type::now();
      auto written = db->put_feedback(make_feedback(i));
      us.push_back(micros(clock_type::now() - t0));
      if (!written) {
        out.error = "feedback write: " + error_message(written.error());
        return out;
      }
    }
    out.feedback_sequential = summarize(us, clock_type::now() - begin);

    // -- decision log, no sync --
    us.clear();
    begin = clock_type::now();
    for (std::uint64_t i = 1; i <= opts.decisions; ++i) {
      decision.decision_id = i;
      // Now: an older time would fall outside retention and read as absent.
      decision.created_unix_ms = now_unix_ms();
      auto t0 = clock_type::now();
      auto written = db->put_decision(decision);
      us.push_back(micros(clock_type::now() - t0));
      if (!written) {
        out.error = "decision write: " + error_message(written.error());
        return out;
      }
    }
    out.decisions_unsynced = summarize(us, clock_type::now() - begin);

    // -- reads by id --
    if (opts.decisions > 0) {
      us.clear();
      std::mt19937_64 rng{42};
      std::uniform_int_distribution<std::uint64_t> pick{1, opts.decisions};
      begin = clock_type::now();
      for (std::uint64_t i = 0; i < opts.reads; ++i) {
        auto id = pick(rng);
        auto t0 = clock_type::now();
        auto rec = db->get_decision(id);
        us.push_back(micros(clock_type::now() - t0));
        if (!rec || rec->decision_id != id) {
          out.error = "decision " + std::to_string(id) + " not read back";
          return out;
        }
      }
      out.decision_reads = summarize(us, clock_type::now() - begin);
    }

    // -- synced feedback through the storage actor's group commit --
    if (opts.group_feedback > 0) {
      caf::actor_system_config cfg;
      cfg.set("scheduler.max-threads", 2);
      add_message_types(cfg);
      caf::actor_system sys{cfg};
      auto run = std::make_shared<group_run>();
      run->storage = sys.spawn<caf::detached>(
        actors::storage, db, std::shared_ptr<actors::decision_log_queue>{});
      run->total = opts.group_feedback;
      run->us.reserve(opts.group_feedback);
      auto finished = run->done.get_future();
      begin = clock_type::now();
      sys.spawn(feedback_driver, run, std::max<std::uint32_t>(opts.in_flight, 1));
      finished.wait();
      auto elapsed = clock_type::now() - begin;
      caf::anon_send_exit(run->storage, caf::exit_reason::user_shutdown);
      run->storage = nullptr;
      if (run->failed > 0) {
        out.error = std::to_string(run->failed)
                    + " feedback requests to the storage actor failed";
        return out;
      }
      out.feedback_group = summarize(run->us, elapsed);
    }
  }

  // -- decision log, synced --
  {
    auto opened = open_store(dir.path / "synced-decisions", true);
    if (!opened) {
      out.error = error_message(opened.error());
      return out;
    }
    auto& db = *opened;
    std::vector<double> us;
    auto begin = clock_type::now();
    for (std::uint64_t i = 1; i <= opts.synced_decisions; ++i) {
      decision.decision_id = i;
      decision.created_unix_ms = now_unix_ms();
      auto t0 = clock_type::now();
      auto written = db->put_decision(decision);
      us.push_back(micros(clock_type::now() - t0));
      if (!written) {
        out.error = "decision write: " + error_message(written.error());
        return out;
      }
    }
    out.decisions_synced = summarize(us, clock_type::now() - begin);
  }
  return out;
}

std::string to_json(const storage_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  auto latency = [&](const storage_op_result& o) {
    w.key("latency_us").begin_object();
    w.field("p50", o.p50_us);
    w.field("p99", o.p99_us);
    w.field("p999", o.p999_us);
    w.field("max", o.max_us);
    w.end_object();
  };
  auto op = [&](std::string_view name, const storage_op_result& o) {
    w.key(name).begin_object();
    w.field("operations", o.operations);
    w.field("per_second", o.per_second);
    latency(o);
    w.end_object();
  };
  w.begin_object();
  w.field("benchmark", "storage");
  w.field("decision_bytes", r.decision_bytes);
  op("feedback_synced_sequential", r.feedback_sequential);
  w.key("feedback_synced_group_commit").begin_object();
  w.field("in_flight", r.in_flight);
  w.field("operations", r.feedback_group.operations);
  w.field("acknowledged_per_second", r.feedback_group.per_second);
  latency(r.feedback_group);
  w.end_object();
  op("decision_writes_unsynced", r.decisions_unsynced);
  op("decision_writes_synced", r.decisions_synced);
  op("decision_reads_by_id", r.decision_reads);
  w.end_object();
  return out;
}

} // namespace switchyard::bench
