// The API the dashboard reads: decision pages, replay, spend over time and
// providers with their breaker history (admin only).

#include "dashboard_impl.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/ui_assets.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime_admin.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::gateway {

using namespace dashboard_detail;

namespace {

/// A failed read of the store: 404 without one, 503 when it failed.
api_error store_error(const caf::error& e) {
  return {error_code_of(e) == error_code::not_found ? 404 : 503, "api_error",
          "no_store", error_message(e)};
}

} // namespace

bool dashboard_routes::impl::serve_api(
  const http::server_request& req,
  const std::shared_ptr<http::response_writer>& w, bool admin,
  const finish_fn& finish) {
  auto path = req.path();
  auto get = req.method == "GET";
  if (path == "/v1/providers" && get)
    return providers(w, finish), true;
  bool ours = (path == "/v1/decisions" && get)
              || (path.rfind("/v1/decisions/", 0) == 0 && path.size() > 7
                  && path.ends_with("/replay") && req.method == "POST")
              || (path == "/v1/analytics/spend" && get)
              || (path == "/v1/analytics/learned" && get);
  if (!ours)
    return false;
  if (!admin) {
    error(w, finish, admin_required());
    return true;
  }
  if (path == "/v1/decisions")
    decisions(req.query(), w, finish);
  else if (path == "/v1/analytics/spend")
    spend(req.query(), w, finish);
  else if (path == "/v1/analytics/learned")
    learned_series(req.query(), w, finish);
  else
    replay(path.substr(14, path.size() - 14 - 7), w, finish);
  return true;
}

void dashboard_routes::impl::decisions(
  std::string_view query, const std::shared_ptr<http::response_writer>& w,
  const finish_fn& finish) {
  auto limit = query_number(query, "limit");
  auto before = query_decision(query, "before");
  auto after = query_decision(query, "after");
  if ((form_value(query, "limit") && (!limit || *limit < 1 || *limit > 500))
      || !before || !after)
    return error(w, finish,
                 {400, "invalid_request_error", "invalid_query",
                  "limit is 1-500; before and after are decision ids "
                  "(dec_ and 16 hex digits)."});
  rt.decisions(
    *before, *after, limit.value_or(50),
    [w, finish](caf::expected<storage::decision_page> page) {
      if (!page)
        return error(w, finish, store_error(page.error()));
      std::string out;
      engine::json_writer jw{out};
      jw.begin_object().field("object", "list");
      jw.key("data").begin_array();
      for (const auto& s : page->rows) {
        jw.begin_object();
        jw.field("id", decision_ref(s.decision_id));
        jw.field("created_unix_ms", s.created_unix_ms);
        jw.field("execute", s.execute);
        jw.field("task_type", engine::to_string(s.type));
        jw.field("complexity", engine::to_string(s.tier));
        jw.field("complexity_score", s.complexity_score);
        jw.field("model", std::string_view{s.model});
        jw.field("provider", std::string_view{s.provider});
        jw.field("cost_usd", usd(s.cost_nanos));
        jw.field("latency_ms", s.latency_ms);
        jw.field("attempts", s.attempts);
        jw.field("fallbacks", s.fallbacks);
        jw.field("parallel", s.parallel);
        jw.field("ok", s.ok);
        if (!s.ok)
          jw.field("error", std::string_view{s.error_message});
        if (!s.experiment.empty())
          jw.field("experiment", std::string_view{s.experiment});
        jw.end_object();
      }
      jw.end_array();
      jw.field("has_more", page->more);
      jw.field("records_read", page->records_read);
      jw.key("next_before");
      if (page->more && !page->rows.empty())
        jw.value(decision_ref(page->rows.back().decision_id));
      else
        jw.null();
      jw.end_object();
      w->respond(200, json_headers(), std::move(out));
      finish(200);
    });
}

void dashboard_routes::impl::replay(
  std::string_view id_text, const std::shared_ptr<http::response_writer>& w,
  const finish_fn& finish) {
  auto id = parse_decision_id(id_text);
  if (!id)
    return error(w, finish,
                 {400, "invalid_request_error", "invalid_decision_id",
                  "A decision id is dec_ and 16 hex digits."});
  rt.replay(*id, [w, finish,
                  id = *id](caf::expected<actors::replay_report> replayed) {
    if (!replayed) {
      auto status
        = error_code_of(replayed.error()) == error_code::not_found ? 404 : 503;
      return error(w, finish,
                   {status, "invalid_request_error",
                    status == 404 ? "decision_not_found" : "no_store",
                    error_message(replayed.error())});
    }
    const auto& report = *replayed;
    std::string out;
    engine::json_writer jw{out};
    jw.begin_object();
    jw.field("decision_id", decision_ref(id));
    jw.field("identical", report.identical());
    jw.field("rounds", static_cast<std::uint64_t>(report.rounds.size()));
    jw.field("config_differs", report.config_differs());
    bool recorded = std::all_of(report.rounds.begin(), report.rounds.end(),
                                [](const auto& x) {
                                  return x.inputs_recorded;
                                });
    jw.field("inputs_recorded", recorded);
    jw.field("steps", static_cast<std::uint64_t>(report.steps.size()));
    jw.key("first_difference");
    auto d = report.divergence();
    if (!d) {
      jw.null();
    } else {
      jw.begin_object();
      if (d->step) {
        const auto& step = report.steps[*d->step];
        jw.field("step", static_cast<std::uint64_t>(*d->step));
        jw.field("role", std::string_view{step.role});
      }
      jw.field("round", static_cast<std::uint64_t>(d->round + 1));
      const auto& diff = *d->replayed->difference;
      jw.field("path", std::string_view{diff.path});
      jw.field("logged", std::string_view{diff.logged});
      jw.field("recomputed", std::string_view{diff.recomputed});
      jw.end_object();
    }
    jw.end_object();
    w->respond(200, json_headers(), std::move(out));
    finish(200);
  });
}

void dashboard_routes::impl::spend(
  std::string_view query, const std::shared_ptr<http::response_writer>& w,
  const finish_fn& finish) {
  auto bucket = form_value(query, "bucket").value_or("minute");
  spend_query q;
  q.until_unix_ms = rt.clock().wall_ms();
  // Each bucket size has the window a chart of it reads well over.
  if (bucket == "minute") {
    q.bucket_s = 60;
    q.since_unix_ms = q.until_unix_ms - 60 * 60'000;
  } else if (bucket == "hour") {
    q.bucket_s = 3600;
    q.since_unix_ms = q.until_unix_ms - 24 * 3600'000;
  } else if (bucket == "day") {
    q.bucket_s = 86400;
    q.since_unix_ms = q.until_unix_ms - 30LL * 86400'000;
  } else {
    return error(w, finish,
                 {400, "invalid_request_error", "invalid_bucket",
                  "bucket is minute, hour or day."});
  }
  // Today (UTC) for the daily budget, read second.
  spend_query today;
  today.until_unix_ms = q.until_unix_ms;
  today.since_unix_ms = q.until_unix_ms - q.until_unix_ms % 86400'000;
  today.bucket_s = 86400;
  rt.spend(q, [this, w, finish, today,
                bucket](caf::expected<spend_report> window) {
    if (!window)
      return error(w, finish, store_error(window.error()));
    rt.spend(today, [this, w, finish, bucket, window = std::move(*window)](
                      caf::expected<spend_report> day) {
      // A ledger round trip on the storage thread, which may block. What
      // cannot be read (today's spend, the ledger) shows as nothing spent.
      auto ledger = rt.budget_summary();
      ledger_summary l;
      if (ledger.wait_for(std::chrono::seconds{2})
          == std::future_status::ready)
        if (auto summary = ledger.get())
          l = std::move(*summary);
      w->respond(200, json_headers(),
                 spend_json(bucket, window, day ? *day : spend_report{}, l));
      finish(200);
    });
  });
}

std::string
dashboard_routes::impl::spend_json(std::string_view bucket,
                                   const spend_report& r,
                                   const spend_report& today,
                                   const ledger_summary& ledger) const {
  const auto& s = r.series;
  std::string out;
  engine::json_writer jw{out};
  auto values = [&jw](const std::vector<engine::usd_nanos>& v) {
    jw.begin_array();
    for (auto n : v)
      jw.value(usd(n));
    jw.end_array();
  };
  auto lines = [&](const std::vector<engine::spend_series::line>& ls) {
    jw.begin_array();
    for (const auto& l : ls) {
      jw.begin_object().field("name", std::string_view{l.name});
      jw.key("usd");
      values(l.spent);
      jw.end_object();
    }
    jw.end_array();
  };
  jw.begin_object();
  jw.field("bucket", bucket);
  jw.field("bucket_s", s.bucket_s);
  jw.field("tasks", r.tasks);
  jw.key("starts_unix_s").begin_array();
  for (auto t : s.starts)
    jw.value(t);
  jw.end_array();
  jw.key("by_model");
  lines(s.by_model);
  jw.key("by_provider");
  lines(s.by_provider);
  jw.key("total_usd");
  values(s.total);
  jw.field("always_best_model", std::string_view{s.always_best_model});
  jw.key("always_best_usd");
  values(s.always_best);
  jw.key("answered_usd");
  values(s.answered);
  jw.key("budgets").begin_object();
  auto limit = [&jw](std::string_view k, const std::optional<double>& v) {
    jw.key(k);
    if (v)
      jw.value(*v);
    else
      jw.null();
  };
  jw.key("global").begin_object();
  limit("limit_usd", cfg.global_budget_usd);
  jw.field("spent_usd", usd(ledger.spent_nanos));
  jw.field("reserved_usd", usd(ledger.reserved_nanos));
  jw.field("refusals", ledger.refusals);
  jw.end_object();
  jw.key("daily").begin_object();
  limit("limit_usd", cfg.daily_budget_usd);
  engine::usd_nanos today_total = 0;
  for (auto v : today.series.total)
    today_total += v;
  jw.field("spent_today_usd", usd(today_total));
  jw.end_object();
  jw.key("keys").begin_array();
  for (const auto& k : keys.list()) {
    jw.begin_object();
    jw.field("id", std::string_view{k.id});
    jw.field("name", std::string_view{k.name});
    limit("limit_usd", k.budget_usd);
    engine::usd_nanos spent = 0;
    for (const auto& line : today.series.by_key)
      if (line.name == k.id)
        spent = line.spent;
    jw.field("spent_today_usd", usd(spent));
    // The key's budget counts its whole life (the ledger's figure).
    engine::usd_nanos lifetime = 0;
    for (const auto& kb : ledger.keys)
      if (kb.key == k.id)
        lifetime = kb.budget.spent_nanos;
    jw.field("spent_usd", usd(lifetime));
    jw.end_object();
  }
  jw.end_array();
  jw.end_object();
  jw.end_object();
  return out;
}

void dashboard_routes::impl::providers(
  const std::shared_ptr<http::response_writer>& w, const finish_fn& finish) {
  rt.breaker_states([this, w, finish](
                      caf::expected<std::vector<breaker_change>> answer) {
    // Breakers that cannot be asked (shutting down) list no providers.
    auto states = answer ? std::move(*answer) : std::vector<breaker_change>{};
    auto history = rt.breaker_history();
    auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    clock_type::now().time_since_epoch())
                    .count();
    const auto& providers = cfg.registry.providers;
    std::string out;
    engine::json_writer jw{out};
    auto availability = rt.availability();
    jw.begin_object().field("object", "list").key("data").begin_array();
    std::lock_guard<std::mutex> guard{calls_mutex};
    for (const auto& c : states) {
      if (c.provider >= providers.size())
        continue;
      const auto& p = providers[c.provider];
      jw.begin_object();
      jw.field("id", std::string_view{p.id});
      jw.field("kind", engine::to_string(p.kind));
      jw.field("local", p.local);
      jw.field("breaker", phase_name(c.phase));
      jw.field("trips", static_cast<std::uint64_t>(c.trips));
      jw.key("reopens_in_ms");
      if (c.phase == breaker_phase::open)
        jw.value(
          std::max<std::int64_t>(0, (c.reopens_at_ns - now_ns) / 1'000'000));
      else
        jw.null();
      jw.field("base_url", std::string_view{p.base_url});
      jw.key("key_env");
      if (p.api_key_env.empty())
        jw.null();
      else
        jw.value(std::string_view{p.api_key_env});
      if (c.provider < availability.providers.size()) {
        const auto& a = availability.providers[c.provider];
        jw.field("available", a.state == engine::unavailability::none);
        jw.field("availability", engine::to_string(a.state));
        jw.field("probed", a.probed);
        jw.field("probes", static_cast<std::uint64_t>(a.probes));
        jw.field("probe_failures",
                 static_cast<std::uint64_t>(a.consecutive_failures));
        jw.field("last_probe_status", a.last_status);
        jw.key("models_served").begin_array();
        for (const auto& name : a.served)
          jw.value(std::string_view{name});
        jw.end_array();
      }
      const auto& n = calls[c.provider];
      jw.field("calls", n.calls);
      jw.field("failed_calls", n.failed);
      jw.field("error_rate", n.calls == 0 ? 0.0
                                          : static_cast<double>(n.failed)
                                              / static_cast<double>(n.calls));
      jw.field("fell_back", n.fell_back);
      jw.field("breaker_refusals", n.breaker_refusals);
      jw.field("retries", n.retries);
      jw.key("errors").begin_object();
      for (const auto& [kind, count] : n.errors)
        jw.field(kind, count);
      jw.end_object();
      jw.key("history").begin_array();
      for (const auto& t : history)
        if (t.provider == c.provider)
          jw.begin_object()
            .field("unix_ms", t.unix_ms)
            .field("from", phase_name(t.from))
            .field("to", phase_name(t.to))
            .end_object();
      jw.end_array();
      jw.end_object();
    }
    jw.end_array();
    jw.end_object();
    w->respond(200, json_headers(), std::move(out));
    finish(200);
  });
}

void dashboard_routes::impl::on_task(const task_reply& r) {
  const auto& models = cfg.registry.models;
  std::lock_guard<std::mutex> guard{calls_mutex};
  for (std::size_t i = 0; i < r.attempts.size(); ++i) {
    const auto& a = r.attempts[i];
    if (a.model >= models.size())
      continue;
    auto p = cfg.registry.provider_index(models[a.model].provider);
    if (!p || *p >= calls.size())
      continue;
    auto& n = calls[*p];
    if (a.error == engine::call_error::breaker_open) {
      ++n.breaker_refusals;
      continue;
    }
    if (a.error == engine::call_error::cancelled)
      continue;
    ++n.calls;
    n.retries += a.retries;
    if (a.error != engine::call_error::none) {
      ++n.failed;
      ++n.errors[engine::call_error_names[static_cast<std::size_t>(a.error)]];
      if (!r.parallel && i + 1 < r.attempts.size())
        ++n.fell_back;
    }
  }
}

} // namespace switchyard::gateway
