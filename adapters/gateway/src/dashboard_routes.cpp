#include "switchyard/gateway/dashboard_routes.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/ui_assets.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/runtime.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace switchyard::gateway {

namespace {

using clock_type = std::chrono::steady_clock;
using http::header_list;

constexpr std::string_view session_cookie = "switchyard_session";

std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

double usd(std::int64_t nanos) {
  return engine::nanos_to_usd(nanos);
}

header_list json_headers() {
  return {{"content-type", "application/json"}, {"cache-control", "no-store"}};
}

/// What every dashboard page is served with: no framing, no sniffing, no
/// script or style from anywhere else, no referrer leaving the node.
header_list page_headers(std::string_view content_type) {
  return {{"content-type", std::string{content_type}},
          {"x-content-type-options", "nosniff"},
          {"x-frame-options", "DENY"},
          {"referrer-policy", "no-referrer"},
          {"content-security-policy",
           "default-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"}};
}

std::string with_charset(std::string_view type) {
  std::string out{type};
  if (type.rfind("text/", 0) == 0)
    out += "; charset=utf-8";
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// application/x-www-form-urlencoded and query-string decoding.
std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0
               && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// The value of `name` in a query string or form body.
std::optional<std::string> form_value(std::string_view form,
                                      std::string_view name) {
  while (!form.empty()) {
    auto amp = form.find('&');
    auto pair = form.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return url_decode(eq == std::string_view::npos ? std::string_view{}
                                                     : pair.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    form.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string_view> cookie_value(std::string_view header,
                                             std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return part.substr(eq + 1);
    if (semi == std::string_view::npos)
      break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string random_token() {
  std::random_device rd;
  std::string out;
  static constexpr char digits[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    auto v = rd();
    for (int j = 0; j < 8; ++j) {
      out += digits[v & 0xf];
      v >>= 4;
    }
  }
  return out; // 256 bits from the OS's entropy source
}

std::string_view phase_name(breaker_phase p) {
  static constexpr std::array<std::string_view, 3> names{"closed", "open",
                                                         "half_open"};
  return names[static_cast<std::size_t>(p)];
}

std::optional<std::uint64_t> query_number(std::string_view query,
                                          std::string_view name) {
  auto v = form_value(query, name);
  if (!v)
    return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || end != v->data() + v->size())
    return std::nullopt;
  return n;
}

/// A decision cursor: dec_... or a plain number.
std::optional<std::uint64_t> query_decision(std::string_view query,
                                            std::string_view name) {
  auto v = form_value(query, name);
  if (!v)
    return std::uint64_t{0};
  if (auto id = parse_decision_id(*v))
    return *id;
  return query_number(query, name);
}

/// One sample of the learned state: cells with any samples.
struct learned_sample {
  std::int64_t unix_ms = 0;
  struct cell {
    std::uint16_t model = 0;
    engine::task_type type = engine::task_type::general;
    engine::model_performance perf;
  };
  std::vector<cell> cells;
};

/// Calls seen per provider since the process started.
struct provider_calls {
  std::uint64_t calls = 0;
  std::uint64_t failed = 0;
  /// Failed calls after which the task went on to another model.
  std::uint64_t fell_back = 0;
  std::uint64_t breaker_refusals = 0;
  /// Retries on the same model inside attempts.
  std::uint64_t retries = 0;
  std::map<std::string_view, std::uint64_t> errors;
};

} // namespace

class dashboard_routes::impl {
public:
  impl(const gateway_config& c, runtime& r, const key_store& k,
       dashboard_options o)
    : cfg(c), rt(r), keys(k), opts(o) {
    calls.resize(cfg.registry.providers.size());
  }

  const gateway_config& cfg;
  runtime& rt;
  const key_store& keys;
  dashboard_options opts;

  // -- sessions ---------------------------------------------------------------

  mutable std::mutex session_mutex;
  /// Hash of the session token -> when it expires. Only hashes are kept,
  /// so a memory dump holds no usable cookie.
  std::map<std::string, clock_type::time_point> sessions;

  bool valid_session(std::string_view token) const {
    auto hash = hash_secret(token);
    std::lock_guard<std::mutex> guard{session_mutex};
    auto i = sessions.find(hash);
    return i != sessions.end() && i->second > clock_type::now();
  }

  std::string open_session() {
    auto token = random_token();
    auto now = clock_type::now();
    std::lock_guard<std::mutex> guard{session_mutex};
    std::erase_if(sessions, [now](const auto& s) { return s.second <= now; });
    if (sessions.size() >= opts.max_sessions) {
      auto oldest = std::min_element(
        sessions.begin(), sessions.end(),
        [](const auto& a, const auto& b) { return a.second < b.second; });
      sessions.erase(oldest);
    }
    sessions[hash_secret(token)] = now + opts.session_lifetime;
    return token;
  }

  void close_session(std::string_view token) {
    auto hash = hash_secret(token);
    std::lock_guard<std::mutex> guard{session_mutex};
    sessions.erase(hash);
  }

  std::optional<std::string_view>
  session_token(const http::server_request& req) const {
    auto h = req.header("cookie");
    if (!h)
      return std::nullopt;
    return cookie_value(*h, session_cookie);
  }

  bool logged_in(const http::server_request& req) const {
    if (!cfg.auth)
      return true;
    auto token = session_token(req);
    return token && !token->empty() && valid_session(*token);
  }

  // -- learned weights over time ----------------------------------------------

  std::mutex learned_mutex;
  std::condition_variable learned_wake;
  bool stopping = false;
  std::deque<learned_sample> learned;
  std::thread sampler;

  /// Into the store's ring of samples (a slot per interval, wrapping at
  /// learned_samples), so that a restarted node shows its history.
  void save(const learned_sample& s) {
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
    rt.save_learned_sample(
      std::move(rec), static_cast<std::uint64_t>(s.unix_ms / interval)
                        % std::max<std::size_t>(opts.learned_samples, 1));
  }

  /// The stored samples go before those this process took.
  void restore(std::vector<storage::learned_sample_record> stored) {
    std::deque<learned_sample> older;
    for (auto& rec : stored) {
      learned_sample s;
      s.unix_ms = rec.unix_ms;
      for (const auto& c : rec.cells) {
        auto m = std::find_if(
          cfg.registry.models.begin(), cfg.registry.models.end(),
          [&](const auto& spec) { return spec.id == c.model; });
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

  void sample_loop() {
    rt.learned_samples([this](std::vector<storage::learned_sample_record> s) {
      restore(std::move(s));
    });
    std::unique_lock<std::mutex> guard{learned_mutex};
    while (!stopping) {
      guard.unlock();
      rt.learned([this](engine::performance_table t) {
        learned_sample s;
        s.unix_ms = unix_now_ms();
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
      learned_wake.wait_for(guard, opts.learned_interval,
                            [this] { return stopping; });
    }
  }

  // -- provider calls ---------------------------------------------------------

  std::mutex calls_mutex;
  std::vector<provider_calls> calls;

  // -- responses --------------------------------------------------------------

  static void error(const std::shared_ptr<http::response_writer>& w,
                    const finish_fn& finish, const api_error& e) {
    w->respond(e.status, json_headers(), openai_error_body(e));
    finish(e.status);
  }

  static api_error admin_required() {
    return {403, "permission_error", "admin_required",
            "The dashboard's data covers every key: it needs the admin key."};
  }

  void login_page(const std::shared_ptr<http::response_writer>& w,
                  const finish_fn& finish, int status,
                  std::string_view message) {
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

  // -- /ui --------------------------------------------------------------------

  bool serve_ui(const http::server_request& req,
                const std::shared_ptr<http::response_writer>& w,
                const finish_fn& finish) {
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

  void login(const http::server_request& req,
             const std::shared_ptr<http::response_writer>& w,
             const finish_fn& finish) {
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

  void redirect_with_session(const std::shared_ptr<http::response_writer>& w,
                             const finish_fn& finish) {
    auto token = open_session();
    w->respond(303,
               {{"location", "/ui/"},
                {"cache-control", "no-store"},
                {"set-cookie",
                 std::string{session_cookie} + "=" + token
                   + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                   + std::to_string(opts.session_lifetime.count())}},
               "");
    finish(303);
  }

  // -- the API ----------------------------------------------------------------

  bool serve_api(const http::server_request& req,
                 const std::shared_ptr<http::response_writer>& w, bool admin,
                 const finish_fn& finish) {
    auto path = req.path();
    auto get = req.method == "GET";
    if (path == "/v1/providers" && get)
      return providers(w, finish), true;
    bool ours = (path == "/v1/decisions" && get)
                || (path.rfind("/v1/decisions/", 0) == 0
                    && path.size() > 7 && path.ends_with("/replay")
                    && req.method == "POST")
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

  /// GET /v1/decisions?limit=N&before=ID&after=ID
  void decisions(std::string_view query,
                 const std::shared_ptr<http::response_writer>& w,
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
    rt.decisions(*before, *after, limit.value_or(50),
                 [w, finish](decision_list r) {
                   if (!r.ok())
                     return error(w, finish,
                                  {r.error == error_code::not_found ? 404 : 503,
                                   "api_error", "no_store", r.error_message});
                   std::string out;
                   engine::json_writer jw{out};
                   jw.begin_object().field("object", "list");
                   jw.key("data").begin_array();
                   for (const auto& s : r.page.rows) {
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
                   jw.field("has_more", r.page.more);
                   jw.field("records_read", r.page.records_read);
                   jw.key("next_before");
                   if (r.page.more && !r.page.rows.empty())
                     jw.value(decision_ref(r.page.rows.back().decision_id));
                   else
                     jw.null();
                   jw.end_object();
                   w->respond(200, json_headers(), std::move(out));
                   finish(200);
                 });
  }

  /// POST /v1/decisions/{id}/replay
  void replay(std::string_view id_text,
              const std::shared_ptr<http::response_writer>& w,
              const finish_fn& finish) {
    auto id = parse_decision_id(id_text);
    if (!id)
      return error(w, finish,
                   {400, "invalid_request_error", "invalid_decision_id",
                    "A decision id is dec_ and 16 hex digits."});
    rt.replay(*id, [w, finish, id = *id](replay_result r) {
      if (!r.ok()) {
        auto status = r.error == error_code::not_found ? 404 : 503;
        return error(w, finish,
                     {status, "invalid_request_error",
                      status == 404 ? "decision_not_found" : "no_store",
                      r.error_message});
      }
      std::string out;
      engine::json_writer jw{out};
      jw.begin_object();
      jw.field("decision_id", decision_ref(id));
      jw.field("identical", r.report.identical());
      jw.field("rounds", static_cast<std::uint64_t>(r.report.rounds.size()));
      jw.field("config_differs", r.report.config_differs());
      bool recorded = std::all_of(r.report.rounds.begin(),
                                  r.report.rounds.end(),
                                  [](const auto& x) { return x.inputs_recorded; });
      jw.field("inputs_recorded", recorded);
      jw.key("first_difference");
      const auto* d = r.report.first_divergence();
      if (d == nullptr) {
        jw.null();
      } else {
        jw.begin_object();
        jw.field("round", static_cast<std::uint64_t>(
                            d - r.report.rounds.data() + 1));
        jw.field("path", std::string_view{d->difference->path});
        jw.field("logged", std::string_view{d->difference->logged});
        jw.field("recomputed", std::string_view{d->difference->recomputed});
        jw.end_object();
      }
      jw.end_object();
      w->respond(200, json_headers(), std::move(out));
      finish(200);
    });
  }

  /// GET /v1/analytics/spend?bucket=minute|hour|day
  void spend(std::string_view query,
             const std::shared_ptr<http::response_writer>& w,
             const finish_fn& finish) {
    auto bucket = form_value(query, "bucket").value_or("minute");
    spend_query q;
    q.until_unix_ms = unix_now_ms();
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
    rt.spend(q, [this, w, finish, today, bucket](spend_result window) {
      if (!window.ok())
        return error(w, finish,
                     {window.error == error_code::not_found ? 404 : 503,
                      "api_error", "no_store", window.error_message});
      rt.spend(today, [this, w, finish, bucket,
                       window = std::move(window)](spend_result day) {
        // A ledger round trip on the storage thread, which may block.
        auto ledger = rt.budget_summary();
        ledger_summary l;
        if (ledger.wait_for(std::chrono::seconds{2})
            == std::future_status::ready)
          l = ledger.get();
        w->respond(200, json_headers(), spend_json(bucket, window, day, l));
        finish(200);
      });
    });
  }

  std::string spend_json(std::string_view bucket, const spend_result& r,
                         const spend_result& today,
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

  /// GET /v1/analytics/learned?since=UNIX_MS
  void learned_series(std::string_view query,
                      const std::shared_ptr<http::response_writer>& w,
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

  /// GET /v1/providers: breaker states, their recent transitions and the
  /// calls seen per provider.
  void providers(const std::shared_ptr<http::response_writer>& w,
                 const finish_fn& finish) {
    rt.breaker_states([this, w, finish](std::vector<breaker_change> states) {
      auto history = rt.breaker_history();
      auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      clock_type::now().time_since_epoch())
                      .count();
      const auto& providers = cfg.registry.providers;
      std::string out;
      engine::json_writer jw{out};
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
          jw.value(std::max<std::int64_t>(0, (c.reopens_at_ns - now_ns)
                                               / 1'000'000));
        else
          jw.null();
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

  void on_task(const task_reply& r) {
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
        ++n.errors[engine::call_error_names[static_cast<std::size_t>(
          a.error)]];
        if (!r.parallel && i + 1 < r.attempts.size())
          ++n.fell_back;
      }
    }
  }
};

dashboard_routes::dashboard_routes(const gateway_config& cfg, runtime& rt,
                                   const key_store& keys,
                                   dashboard_options opts)
  : impl_(std::make_unique<impl>(cfg, rt, keys, opts)) {
  impl_->sampler = std::thread{[p = impl_.get()] { p->sample_loop(); }};
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

bool dashboard_routes::serve_api(const http::server_request& req,
                                 const std::shared_ptr<http::response_writer>& w,
                                 bool admin, const finish_fn& finish) {
  return impl_->serve_api(req, w, admin, finish);
}

void dashboard_routes::on_task(const task_reply& r) {
  impl_->on_task(r);
}

} // namespace switchyard::gateway
