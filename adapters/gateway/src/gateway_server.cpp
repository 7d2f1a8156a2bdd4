#include "switchyard/gateway/gateway_server.hpp"

#include "switchyard/actors/decision_record_json.hpp"
#include "switchyard/actors/experiment_report_json.hpp"
#include "switchyard/engine/analytics_json.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/admin_requests.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/cluster_routes.hpp"
#include "switchyard/gateway/dashboard_routes.hpp"
#include "switchyard/gateway/gateway_metrics.hpp"
#include "switchyard/gateway/log_sink.hpp"
#include "switchyard/gateway/stream_format.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/http/http_server.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/storage/store.hpp"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <future>
#include <mutex>
#include <thread>

namespace switchyard::gateway {

namespace {

using clock_type = std::chrono::steady_clock;
using http::header_list;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string usd_text(std::int64_t nanos) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9f", engine::nanos_to_usd(nanos));
  return buf;
}

header_list json_headers() {
  return {{"content-type", "application/json"}};
}

} // namespace

class gateway_server::impl {
public:
  gateway_config cfg;
  /// stderr logs, written in batches off the request path; declared early
  /// so that it outlives everything that logs.
  log_sink logs;
  /// The I/O loop the server, the client and the actors share (null when
  /// the actors run on CAF's workers); declared before them, so that it is
  /// destroyed after them.
  std::shared_ptr<http::io_loop> loop;
  std::unique_ptr<http::http_client> client;
  std::unique_ptr<runtime> rt;
  key_store keys;
  std::unique_ptr<gateway_metrics> metrics;
  std::unique_ptr<http::http_server> server;
  /// /ui and the API it reads (dashboard_routes.cpp).
  std::unique_ptr<dashboard_routes> dashboard;

  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> in_flight{0};
  std::mutex drain_mutex;
  std::condition_variable drained;
  bool stopped = false;

  ~impl() {
    // A start that failed half way, or drain_and_stop's end: the runtime's
    // actors need the loop to finish; then the loop stops before the server
    // and the client close their sockets (see http::io_loop).
    if (dashboard)
      dashboard->stop();
    if (rt)
      rt->shutdown(std::chrono::seconds{5});
    if (loop)
      loop->stop();
  }

  // -- plumbing ---------------------------------------------------------------

  void log(std::string line) {
    if (cfg.log)
      cfg.log(line);
    else
      logs.write(line);
  }

  void log_request(std::string_view method, std::string_view path, int status,
                   double ms, std::uint64_t decision,
                   std::string_view model, std::string_view key_id) {
    std::string line;
    engine::json_writer w{line};
    w.begin_object();
    w.field("ts", unix_now());
    w.field("level", status >= 500 ? "error" : "info");
    w.field("msg", "request");
    w.field("method", method);
    w.field("path", path);
    w.field("status", status);
    w.field("ms", ms);
    if (decision != 0)
      w.field("decision_id", decision_ref(decision));
    if (!model.empty())
      w.field("model", model);
    if (!key_id.empty())
      w.field("key_id", key_id);
    w.end_object();
    log(std::move(line));
  }

  /// Counts a request in flight until `done` is called.
  struct ticket {
    impl* self;
    void done() const {
      if (self->in_flight.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> guard{self->drain_mutex};
        self->drained.notify_all();
      }
    }
  };

  void reply_error(const std::shared_ptr<http::response_writer>& w,
                   const api_error& e, bool anthropic,
                   header_list extra = {}) {
    auto headers = json_headers();
    for (auto& h : extra)
      headers.push_back(std::move(h));
    w->respond(e.status, std::move(headers),
               anthropic ? anthropic_error_body(e) : openai_error_body(e));
  }

  // -- auth -------------------------------------------------------------------

  /// The keys in the store (created by `switchyard keys create` or
  /// POST /v1/keys), with their budgets given to the ledger. Start-up only.
  bool load_keys(std::string& why) {
    if (cfg.data_dir.empty())
      return true;
    std::promise<caf::expected<std::vector<storage::api_key_record>>> loaded;
    auto stored = loaded.get_future();
    if (!rt->run_on_store([&loaded](storage::store& db) {
          loaded.set_value(db.list_api_keys());
        }))
      return true;
    auto list = stored.get();
    if (!list) {
      why = "cannot read the API keys in " + cfg.data_dir + ": "
            + error_message(list.error());
      return false;
    }
    for (auto& k : *list) {
      if (k.budget_usd && !k.revoked)
        rt->set_key_budget(k.id, k.budget_usd);
      keys.put(std::move(k));
    }
    return true;
  }

  struct caller {
    bool ok = false;
    bool admin = false;
    std::string key_id;
    api_error error;
    header_list extra;
  };

  caller authenticate(const http::server_request& req) {
    caller c;
    if (!cfg.auth) {
      c.ok = true;
      c.admin = true;
      return c;
    }
    std::optional<std::string_view> secret;
    if (auto h = req.header("authorization")) {
      auto v = *h;
      if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer "))
        secret = v.substr(7);
    }
    if (!secret)
      if (auto h = req.header("x-api-key"))
        secret = *h;
    if (!secret && dashboard && dashboard->has_session(req)) {
      c.ok = true;
      c.admin = true;
      c.key_id = "dashboard";
      return c;
    }
    if (secret && cfg.admin_key_hash && hash_secret(*secret) == *cfg.admin_key_hash) {
      c.ok = true;
      c.admin = true;
      c.key_id = "admin";
      return c;
    }
    auto r = keys.check(secret, clock_type::now());
    switch (r.outcome) {
      case key_store::verdict::ok:
        c.ok = true;
        c.admin = r.key->admin;
        c.key_id = r.key->id;
        return c;
      case key_store::verdict::missing:
        c.error = {401, "invalid_request_error", "missing_api_key",
                   "You didn't provide an API key. Provide it in the "
                   "Authorization header (Bearer KEY) or in x-api-key."};
        return c;
      case key_store::verdict::unknown:
        c.error = {401, "invalid_request_error", "invalid_api_key",
                   "Incorrect API key provided."};
        return c;
      case key_store::verdict::revoked:
        c.error = {401, "invalid_request_error", "invalid_api_key",
                   "This API key has been revoked."};
        return c;
      case key_store::verdict::rate_limited: {
        auto secs = (r.retry_after.count() + 999) / 1000;
        c.error = {429, "rate_limit_error", "rate_limit_exceeded",
                   "Rate limit reached for this key (" +
                     std::to_string(r.key->requests_per_minute.value_or(0))
                     + " requests per minute). Retry after "
                     + std::to_string(secs) + " s."};
        c.extra.push_back({"retry-after", std::to_string(secs)});
        c.key_id = r.key->id;
        return c;
      }
    }
    return c;
  }

  // -- endpoints --------------------------------------------------------------

  void handle(const http::server_request& req,
              std::shared_ptr<http::response_writer> w) {
    auto started = clock_type::now();
    in_flight.fetch_add(1);
    ticket t{this};
    auto path = std::string{req.path()};
    auto method = std::string{req.method};
    auto finish = [this, t, started, method, path](int status,
                                                    std::uint64_t decision = 0,
                                                    std::string_view model = {},
                                                    std::string_view key = {}) {
      metrics->on_request(path, status);
      log_request(method, path, status,
                  std::chrono::duration<double, std::milli>(clock_type::now()
                                                            - started)
                    .count(),
                  decision, model, key);
      t.done();
    };
    bool anthropic = path == "/v1/messages";
    // HTTP/1.1 hygiene (RFC 9112 6.1, 6.3): a body framed two ways, or by a
    // transfer coding that does not end in chunked, is how requests get
    // smuggled past proxies. Refuse and close.
    if (auto te = req.header("transfer-encoding")) {
      auto v = *te;
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
      bool chunked_last = v.size() >= 7
                          && std::equal(v.end() - 7, v.end(), "chunked",
                                        [](char a, char b) {
                                          return std::tolower(
                                                   static_cast<unsigned char>(a))
                                                 == b;
                                        });
      if (!chunked_last || req.header("content-length")) {
        reply_error(w, {400, "invalid_request_error", "bad_framing",
                        "Transfer-Encoding must end in chunked and must not "
                        "come with Content-Length."},
                    anthropic, {{"connection", "close"}});
        return finish(400);
      }
    }
    if (draining.load()) {
      reply_error(w, {503, "api_error", "shutting_down",
                      "The server is shutting down; retry on another node."},
                  anthropic, {{"connection", "close"}});
      return finish(503);
    }
    if (path == "/healthz" && method == "GET") {
      w->respond(200, json_headers(), R"({"status":"ok"})");
      return finish(200);
    }
    if (path == "/readyz" && method == "GET") {
      w->respond(200, json_headers(), R"({"status":"ready"})");
      return finish(200);
    }
    if (path == "/metrics" && method == "GET") {
      rt->breaker_states([this, w, finish](std::vector<breaker_change> b) {
        rt->budget_summary([this, w, finish,
                            b = std::move(b)](ledger_summary s) {
          w->respond(200, {{"content-type", "text/plain; version=0.0.4"}},
                     metrics->render(runtime_gauges()
                                     + gateway_metrics::render_breakers_and_budgets(
                                       cfg.registry, b, s)));
          finish(200);
        });
      });
      return;
    }
    if (dashboard->serve_ui(req, w, [finish](int s) { finish(s); }))
      return;
    auto who = authenticate(req);
    if (!who.ok) {
      reply_error(w, who.error, anthropic, std::move(who.extra));
      return finish(who.error.status, 0, {}, who.key_id);
    }
    if (dashboard->serve_api(req, w, who.admin,
                             [finish, key = who.key_id](int s) {
                               finish(s, 0, {}, key);
                             }))
      return;
    if (path == "/v1/cluster" && method == "GET")
      return finish(serve_cluster_status(cfg, *w), 0, {}, who.key_id);
    if (path == "/v1/models" && method == "GET") {
      w->respond(200, json_headers(), models_body());
      return finish(200, 0, {}, who.key_id);
    }
    if (path == "/v1/chat/completions" || path == "/v1/messages") {
      if (method != "POST") {
        reply_error(w, {405, "invalid_request_error", "method_not_allowed",
                        "Use POST for " + path + "."},
                    anthropic);
        return finish(405);
      }
      return chat(req, std::move(w), anthropic, who, finish);
    }
    if (path == "/v1/route" && method == "POST")
      return route(req, std::move(w), who, finish);
    if (path == "/v1/feedback" && method == "POST")
      return feedback(req, std::move(w), who, finish);
    if (path == "/v1/keys" || path.rfind("/v1/keys/", 0) == 0)
      return manage_keys(req, std::move(w), who,
                         std::string_view{path}.substr(
                           std::min<std::size_t>(path.size(), 9)),
                         finish);
    if (path == "/v1/experiments" || path.rfind("/v1/experiments/", 0) == 0)
      return experiments(req, std::move(w), who,
                         std::string_view{path}.substr(15), finish);
    if (path.rfind("/v1/analytics/", 0) == 0 && method == "GET")
      return analytics(path.substr(14), std::move(w), who, finish);
    if (path.rfind("/v1/decisions/", 0) == 0 && method == "GET")
      return decision(path.substr(14), std::move(w), who, finish);
    reply_error(w, {404, "invalid_request_error", "unknown_url",
                    "Unknown request URL: " + method + " " + path + "."},
                anthropic);
    return finish(404, 0, {}, who.key_id);
  }

  template <class Finish>
  void chat(const http::server_request& req,
            std::shared_ptr<http::response_writer> w, bool anthropic,
            const caller& who, Finish finish) {
    header_lookup headers = [&req](std::string_view name) {
      return req.header(name);
    };
    auto parsed = anthropic
                    ? parse_anthropic_messages(req.body, headers, cfg.registry)
                    : parse_openai_chat(req.body, headers, cfg.registry);
    if (auto e = std::get_if<api_error>(&parsed)) {
      reply_error(w, *e, anthropic);
      return finish(e->status, 0, {}, who.key_id);
    }
    auto chat_req = std::move(std::get<chat_request>(parsed));
    chat_req.task.budget_key = who.key_id;
    auto started = clock_type::now();
    auto key_id = who.key_id;
    if (chat_req.stream)
      return stream_chat(std::move(chat_req), std::move(w), anthropic, started,
                         finish, key_id);
    rt->execute(std::move(chat_req.task), [this, w, anthropic, started, finish,
                                           key_id](task_reply r) {
      metrics->on_task(r, elapsed_us(started));
      dashboard->on_task(r);
      if (!r.ok())
        return fail_task(w, r, anthropic, finish, key_id);
      const auto& model = cfg.registry.models[r.model].id;
      header_list h{{"x-switchyard-decision-id", decision_ref(r.decision_id)},
                    {"x-switchyard-model", model},
                    {"x-switchyard-cost-usd", usd_text(r.cost_nanos)},
                    {"x-switchyard-task-type",
                     std::string{engine::to_string(r.decision.cls.type)}},
                    {"x-switchyard-complexity",
                     std::string{engine::to_string(r.decision.cls.tier)}},
                    {"x-switchyard-attempts", std::to_string(r.attempts.size())},
                    {"x-switchyard-retries", std::to_string(retries_of(r))},
                    {"x-switchyard-parallel", r.parallel ? "true" : "false"},
                    {"content-type", "application/json"}};
      w->respond(200, std::move(h),
                 anthropic ? anthropic_message_body(r, cfg.registry)
                           : openai_completion_body(r, cfg.registry,
                                                    unix_now()));
      finish(200, r.decision_id, model, key_id);
    });
  }

  static std::uint32_t retries_of(const task_reply& r) {
    std::uint32_t n = 0;
    for (const auto& a : r.attempts)
      n += a.retries;
    return n;
  }

  static double elapsed_us(clock_type::time_point since) {
    return std::chrono::duration<double, std::micro>(clock_type::now() - since)
      .count();
  }

  template <class Finish>
  void fail_task(const std::shared_ptr<http::response_writer>& w,
                 const task_reply& r, bool anthropic, const Finish& finish,
                 const std::string& key_id) {
    auto e = error_for(r);
    header_list extra;
    if (r.decision_id != 0)
      extra.push_back({"x-switchyard-decision-id", decision_ref(r.decision_id)});
    reply_error(w, e, anthropic, std::move(extra));
    finish(e.status, r.decision_id, {}, key_id);
  }

  /// One streamed response: opened by the first chunk (so that a failure
  /// before it can still fall back, or answer with a proper error status),
  /// closed by the task's reply. Chunks arrive on a client I/O thread, the
  /// reply on an actor thread, one after the other.
  struct stream_state {
    std::mutex mutex;
    std::optional<sse_encoder> encoder;
    std::uint32_t input_tokens = 0;
  };

  template <class Finish>
  void stream_chat(chat_request chat_req, std::shared_ptr<http::response_writer> w,
                   bool anthropic, clock_type::time_point started,
                   Finish finish, std::string key_id) {
    auto st = std::make_shared<stream_state>();
    bool include_usage = chat_req.include_usage;
    auto open = [this, w, anthropic, include_usage](
                  stream_state& s, std::uint64_t decision,
                  std::string_view model, std::uint32_t input_tokens) {
      s.encoder.emplace(anthropic ? sse_encoder::api::anthropic
                                  : sse_encoder::api::openai,
                        (anthropic ? "msg_" : "chatcmpl-")
                          + decision_ref(decision).substr(4),
                        std::string{model}, unix_now(), include_usage);
      w->begin(200, {{"content-type", "text/event-stream"},
                     {"cache-control", "no-cache"},
                     {"x-switchyard-decision-id", decision_ref(decision)},
                     {"x-switchyard-model", std::string{model}}});
      w->write(s.encoder->start(input_tokens));
    };
    rt->execute_streaming(
      std::move(chat_req.task),
      [w, st, open](const stream_event& ev) {
        std::lock_guard<std::mutex> guard{st->mutex};
        if (!st->encoder)
          open(*st, ev.decision_id, ev.model,
               ev.chunk.input_tokens.value_or(0));
        if (!ev.chunk.delta.empty())
          w->write(st->encoder->delta(ev.chunk.delta));
      },
      [this, w, st, open, anthropic, started, finish, key_id](task_reply r) {
        metrics->on_task(r, elapsed_us(started));
        dashboard->on_task(r);
        std::lock_guard<std::mutex> guard{st->mutex};
        if (!r.ok()) {
          if (!st->encoder)
            return fail_task(w, r, anthropic, finish, key_id);
          // Mid-stream: an error event, never a clean end.
          auto e = error_for(r);
          w->write(st->encoder->error(e.type, r.error_message));
          w->end();
          return finish(e.status, r.decision_id, {}, key_id);
        }
        const auto& model = cfg.registry.models[r.model].id;
        if (!st->encoder) {
          // An answer that came whole (an ensemble, or an empty one).
          open(*st, r.decision_id, model, r.input_tokens);
          if (!r.text.empty())
            w->write(st->encoder->delta(r.text));
        }
        w->write(st->encoder->finish(r.finish_reason, r.input_tokens,
                                     r.output_tokens));
        // The cost is known only now; headers are gone, so it travels as an
        // SSE comment that clients ignore.
        w->write(": x-switchyard-cost-usd " + usd_text(r.cost_nanos) + "\n\n");
        w->end();
        finish(200, r.decision_id, model, key_id);
      });
  }

  template <class Finish>
  void route(const http::server_request& req,
             std::shared_ptr<http::response_writer> w, const caller& who,
             Finish finish) {
    header_lookup headers = [&req](std::string_view name) {
      return req.header(name);
    };
    // /v1/route takes the chat-completions body; `model` defaults to auto.
    std::string body{req.body};
    auto parsed = parse_openai_chat(body, headers, cfg.registry);
    if (auto e = std::get_if<api_error>(&parsed)) {
      reply_error(w, *e, false);
      return finish(e->status, 0, {}, who.key_id);
    }
    auto task = std::move(std::get<chat_request>(parsed).task);
    task.budget_key = who.key_id;
    auto key_id = who.key_id;
    rt->route(std::move(task), [this, w, finish, key_id](route_result r) {
      if (!r.ok()) {
        task_reply as_reply;
        as_reply.error = r.error;
        as_reply.error_message = r.error_message;
        auto e = error_for(as_reply);
        reply_error(w, e, false);
        return finish(e.status, r.decision_id, {}, key_id);
      }
      std::string out;
      engine::json_writer jw{out};
      static const engine::keyword_classifier classifier;
      engine::write_decision_json(jw, r.decision, cfg.registry, classifier,
                                  decision_ref(r.decision_id));
      const auto& model = cfg.registry.models[r.decision.model].id;
      w->respond(200,
                 {{"content-type", "application/json"},
                  {"x-switchyard-decision-id", decision_ref(r.decision_id)},
                  {"x-switchyard-model", model}},
                 std::move(out));
      finish(200, r.decision_id, model, key_id);
    });
  }

  /// GET /v1/analytics/{performance,costs,recommendations} (admin): the
  /// reports of `switchyard analytics`, from the store.
  template <class Finish>
  void analytics(const std::string& report,
                 std::shared_ptr<http::response_writer> w, const caller& who,
                 Finish finish) {
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
    rt->analytics([this, w, finish, key_id, report](analytics_result r) {
      if (!r.ok()) {
        auto status = r.error == error_code::not_found ? 404 : 503;
        reply_error(w, {status, "api_error", "no_store", r.error_message},
                    false);
        return finish(status, 0, {}, key_id);
      }
      std::string out;
      engine::json_writer jw{out};
      if (report == "performance")
        engine::write_performance_json(jw, r.report.performance);
      else if (report == "costs")
        engine::write_costs_json(jw, r.report.costs);
      else
        engine::write_recommendations_json(jw, r.report.recommendations);
      w->respond(200, json_headers(), std::move(out));
      finish(200, 0, {}, key_id);
    });
  }

  /// GET /v1/decisions/{id}: the logged decision with its evidence.
  template <class Finish>
  void decision(const std::string& id_text,
                std::shared_ptr<http::response_writer> w, const caller& who,
                Finish finish) {
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
    rt->logged(*id, [this, w, finish, key_id, admin](logged_decision d) {
      // A client key sees only its own decisions.
      if (d.ok() && !admin && d.record.task.budget_key != key_id)
        d.error = error_code::not_found;
      if (!d.ok()) {
        auto status = d.error == error_code::not_found ? 404 : 503;
        reply_error(w, {status, status == 404 ? "invalid_request_error"
                                              : "api_error",
                        status == 404 ? "decision_not_found" : "no_store",
                        status == 404 ? "No such decision (or it is past the "
                                        "retention)."
                                      : d.error_message},
                    false);
        return finish(status, 0, {}, key_id);
      }
      static const engine::keyword_classifier classifier;
      w->respond(200, json_headers(),
                 actors::decision_record_json(d.record, d.feedback, d.registry,
                                              d.registry_logged, classifier));
      finish(200, d.record.decision_id, {}, key_id);
    });
  }

  template <class Finish>
  void feedback(const http::server_request& req,
                std::shared_ptr<http::response_writer> w, const caller& who,
                Finish finish) {
    simdjson::dom::parser parser;
    simdjson::padded_string input{req.body};
    simdjson::dom::element doc;
    auto bad = [&](std::string msg) {
      reply_error(w, {400, "invalid_request_error", "invalid_feedback",
                      std::move(msg)},
                  false);
      finish(400, 0, {}, who.key_id);
    };
    if (parser.parse(input).get(doc) != simdjson::SUCCESS || !doc.is_object())
      return bad("The body must be a JSON object.");
    std::string_view id_text;
    if (doc["decision_id"].get(id_text) != simdjson::SUCCESS)
      return bad("decision_id (from the x-switchyard-decision-id header) is "
                 "required");
    auto parsed_id = parse_decision_id(id_text);
    if (!parsed_id)
      return bad("decision_id must be the x-switchyard-decision-id value "
                 "(dec_ and 16 hex digits)");
    auto id = *parsed_id;
    engine::feedback_report f;
    std::string_view outcome;
    if (doc["outcome"].get(outcome) == simdjson::SUCCESS) {
      if (outcome == "success")
        f.outcome = engine::feedback_report::verdict::success;
      else if (outcome == "partial")
        f.outcome = engine::feedback_report::verdict::partial;
      else if (outcome == "failure")
        f.outcome = engine::feedback_report::verdict::failure;
      else
        return bad("outcome must be success, partial or failure");
    }
    double d;
    std::int64_t n;
    bool b;
    if (doc["quality"].get(d) == simdjson::SUCCESS) {
      if (d < 0 || d > 1)
        return bad("quality must be between 0 and 1");
      f.quality = d;
    }
    if (doc["rating"].get(n) == simdjson::SUCCESS) {
      if (n < 1 || n > 5)
        return bad("rating must be 1-5");
      f.rating = static_cast<int>(n);
    }
    if (doc["pr_merged"].get(b) == simdjson::SUCCESS)
      f.pr_merged = b;
    if (doc["pr_reverted"].get(b) == simdjson::SUCCESS)
      f.pr_reverted = b;
    if (!engine::score_feedback(f))
      return bad("say something: outcome, quality, rating, pr_merged or "
                 "pr_reverted");
    rt->feedback(id, f);
    w->respond(200, json_headers(), R"({"accepted":true})");
    finish(200, id, {}, who.key_id);
  }

  template <class Finish>
  bool require_admin(const std::shared_ptr<http::response_writer>& w,
                     const caller& who, std::string_view what,
                     const Finish& finish) {
    if (who.admin)
      return true;
    reply_error(w, {403, "permission_error", "admin_required",
                    std::string{what} + " needs the admin key."},
                false);
    finish(403, 0, {}, who.key_id);
    return false;
  }

  static void write_key_json(engine::json_writer& jw,
                             const api_key_record& k) {
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

  /// Stores `record` (synced) when the node has a store, then calls
  /// `done(stored)` -- on the storage thread, or at once without a store
  /// (keys then live as long as the process).
  void persist_key(storage::api_key_record record,
                   std::function<void(bool stored, bool durable)> done) {
    auto shared = std::make_shared<std::function<void(bool, bool)>>(
      std::move(done));
    bool queued = !cfg.data_dir.empty()
                  && rt->run_on_store([record, shared](storage::store& db) {
                       (*shared)(static_cast<bool>(db.put_api_key(record)), true);
                     });
    if (!queued)
      (*shared)(cfg.data_dir.empty(), false);
  }

  template <class Finish>
  void manage_keys(const http::server_request& req,
                   std::shared_ptr<http::response_writer> w, const caller& who,
                   std::string_view key_id, Finish finish) {
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
      reply_error(w, {500, "api_error", "storage_failure",
                      "The key could not be stored; nothing was changed."},
                  false);
      finish(500, 0, {}, who.key_id);
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
          rt->set_key_budget(k->record.id, k->record.budget_usd);
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

  /// GET /v1/experiments, POST /v1/experiments (admin),
  /// POST /v1/experiments/{id}/stop (admin).
  template <class Finish>
  void experiments(const http::server_request& req,
                   std::shared_ptr<http::response_writer> w, const caller& who,
                   std::string_view rest, Finish finish) {
    auto answer = [this, w, finish, who](int ok_status) {
      return [this, w, finish, who, ok_status](experiment_reply r) {
        if (!r.ok()) {
          int status = r.error == error_code::not_found ? 404
                       : r.error == error_code::invalid_argument
                         ? 400
                         : 500;
          reply_error(w, {status,
                          status == 500 ? "api_error" : "invalid_request_error",
                          std::string{to_string(r.error)}, r.error_message},
                      false);
          return finish(status, 0, {}, who.key_id);
        }
        std::string out = R"({"object":"list","data":)";
        out += actors::experiment_reports_json(r.experiments);
        out += '}';
        w->respond(ok_status, json_headers(), std::move(out));
        finish(ok_status, 0, {}, who.key_id);
      };
    };
    if (rest.empty() && req.method == "GET")
      return rt->experiments(answer(200));
    if (rest.empty() && req.method == "POST") {
      if (!require_admin(w, who, "Starting an experiment", finish))
        return;
      auto parsed = parse_experiment_request(
        req.body, cfg.registry, static_cast<std::uint64_t>(unix_now()));
      if (auto e = std::get_if<api_error>(&parsed)) {
        reply_error(w, *e, false);
        return finish(e->status, 0, {}, who.key_id);
      }
      return rt->start_experiment(
        std::move(std::get<engine::experiment_spec>(parsed)), answer(201));
    }
    constexpr std::string_view stop_suffix = "/stop";
    if (rest.size() > stop_suffix.size() + 1 && rest.front() == '/'
        && rest.substr(rest.size() - stop_suffix.size()) == stop_suffix
        && req.method == "POST") {
      if (!require_admin(w, who, "Stopping an experiment", finish))
        return;
      auto id = rest.substr(1, rest.size() - 1 - stop_suffix.size());
      return rt->stop_experiment(std::string{id}, answer(200));
    }
    reply_error(w, {405, "invalid_request_error", "method_not_allowed",
                    "Use GET or POST for /v1/experiments and POST for "
                    "/v1/experiments/{id}/stop."},
                false);
    finish(405, 0, {}, who.key_id);
  }

  std::string models_body() const {
    std::string out;
    engine::json_writer w{out};
    w.begin_object().field("object", "list").key("data").begin_array();
    w.begin_object().field("id", "auto").field("object", "model");
    w.field("created", 0).field("owned_by", "switchyard").end_object();
    for (const auto& m : cfg.registry.models) {
      if (!m.enabled)
        continue;
      w.begin_object();
      w.field("id", std::string_view{m.id});
      w.field("object", "model");
      w.field("created", 0);
      w.field("owned_by", std::string_view{m.provider});
      w.end_object();
    }
    w.end_array().end_object();
    return out;
  }

  std::string runtime_gauges() const {
    auto s = rt->stats();
    std::string out;
    out += "# HELP switchyard_tasks_in_flight Tasks submitted and not yet "
           "answered.\n# TYPE switchyard_tasks_in_flight gauge\n"
           "switchyard_tasks_in_flight "
           + std::to_string(s.in_flight) + "\n";
    out += "# HELP switchyard_tasks_total Tasks by result.\n"
           "# TYPE switchyard_tasks_total counter\n"
           "switchyard_tasks_total{result=\"succeeded\"} "
           + std::to_string(s.succeeded) + "\nswitchyard_tasks_total{result="
             "\"failed\"} "
           + std::to_string(s.failed) + "\n";
    if (cfg.cluster_metrics)
      out += cfg.cluster_metrics();
    return out;
  }
};

gateway_server::gateway_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

gateway_server::~gateway_server() {
  drain_and_stop(std::chrono::seconds{5});
}

std::unique_ptr<gateway_server> gateway_server::start(gateway_config cfg,
                                                      std::string& why) {
  auto p = std::make_unique<impl>();
  p->cfg = std::move(cfg);
  auto env = p->cfg.env;
  if (!env)
    env = [](std::string_view name) -> std::optional<std::string> {
      if (auto v = std::getenv(std::string{name}.c_str()))
        return std::string{v};
      return std::nullopt;
    };
  using actor_threads = gateway_config::actor_threads;
  if (p->cfg.io_threads == 0)
    p->cfg.io_threads
      = p->cfg.actors_on == actor_threads::io
          ? std::max<std::size_t>(1, std::thread::hardware_concurrency())
          : 1;
  if (p->cfg.actors_on == actor_threads::io) {
    p->loop = http::io_loop::start(p->cfg.io_threads, why);
    if (!p->loop)
      return nullptr;
  }
  http::client_config cc;
  cc.io_threads = 1;
  cc.loop = p->loop;
  // Each provider's executor already caps its calls at max_concurrency; a
  // lower per-origin pool (64 by default) queued streams behind each other
  // when providers share an origin or allow more (bench gateway --stream).
  for (const auto& provider : p->cfg.registry.providers)
    cc.max_connections_per_origin += provider.max_concurrency;
  p->client = http::http_client::make(cc, why);
  if (!p->client)
    return nullptr;
  // Provider clients first: a bad base_url is a start-up error.
  std::vector<engine::provider_client_ptr> clients;
  for (const auto& provider : p->cfg.registry.providers) {
    auto c = providers::make_provider_client(provider, p->cfg.registry,
                                             *p->client, env);
    if (!c) {
      why = error_message(c.error());
      return nullptr;
    }
    clients.push_back(*c);
  }
  runtime_config rc;
  rc.registry = p->cfg.registry;
  rc.worker_threads = p->cfg.runtime_threads;
  rc.scheduler = p->cfg.actors_on == actor_threads::sharing
                   ? scheduler_policy::work_sharing
                   : scheduler_policy::work_stealing;
  if (p->loop)
    rc.post_actor_job = [loop = p->loop.get()](std::function<void()> job) {
      loop->post(std::move(job));
    };
  if (p->cfg.poll_attempts)
    rc.poll_attempts = *p->cfg.poll_attempts;
  rc.global_budget_usd = p->cfg.global_budget_usd;
  rc.daily_budget_usd = p->cfg.daily_budget_usd;
  rc.per_key_budget_usd = p->cfg.per_key_budget_usd;
  rc.data_dir = p->cfg.data_dir;
  rc.extension = p->cfg.extension;
  rc.make_client = [clients, &reg = p->cfg.registry](
                     const engine::provider_spec& spec) {
    auto i = reg.provider_index(spec.id);
    return i ? clients[*i] : nullptr;
  };
  p->rt = runtime::start(std::move(rc), &why);
  if (!p->rt)
    return nullptr;
  if (!p->load_keys(why))
    return nullptr;
  p->metrics = std::make_unique<gateway_metrics>(p->cfg.registry);
  p->dashboard = std::make_unique<dashboard_routes>(p->cfg, *p->rt, p->keys);
  http::server_config sc;
  sc.host = p->cfg.host;
  sc.port = p->cfg.port;
  sc.io_threads = p->cfg.io_threads;
  sc.loop = p->loop;
  sc.max_body_bytes = p->cfg.max_body_bytes;
  sc.max_header_bytes = p->cfg.max_header_bytes;
  sc.request_timeout = p->cfg.request_timeout;
  sc.max_connections = p->cfg.max_connections;
  auto* raw = p.get();
  p->server = http::http_server::make(
    sc,
    [raw](const http::server_request& req,
          std::shared_ptr<http::response_writer> w) {
      raw->handle(req, std::move(w));
    },
    why);
  if (!p->server)
    return nullptr;
  return std::unique_ptr<gateway_server>{new gateway_server(std::move(p))};
}

std::uint16_t gateway_server::port() const noexcept {
  return impl_->server->port();
}

key_store& gateway_server::keys() noexcept {
  return impl_->keys;
}

void gateway_server::drain_and_stop(std::chrono::milliseconds deadline) {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.draining.store(true);
  {
    std::unique_lock<std::mutex> guard{p.drain_mutex};
    p.drained.wait_for(guard, deadline, [&] { return p.in_flight.load() == 0; });
  }
  p.stopped = true;
  p.dashboard->stop();
  p.rt->shutdown(deadline);
  if (p.loop)
    p.loop->stop();
  p.server->stop();
}

} // namespace switchyard::gateway
