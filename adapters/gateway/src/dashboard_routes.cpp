// The dashboard: the public class, and the sampler that records learned
// weights over time into the store.

#include "dashboard_impl.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/ui_assets.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime_admin.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::gateway {

using namespace dashboard_detail;

/// Into the store's ring of samples (a slot per interval, wrapping at
/// learned_samples), so that a restarted node shows its history.
void dashboard_routes::impl::save(const learned_sample& s) {
  storage::learned_sample_record rec;
  rec.unix_ms = s.unix_ms;
  for (const auto& c : s.cells) {
    if (c.model >= cfg.registry.models.size())
      continue;
    rec.cells.push_back({cfg.registry.models[c.model].id, c.type,
                         c.perf.success, c.perf.latency_ms,
                         c.perf.feedback_weight, c.perf.samples,
                         c.perf.confidence});
  }
  auto interval = std::max<std::int64_t>(opts.learned_interval.count(), 1);
  rt.save_learned_sample(std::move(rec),
                         static_cast<std::uint64_t>(s.unix_ms / interval)
                           % std::max<std::size_t>(opts.learned_samples, 1));
}

void dashboard_routes::impl::restore(
  std::vector<storage::learned_sample_record> stored) {
  std::deque<learned_sample> older;
  for (auto& rec : stored) {
    learned_sample s;
    s.unix_ms = rec.unix_ms;
    for (const auto& c : rec.cells) {
      auto m = std::find_if(cfg.registry.models.begin(),
                            cfg.registry.models.end(), [&](const auto& spec) {
                              return spec.id == c.model;
                            });
      if (m == cfg.registry.models.end())
        continue; // a model this registry no longer has
      engine::model_performance perf;
      perf.success = c.success;
      perf.latency_ms = c.latency_ms;
      perf.feedback_weight = c.feedback_weight;
      perf.samples = c.samples;
      perf.confidence = c.confidence;
      s.cells.push_back(
        {static_cast<std::uint16_t>(m - cfg.registry.models.begin()), c.type,
         perf});
    }
    older.push_back(std::move(s));
  }
  std::lock_guard<std::mutex> g{learned_mutex};
  auto first = learned.empty() ? std::numeric_limits<std::int64_t>::max()
                               : learned.front().unix_ms;
  while (!older.empty() && older.back().unix_ms >= first)
    older.pop_back();
  learned.insert(learned.begin(), std::make_move_iterator(older.begin()),
                 std::make_move_iterator(older.end()));
  while (learned.size() > opts.learned_samples)
    learned.pop_front();
}

void dashboard_routes::impl::sample_loop() {
  // None stored (no data dir) or none readable: the chart starts empty.
  rt.learned_samples(
    [this](caf::expected<std::vector<storage::learned_sample_record>> s) {
      if (s)
        restore(std::move(*s));
    });
  std::unique_lock<std::mutex> guard{learned_mutex};
  while (!stopping) {
    guard.unlock();
    rt.learned([this](caf::expected<engine::performance_table> snapshot) {
      // Learning did not answer (shutting down): no sample this round.
      if (!snapshot)
        return;
      const auto& t = *snapshot;
      learned_sample s;
      s.unix_ms = rt.clock().wall_ms();
      for (std::size_t m = 0; m < t.model_count; ++m)
        for (std::size_t ty = 0; ty < engine::task_type_count; ++ty) {
          auto type = static_cast<engine::task_type>(ty);
          const auto* p = t.find(static_cast<std::uint16_t>(m), type);
          if (p != nullptr && p->samples > 0)
            s.cells.push_back({static_cast<std::uint16_t>(m), type, *p});
        }
      std::lock_guard<std::mutex> g{learned_mutex};
      if (stopping || t.model_count == 0)
        return;
      save(s);
      learned.push_back(std::move(s));
      while (learned.size() > opts.learned_samples)
        learned.pop_front();
    });
    guard.lock();
    learned_wake.wait_for(guard, opts.learned_interval, [this] {
      return stopping;
    });
  }
}

void dashboard_routes::impl::learned_series(
  std::string_view query, const std::shared_ptr<http::response_writer>& w,
  const finish_fn& finish) {
  auto since = query_number(query, "since").value_or(0);
  std::string out;
  engine::json_writer jw{out};
  jw.begin_object();
  jw.field("interval_ms",
           static_cast<std::int64_t>(opts.learned_interval.count()));
  jw.field("source", "learning actor snapshot, sampled into the store "
                     "(in memory only without a data dir)");
  jw.key("samples").begin_array();
  {
    std::lock_guard<std::mutex> guard{learned_mutex};
    for (const auto& s : learned) {
      if (static_cast<std::uint64_t>(s.unix_ms) <= since)
        continue;
      jw.begin_object().field("unix_ms", s.unix_ms);
      jw.key("cells").begin_array();
      for (const auto& c : s.cells) {
        jw.begin_object();
        jw.field("model", c.model < cfg.registry.models.size()
                            ? std::string_view{cfg.registry.models[c.model].id}
                            : std::string_view{"?"});
        jw.field("task_type", engine::to_string(c.type));
        jw.field("success", c.perf.success);
        jw.field("latency_ms", c.perf.latency_ms);
        jw.field("feedback_weight", c.perf.feedback_weight);
        jw.field("samples", c.perf.samples);
        jw.field("confidence", c.perf.confidence);
        jw.end_object();
      }
      jw.end_array().end_object();
    }
  }
  jw.end_array().end_object();
  w->respond(200, json_headers(), std::move(out));
  finish(200);
}

dashboard_routes::dashboard_routes(const gateway_config& cfg,
                                   runtime_admin& admin, const key_store& keys,
                                   dashboard_options opts)
    : impl_(std::make_unique<impl>(cfg, admin, keys, opts)) {
  impl_->sampler = std::thread{[p = impl_.get()] {
    p->sample_loop();
  }};
}

dashboard_routes::~dashboard_routes() {
  stop();
}

void dashboard_routes::stop() {
  {
    std::lock_guard<std::mutex> guard{impl_->learned_mutex};
    impl_->stopping = true;
  }
  impl_->learned_wake.notify_all();
  if (impl_->sampler.joinable())
    impl_->sampler.join();
}

bool dashboard_routes::serve_ui(const http::server_request& req,
                                const std::shared_ptr<http::response_writer>& w,
                                const finish_fn& finish) {
  return impl_->serve_ui(req, w, finish);
}

bool dashboard_routes::has_session(const http::server_request& req) const {
  auto token = impl_->session_token(req);
  return token && !token->empty() && impl_->valid_session(*token);
}

bool dashboard_routes::serve_api(
  const http::server_request& req,
  const std::shared_ptr<http::response_writer>& w, bool admin,
  const finish_fn& finish) {
  return impl_->serve_api(req, w, admin, finish);
}

void dashboard_routes::on_task(const task_reply& r) {
  impl_->on_task(r);
}

} // namespace switchyard::gateway
