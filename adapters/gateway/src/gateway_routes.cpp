// The route table: which handler serves a request, after the checks every
// request gets (framing, draining, authentication).

#include "gateway_impl.hpp"

#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"
#include "switchyard/gateway/cluster_routes.hpp"

#include <algorithm>
#include <cctype>

namespace switchyard::gateway {

namespace {

/// RFC 9112 6.1, 6.3: a body framed two ways, or by a transfer coding that
/// does not end in chunked, is how requests get smuggled past proxies.
bool badly_framed(const http::server_request& req) {
  auto te = req.header("transfer-encoding");
  if (!te)
    return false;
  auto v = *te;
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  bool chunked_last
    = v.size() >= 7
      && std::equal(v.end() - 7, v.end(), "chunked", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
  return !chunked_last || req.header("content-length").has_value();
}

std::optional<api_format> chat_api(std::string_view path) {
  if (path == "/v1/chat/completions")
    return api_format::chat_completions;
  if (path == "/v1/messages")
    return api_format::messages;
  if (path == "/v1/responses")
    return api_format::responses;
  return std::nullopt;
}

} // namespace

void gateway_server::impl::handle(const http::server_request& req,
                                  writer_ptr w) {
  in_flight.fetch_add(1);
  request_end finish{this, clock_type::now(), std::string{req.method},
                     std::string{req.path()}};
  start_trace(req, finish);
  const auto& path = finish.path;
  const auto& method = finish.method;
  bool anthropic = path == "/v1/messages";
  if (badly_framed(req)) {
    reply_error(w,
                {400, "invalid_request_error", "bad_framing",
                 "Transfer-Encoding must end in chunked and must not "
                 "come with Content-Length."},
                anthropic, {{"connection", "close"}});
    return finish(400);
  }
  if (draining.load()) {
    reply_error(w,
                {503, "api_error", "shutting_down",
                 "The server is shutting down; retry on another node."},
                anthropic, {{"connection", "close"}});
    return finish(503);
  }
  if (path == "/healthz" && method == "GET") {
    w->respond(200, json_headers(), R"({"status":"ok"})");
    return finish(200);
  }
  if (path == "/readyz" && method == "GET") {
    // Not ready until the first discovery round has said what local servers
    // serve, nor while no model can be routed at all.
    if (!rt->admin().discovery_done()) {
      w->respond(503, json_headers(),
                 R"({"status":"starting","reason":"discovering providers"})");
      return finish(503);
    }
    if (!any_model_routable()) {
      w->respond(503, json_headers(),
                 R"({"status":"unavailable","reason":"no provider is usable: )"
                 R"(see GET /v1/providers"})");
      return finish(503);
    }
    // Ready even while the store fails (requests are still answered; the
    // decision log drops and feedback answers 503): the detail says why.
    w->respond(200, json_headers(), readiness_body());
    return finish(200);
  }
  if (path == "/metrics" && method == "GET")
    return serve_metrics(std::move(w), finish);
  if (dashboard->serve_ui(req, w, [finish](int s) {
        finish(s);
      }))
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
  if (auto api = chat_api(path)) {
    if (method != "POST") {
      reply_error(w,
                  {405, "invalid_request_error", "method_not_allowed",
                   "Use POST for " + path + "."},
                  anthropic);
      return finish(405);
    }
    return chat(req, std::move(w), *api, who, finish);
  }
  if (path == "/v1/route" && method == "POST")
    return route(req, std::move(w), who, finish);
  if (path == "/v1/feedback" && method == "POST")
    return feedback(req, std::move(w), who, finish);
  if (path == "/v1/keys" || path.rfind("/v1/keys/", 0) == 0)
    return manage_keys(
      req, std::move(w), who,
      std::string_view{path}.substr(std::min<std::size_t>(path.size(), 9)),
      finish);
  if (path == "/v1/experiments" || path.rfind("/v1/experiments/", 0) == 0)
    return experiments(req, std::move(w), who,
                       std::string_view{path}.substr(15), finish);
  if (path.rfind("/v1/analytics/", 0) == 0 && method == "GET")
    return analytics(path.substr(14), std::move(w), who, finish);
  if (path.rfind("/v1/decisions/", 0) == 0 && method == "GET")
    return decision(path.substr(14), std::move(w), who, finish);
  reply_error(w,
              {404, "invalid_request_error", "unknown_url",
               "Unknown request URL: " + method + " " + path + "."},
              anthropic);
  finish(404, 0, {}, who.key_id);
}

} // namespace switchyard::gateway
