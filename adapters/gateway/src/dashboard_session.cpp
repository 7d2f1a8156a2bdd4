// The dashboard's login, its sessions (a cookie: a browser cannot send an
// Authorization header when it navigates) and the embedded /ui files.

#include "dashboard_impl.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/gateway/ui_assets.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::gateway {

using namespace dashboard_detail;

bool dashboard_routes::impl::valid_session(std::string_view token) const {
  auto hash = hash_secret(token);
  std::lock_guard<std::mutex> guard{session_mutex};
  auto i = sessions.find(hash);
  return i != sessions.end() && i->second > clock_type::now();
}

std::string dashboard_routes::impl::open_session() {
  auto token = random_token();
  auto now = clock_type::now();
  std::lock_guard<std::mutex> guard{session_mutex};
  std::erase_if(sessions, [now](const auto& s) {
    return s.second <= now;
  });
  if (sessions.size() >= opts.max_sessions) {
    auto oldest = std::min_element(sessions.begin(), sessions.end(),
                                   [](const auto& a, const auto& b) {
                                     return a.second < b.second;
                                   });
    sessions.erase(oldest);
  }
  sessions[hash_secret(token)] = now + opts.session_lifetime;
  return token;
}

void dashboard_routes::impl::close_session(std::string_view token) {
  auto hash = hash_secret(token);
  std::lock_guard<std::mutex> guard{session_mutex};
  sessions.erase(hash);
}

std::optional<std::string_view>
dashboard_routes::impl::session_token(const http::server_request& req) const {
  auto h = req.header("cookie");
  if (!h)
    return std::nullopt;
  return cookie_value(*h, session_cookie);
}

bool dashboard_routes::impl::logged_in(const http::server_request& req) const {
  if (!cfg.auth)
    return true;
  auto token = session_token(req);
  return token && !token->empty() && valid_session(*token);
}

void dashboard_routes::impl::error(
  const std::shared_ptr<http::response_writer>& w, const finish_fn& finish,
  const api_error& e) {
  w->respond(e.status, json_headers(), openai_error_body(e));
  finish(e.status);
}

api_error dashboard_routes::impl::admin_required() {
  return {403, "permission_error", "admin_required",
          "The dashboard's data covers every key: it needs the admin key."};
}

void dashboard_routes::impl::login_page(
  const std::shared_ptr<http::response_writer>& w, const finish_fn& finish,
  int status, std::string_view message) {
  std::string body;
  for (const auto& a : ui_assets())
    if (a.path == "/ui/login")
      body = std::string{a.body};
  // The page shows what the server says in a slot it marks; the message
  // is one of ours, never user input.
  auto slot = body.find("<!--message-->");
  if (slot != std::string::npos)
    body.replace(slot, 14, std::string{message});
  auto h = page_headers("text/html; charset=utf-8");
  h.push_back({"cache-control", "no-store"});
  w->respond(status, std::move(h), std::move(body));
  finish(status);
}

bool dashboard_routes::impl::serve_ui(
  const http::server_request& req,
  const std::shared_ptr<http::response_writer>& w, const finish_fn& finish) {
  auto path = req.path();
  if (path != "/ui" && path.rfind("/ui/", 0) != 0)
    return false;
  if (path == "/ui/login" && req.method == "POST")
    return login(req, w, finish), true;
  if (path == "/ui/logout" && req.method == "POST") {
    if (auto t = session_token(req))
      close_session(*t);
    w->respond(303,
               {{"location", "/ui/login"},
                {"set-cookie", std::string{session_cookie}
                                 + "=; Path=/; HttpOnly; SameSite=Strict; "
                                   "Max-Age=0"}},
               "");
    finish(303);
    return true;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    error(w, finish,
          {405, "invalid_request_error", "method_not_allowed",
           "The dashboard's pages are read with GET."});
    return true;
  }
  if (path == "/ui/login")
    return login_page(w, finish, 200, ""), true;
  auto wanted = path == "/ui" ? std::string_view{"/ui/"} : path;
  if (!logged_in(req)) {
    if (wanted == "/ui/")
      login_page(w, finish, 401,
                 "<p class=\"note\">Sign in with the admin key.</p>");
    else
      error(w, finish,
            {401, "invalid_request_error", "login_required",
             "Sign in at /ui/login with the admin key first."});
    return true;
  }
  for (const auto& a : ui_assets()) {
    if (a.path != wanted)
      continue;
    auto h = page_headers(with_charset(a.content_type));
    h.push_back({"etag", std::string{a.etag}});
    // Revalidate every time: a 304 costs a round trip, never stale code
    // after an upgrade.
    h.push_back({"cache-control", "no-cache"});
    auto match = req.header("if-none-match");
    if (match && *match == a.etag) {
      w->respond(304, std::move(h), "");
      finish(304);
    } else {
      w->respond(200, std::move(h), std::string{a.body});
      finish(200);
    }
    return true;
  }
  error(w, finish,
        {404, "invalid_request_error", "unknown_url",
         "The dashboard has no " + std::string{path} + "."});
  return true;
}

void dashboard_routes::impl::login(
  const http::server_request& req,
  const std::shared_ptr<http::response_writer>& w, const finish_fn& finish) {
  if (!cfg.auth)
    return redirect_with_session(w, finish);
  if (!cfg.admin_key_hash)
    return login_page(w, finish, 403,
                      "<p class=\"error\">This node has no admin key "
                      "configured, so the dashboard is off.</p>");
  auto key = form_value(req.body, "key");
  // Compared as hashes, like the API does; the key is never logged.
  if (!key || key->empty() || hash_secret(*key) != *cfg.admin_key_hash)
    return login_page(w, finish, 401,
                      "<p class=\"error\">That is not the admin key.</p>");
  redirect_with_session(w, finish);
}

void dashboard_routes::impl::redirect_with_session(
  const std::shared_ptr<http::response_writer>& w, const finish_fn& finish) {
  auto token = open_session();
  w->respond(
    303,
    {{"location", "/ui/"},
     {"cache-control", "no-store"},
     {"set-cookie", std::string{session_cookie} + "=" + token
                      + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                      + std::to_string(opts.session_lifetime.count())}},
    "");
  finish(303);
}

} // namespace switchyard::gateway
