// Client endpoints besides the chat APIs: GET /v1/models, POST /v1/route
// (a decision without a call) and POST /v1/feedback.

#include "gateway_impl.hpp"

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include <simdjson.h>

namespace switchyard::gateway {

void gateway_server::impl::route(const http::server_request& req,
                                 writer_ptr w, const caller& who,
                                 const request_end& finish) {
  header_lookup headers = [&req](std::string_view name) {
    return req.header(name);
  };
  // /v1/route takes the chat-completions body; `model` defaults to auto.
  auto parsed = parse_openai_chat(req.body, headers, cfg.registry);
  if (auto e = std::get_if<api_error>(&parsed)) {
    reply_error(w, *e, false);
    return finish(e->status, 0, {}, who.key_id);
  }
  auto& chat_req = std::get<chat_request>(parsed);
  sticky->apply(chat_req);
  auto task = std::move(chat_req.task);
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
    engine::plan_summary plan{r.plan, r.steps, r.plan_dropped};
    engine::write_decision_json(jw, r.decision, cfg.registry, classifier,
                                decision_ref(r.decision_id), &plan);
    const auto& model = cfg.registry.models[r.decision.model].id;
    w->respond(200,
               {{"content-type", "application/json"},
                {"x-switchyard-decision-id", decision_ref(r.decision_id)},
                {"x-switchyard-model", model},
                {"x-switchyard-plan", std::string{engine::to_string(r.plan)}}},
               std::move(out));
    finish(200, r.decision_id, model, key_id);
  });
}

void gateway_server::impl::feedback(const http::server_request& req,
                                    writer_ptr w, const caller& who,
                                    const request_end& finish) {
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
  // Acknowledged only once stored (the WAL synced, with a data dir): a
  // write that did not happen is never answered 200. A client key may only
  // give feedback on its own decisions: another key's decision is answered
  // exactly like an unknown one, so that one tenant can neither poison the
  // learning that routes everyone's traffic nor probe for ids.
  auto owner = who.admin ? std::string{} : who.key_id;
  rt->feedback(id, f, std::move(owner),
               [this, w, finish, id, key = who.key_id](error_code result) {
    if (result == error_code::not_found) {
      reply_error(w,
                  {404, "invalid_request_error", "decision_not_found",
                   "No such decision (or it is past the retention)."},
                  false);
      return finish(404, id, {}, key);
    }
    if (result != error_code::none) {
      reply_error(w,
                  {503, "api_error", "feedback_not_stored",
                   "The feedback could not be stored; retry."},
                  false);
      return finish(503, id, {}, key);
    }
    // Without a data dir it is applied in memory only.
    w->respond(200, json_headers(),
               cfg.data_dir.empty() ? R"({"accepted":true,"stored":false})"
                                    : R"({"accepted":true,"stored":true})");
    finish(200, id, {}, key);
  });
}

bool gateway_server::impl::any_model_routable() const {
  auto snap = rt->admin().availability();
  const auto& models = cfg.registry.models;
  for (std::size_t m = 0; m < models.size(); ++m)
    if (models[m].enabled && (m >= snap.models.size() || snap.models[m] == 0))
      return true;
  return false;
}

std::string gateway_server::impl::models_body() const {
  // Only what can be routed now: a model whose provider has no key, or
  // that its local server does not serve, is left out.
  auto snap = rt->admin().availability();
  std::string out;
  engine::json_writer w{out};
  w.begin_object().field("object", "list").key("data").begin_array();
  w.begin_object().field("id", "auto").field("object", "model");
  w.field("created", 0).field("owned_by", "switchyard").end_object();
  for (std::size_t i = 0; i < cfg.registry.models.size(); ++i) {
    const auto& m = cfg.registry.models[i];
    if (!m.enabled || (i < snap.models.size() && snap.models[i] != 0))
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

} // namespace switchyard::gateway
