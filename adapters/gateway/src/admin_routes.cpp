// Admin endpoints: /v1/keys, /v1/experiments, /v1/analytics/* and
// /v1/decisions/{id}.

#include "gateway_impl.hpp"

#include "switchyard/actors/decision_record_json.hpp"
#include "switchyard/actors/experiment_report_json.hpp"
#include "switchyard/engine/analytics_json.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/admin_requests.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

namespace switchyard::gateway {

namespace {

void write_key_json(engine::json_writer& jw, const api_key_record& k) {
  jw.field("object", "api_key");
  jw.field("id", std::string_view{k.id});
  jw.field("name", std::string_view{k.name});
  jw.field("admin", k.admin);
  jw.field("revoked", k.revoked);
  jw.field("created", k.created_unix_s);
  jw.key("requests_per_minute");
  if (k.requests_per_minute)
    jw.value(static_cast<std::uint64_t>(*k.requests_per_minute));
  else
    jw.null();
  jw.key("budget_usd");
  if (k.budget_usd)
    jw.value(*k.budget_usd);
  else
    jw.null();
}

} // namespace

bool gateway_server::impl::require_admin(const writer_ptr& w,
                                         const caller& who,
                                         std::string_view what,
                                         const request_end& finish) {
  if (who.admin)
    return true;
  reply_error(w, {403, "permission_error", "admin_required",
                  std::string{what} + " needs the admin key."},
              false);
  finish(403, 0, {}, who.key_id);
  return false;
}

void gateway_server::impl::persist_key(
  storage::api_key_record record,
  std::function<void(bool stored, bool durable)> done) {
  // Without a data dir, keys live in memory only: stored, not durable.
  if (cfg.data_dir.empty())
    return done(true, false);
  rt->admin().save_api_key(std::move(record),
                           [done = std::move(done)](caf::expected<void> r) {
                             done(static_cast<bool>(r), true);
                           });
}

void gateway_server::impl::manage_keys(const http::server_request& req,
                                       writer_ptr w, const caller& who,
                                       std::string_view key_id,
                                       const request_end& finish) {
  if (!require_admin(w, who, "Managing keys", finish))
    return;
  if (req.method == "GET" && key_id.empty()) {
    std::string out;
    engine::json_writer jw{out};
    jw.begin_object().field("object", "list").key("data").begin_array();
    for (const auto& k : keys.list()) {
      jw.begin_object();
      write_key_json(jw, k);
      jw.end_object();
    }
    jw.end_array().end_object();
    w->respond(200, json_headers(), std::move(out));
    return finish(200, 0, {}, who.key_id);
  }
  auto storage_error = [this, w, finish, who] {
    // The store refused it (a full disk): nothing changed, retry later.
    reply_error(w, {503, "api_error", "key_not_stored",
                    "The key could not be stored; nothing was changed. "
                    "Retry."},
                false);
    finish(503, 0, {}, who.key_id);
  };
  if (req.method == "POST" && key_id.empty()) {
    auto parsed = parse_key_request(req.body);
    if (auto e = std::get_if<api_error>(&parsed)) {
      reply_error(w, *e, false);
      return finish(e->status, 0, {}, who.key_id);
    }
    auto& want = std::get<key_request>(parsed);
    auto made = storage::make_api_key(want.name, want.admin, unix_now());
    if (!made) {
      reply_error(w, {500, "api_error", "key_generation_failed",
                      "No random bytes for a new key; try again."},
                  false);
      return finish(500, 0, {}, who.key_id);
    }
    made->record.budget_usd = want.budget_usd;
    made->record.requests_per_minute = want.requests_per_minute;
    auto k = std::make_shared<storage::new_api_key>(std::move(*made));
    return persist_key(k->record, [this, w, finish, who, k,
                                   storage_error](bool stored, bool durable) {
      if (!stored)
        return storage_error();
      // Usable only once stored: a key shown to the user survives a crash.
      if (k->record.budget_usd)
        rt->admin().set_key_budget(k->record.id, k->record.budget_usd);
      keys.put(k->record);
      std::string out;
      engine::json_writer jw{out};
      jw.begin_object();
      write_key_json(jw, k->record);
      // Shown once: only the hash is kept.
      jw.field("key", std::string_view{k->secret});
      jw.field("stored", durable);
      jw.end_object();
      w->respond(201, json_headers(), std::move(out));
      finish(201, 0, {}, who.key_id);
    });
  }
  if (req.method == "DELETE") {
    auto id = std::string{key_id};
    if (id.empty()) {
      id = std::string{req.query()};
      if (id.rfind("id=", 0) == 0)
        id.erase(0, 3);
    }
    auto revoked = keys.revoke(id, unix_now());
    if (!revoked) {
      reply_error(w, {404, "invalid_request_error", "unknown_key",
                      "No key with id '" + id + "'."},
                  false);
      return finish(404, 0, {}, who.key_id);
    }
    return persist_key(*revoked, [w, finish, who, storage_error,
                                  id](bool stored, bool) {
      if (!stored)
        return storage_error();
      std::string out;
      engine::json_writer jw{out};
      jw.begin_object().field("id", std::string_view{id});
      jw.field("object", "api_key").field("revoked", true).end_object();
      w->respond(200, json_headers(), std::move(out));
      finish(200, 0, {}, who.key_id);
    });
  }
  reply_error(w, {405, "invalid_request_error", "method_not_allowed",
                  "Use GET or POST for /v1/keys and DELETE for "
                  "/v1/keys/{id}."},
              false);
  finish(405, 0, {}, who.key_id);
}

void gateway_server::impl::experiments(const http::server_request& req,
                                       writer_ptr w, const caller& who,
                                       std::string_view rest,
                                       const request_end& finish) {
  auto answer = [this, w, finish, who](int ok_status) {
    return [this, w, finish, who,
            ok_status](caf::expected<runtime_admin::experiment_list> r) {
      if (!r) {
        auto code = error_code_of(r.error());
        int status = code == error_code::not_found          ? 404
                     : code == error_code::invalid_argument ? 400
                                                            : 500;
        reply_error(w, {status,
                        status == 500 ? "api_error" : "invalid_request_error",
                        std::string{to_string(code)},
                        error_message(r.error())},
                    false);
        return finish(status, 0, {}, who.key_id);
      }
      std::string out = R"({"object":"list","data":)";
      out += actors::experiment_reports_json(*r);
      out += '}';
      w->respond(ok_status, json_headers(), std::move(out));
      finish(ok_status, 0, {}, who.key_id);
    };
  };
  if (rest.empty() && req.method == "GET")
    return rt->admin().experiments(answer(200));
  if (rest.empty() && req.method == "POST") {
    if (!require_admin(w, who, "Starting an experiment", finish))
      return;
    auto parsed = parse_experiment_request(
      req.body, cfg.registry, static_cast<std::uint64_t>(unix_now()));
    if (auto e = std::get_if<api_error>(&parsed)) {
      reply_error(w, *e, false);
      return finish(e->status, 0, {}, who.key_id);
    }
    return rt->admin().start_experiment(
      std::move(std::get<engine::experiment_spec>(parsed)), answer(201));
  }
  constexpr std::string_view stop_suffix = "/stop";
  if (rest.size() > stop_suffix.size() + 1 && rest.front() == '/'
      && rest.substr(rest.size() - stop_suffix.size()) == stop_suffix
      && req.method == "POST") {
    if (!require_admin(w, who, "Stopping an experiment", finish))
      return;
    auto id = rest.substr(1, rest.size() - 1 - stop_suffix.size());
    return rt->admin().stop_experiment(std::string{id}, answer(200));
  }
  reply_error(w, {405, "invalid_request_error", "method_not_allowed",
                  "Use GET or POST for /v1/experiments and POST for "
                  "/v1/experiments/{id}/stop."},
              false);
  finish(405, 0, {}, who.key_id);
}

void gateway_server::impl::analytics(const std::string& report, writer_ptr w,
                                     const caller& who,
                                     const request_end& finish) {
  if (report != "performance" && report != "costs"
      && report != "recommendations") {
    reply_error(w, {404, "invalid_request_error", "unknown_report",
                    "Reports: performance, costs, recommendations."},
                false);
    return finish(404, 0, {}, who.key_id);
  }
  if (!who.admin) {
    reply_error(w, {403, "permission_error", "admin_required",
                    "Analytics cover every key: they need the admin key."},
                false);
    return finish(403, 0, {}, who.key_id);
  }
  auto key_id = who.key_id;
  rt->admin().analytics([this, w, finish, key_id, report](
                          caf::expected<storage::analytics_report> r) {
    if (!r) {
      auto status = error_code_of(r.error()) == error_code::not_found ? 404
                                                                      : 503;
      reply_error(w, {status, "api_error", "no_store",
                      error_message(r.error())},
                  false);
      return finish(status, 0, {}, key_id);
    }
    std::string out;
    engine::json_writer jw{out};
    if (report == "performance")
      engine::write_performance_json(jw, r->performance);
    else if (report == "costs")
      engine::write_costs_json(jw, r->costs);
    else
      engine::write_recommendations_json(jw, r->recommendations);
    w->respond(200, json_headers(), std::move(out));
    finish(200, 0, {}, key_id);
  });
}

void gateway_server::impl::decision(const std::string& id_text, writer_ptr w,
                                    const caller& who,
                                    const request_end& finish) {
  auto id = parse_decision_id(id_text);
  if (!id) {
    reply_error(w, {400, "invalid_request_error", "invalid_decision_id",
                    "A decision id is dec_ and 16 hex digits (the "
                    "x-switchyard-decision-id header)."},
                false);
    return finish(400, 0, {}, who.key_id);
  }
  auto key_id = who.key_id;
  bool admin = who.admin;
  rt->admin().logged(*id, [this, w, finish, key_id,
                           admin](caf::expected<logged_decision> d) {
    // A client key sees only its own decisions: another's is not found.
    bool theirs = d && (admin || d->record.task.budget_key == key_id);
    if (!theirs) {
      auto status
        = !d && error_code_of(d.error()) != error_code::not_found ? 503 : 404;
      reply_error(w, {status, status == 404 ? "invalid_request_error"
                                            : "api_error",
                      status == 404 ? "decision_not_found" : "no_store",
                      status == 404 ? "No such decision (or it is past the "
                                      "retention)."
                                    : error_message(d.error())},
                  false);
      return finish(status, 0, {}, key_id);
    }
    static const engine::keyword_classifier classifier;
    w->respond(200, json_headers(),
               actors::decision_record_json(d->record, d->feedback,
                                            d->registry, d->registry_logged,
                                            classifier));
    finish(200, d->record.decision_id, {}, key_id);
  });
}

} // namespace switchyard::gateway
