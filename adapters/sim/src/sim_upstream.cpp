#include "switchyard/sim/sim_upstream.hpp"

#include "issued_ids.hpp"
#include "model_catalog.hpp"
#include "model_listings.hpp"
#include "request_log.hpp"
#include "sim_replies.hpp"
#include "sim_stats.hpp"
#include "switchyard/http/http_server.hpp"
#include "switchyard/sim/request_plan.hpp"

#include <algorithm>
#include <charconv>

namespace switchyard::sim {

namespace {

using detail::model_counters;
using engine::provider_kind;
using http::response_writer;
using std::chrono::microseconds;

/// Tool-call ids remembered for checking tool results: an agent loop
/// answers recent calls, and this bounds the memory to a few MB.
constexpr std::size_t remembered_ids = 65'536;

/// `GET /sim/requests` returns this many requests unless told otherwise.
constexpr std::size_t default_request_limit = 20;

/// The admin endpoint: `GET` and `POST` here, `DELETE` here + `/M`.
constexpr std::string_view admin_models_path = "/sim/models";

/// A stream being written: its pieces and where it has got to.
struct stream_run {
  std::shared_ptr<response_writer> writer;
  std::vector<std::string> pieces;
  /// Pieces before the first token (they go out with it), and tokens.
  std::size_t head = 0;
  std::size_t tokens = 0;
  std::size_t next = 0;
  /// Stop here and reset (a truncated stream); `pieces.size()` otherwise.
  std::size_t stop_at = 0;
  bool reset_at_stop = false;
  microseconds per_token{0};

  /// When piece `i` is due, from the first token on. The tail goes with
  /// the last token.
  [[nodiscard]] microseconds due(std::size_t i) const noexcept {
    if (i <= head || tokens == 0)
      return microseconds{0};
    auto k = std::min(i - head, tokens - 1);
    return per_token * static_cast<std::int64_t>(k);
  }
};

/// Pieces due within this window of each other go in one write, so a fast
/// model does not cost a timer per token.
constexpr microseconds batch_window{5'000};

void continue_stream(const std::shared_ptr<stream_run>& run) {
  if (run->writer->closed())
    return;
  auto now = run->due(run->next);
  std::string batch;
  while (run->next < run->stop_at && run->due(run->next) <= now + batch_window)
    batch += run->pieces[run->next++];
  if (!batch.empty())
    run->writer->write(std::move(batch));
  if (run->next >= run->stop_at) {
    if (run->reset_at_stop)
      run->writer->reset();
    else
      run->writer->end();
    return;
  }
  run->writer->after(run->due(run->next) - now, [run] {
    continue_stream(run);
  });
}

} // namespace

class sim_upstream::impl {
 public:
  impl(sim_config cfg, sim_options opts)
      : cfg_(std::move(cfg)),
        opts_(std::move(opts)),
        models_(cfg_),
        ids_(remembered_ids),
        log_(opts_.recorded_requests, opts_.recorded_bytes) {
    if (opts_.seed)
      cfg_.seed = *opts_.seed;
  }

  bool start(std::string& why) {
    http::server_config sc;
    sc.host = opts_.host;
    sc.port = opts_.port;
    sc.io_threads = opts_.io_threads;
    sc.max_body_bytes = opts_.max_body_bytes;
    server_ = http::http_server::make(
      sc,
      [this](const http::server_request& req,
             std::shared_ptr<response_writer> w) {
        handle(req, std::move(w));
      },
      why);
    return server_ != nullptr;
  }

  void stop() {
    if (server_)
      server_->stop();
  }

  std::uint16_t port() const noexcept {
    return server_ ? server_->port() : 0;
  }

  std::string stats_json() const {
    return stats_.to_json(cfg_.seed, models_);
  }

 private:
  void handle(const http::server_request& req,
              std::shared_ptr<response_writer> w) {
    auto path = req.path();
    if (req.method == "GET") {
      if (path == "/sim/stats")
        return w->respond(200, {{"Content-Type", "application/json"}},
                          stats_json());
      if (path == "/sim/requests")
        return recorded_requests(req.query(), *w);
      if (path == "/healthz")
        return w->respond(200, {{"Content-Type", "text/plain"}}, "ok\n");
      if (path == admin_models_path)
        return w->respond(200, {{"Content-Type", "application/json"}},
                          detail::models_json(models_));
      if (detail::listing_kind listing; detail::listing_route(path, listing)) {
        // Instant and fault-free: a listing is the cheap question a health
        // probe asks, and its answer is what the test set up.
        ++stats_.listings;
        return w->respond(200, {{"Content-Type", "application/json"}},
                          detail::listing_body(listing,
                                               models_.listed_names()));
      }
    }
    if (req.method == "POST" && path == admin_models_path)
      return list_model(req.body, *w);
    if (req.method == "DELETE" && path.starts_with(admin_models_path)
        && path.size() > admin_models_path.size() + 1
        && path[admin_models_path.size()] == '/')
      return unlist_model(path.substr(admin_models_path.size() + 1), *w);
    provider_kind kind;
    if (req.method != "POST" || !detail::route(path, kind)) {
      ++stats_.not_found;
      return w->respond(404, {{"Content-Type", "text/plain"}},
                        "sim-upstream: no route for " + std::string{req.method}
                          + " " + std::string{path} + "\n");
    }
    ++stats_.requests;
    ++stats_.format_requests[static_cast<std::size_t>(kind)];
    detail::parsed_request parsed;
    std::string why;
    if (!detail::parse_request(kind, path, req.body, parsed, why)) {
      ++stats_.bad_request;
      return w->respond(400, {{"Content-Type", "application/json"}},
                        detail::error_body(kind, 400, why));
    }
    log_.add(kind, parsed.model, path, req.body,
             req.header("traceparent").value_or(std::string_view{}));
    stats_.format_images[static_cast<std::size_t>(kind)].add(parsed.images);
    auto* entry = models_.find(parsed.model);
    if (entry == nullptr || !entry->listed.load()) {
      // An unlisted model is one this server does not have: the same 404
      // as Ollama's and LM Studio's for a model not pulled or loaded.
      ++(entry == nullptr ? stats_.unknown_model : stats_.unlisted_model);
      return w->respond(404, {{"Content-Type", "application/json"}},
                        detail::error_body(kind, 404,
                                           "The model `" + parsed.model
                                             + "` does not exist or you do "
                                               "not have access to it."));
    }
    const auto& profile = entry->profile;
    auto* counters = &entry->counters;
    counters->images.add(parsed.images);
    counters->tool_results += parsed.tool_results.size();
    // Refused before anything is drawn: the model's request count, and so
    // every later plan, stays as it would be without this request.
    detail::refusal refused;
    if (!detail::check_tool_choice(parsed, refused)
        || !detail::check_tool_results(parsed, ids_, refused)) {
      ++stats_.bad_request;
      if (!parsed.tool_results.empty() && refused.param != "tool_choice")
        ++counters->refused_tool_results;
      return w->respond(400, {{"Content-Type", "application/json"}},
                        detail::error_body(kind, 400, refused.message,
                                           refused.param));
    }
    auto n = counters->next.fetch_add(1);
    auto plan = plan_request(profile, cfg_.time_scale, cfg_.seed,
                             parsed.model, n, parsed.max_tokens);
    ++counters->outcomes[static_cast<std::size_t>(plan.fault)];
    // A client that leaves before the answer has ended (a gateway whose own
    // client went away) is counted: tests read it in /sim/stats.
    w->on_abandon([this] { ++stats_.abandoned; });
    auto act = [this, w, plan, parsed = std::move(parsed), n, counters,
                retry_after = profile.retry_after_s]() mutable {
      execute(w, plan, parsed, n, *counters, retry_after);
    };
    if (plan.latency.count() > 0)
      w->after(plan.latency, std::move(act));
    else
      act();
  }

  /// `GET /sim/requests?model=M&format=F&limit=N`.
  void recorded_requests(std::string_view query, response_writer& w) {
    auto text = [&w](std::string message) {
      w.respond(400, {{"Content-Type", "text/plain"}},
                "sim-upstream: " + std::move(message) + "\n");
    };
    auto model = detail::query_param(query, "model").value_or("");
    std::optional<provider_kind> kind;
    if (auto f = detail::query_param(query, "format"); f && !f->empty()) {
      auto k = engine::parse_provider_kind(*f);
      if (!k)
        return text("format must be one of openai, anthropic, gemini, "
                    "cohere, ollama; got '"
                    + *f + "'");
      kind = *k;
    }
    std::size_t limit = default_request_limit;
    if (auto l = detail::query_param(query, "limit")) {
      auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
      if (ec != std::errc{} || end != l->data() + l->size())
        return text("limit must be a whole number; got '" + *l + "'");
    }
    w.respond(200, {{"Content-Type", "application/json"}},
              log_.to_json(model, kind, limit));
  }

  /// `POST /sim/models` with `{"name": M}`: lists M from now on, with its
  /// config's settings or, for a model the config lacks, the defaults.
  void list_model(std::string_view body, response_writer& w) {
    std::string name;
    std::string why;
    if (!detail::read_model_to_list(body, name, why))
      return w.respond(400, {{"Content-Type", "application/json"}},
                       detail::admin_error("sim-upstream: " + why));
    w.respond(200, {{"Content-Type", "application/json"}},
              detail::model_change_json(name, models_.list(name)));
  }

  /// `DELETE /sim/models/M` (M percent-decoded, so `a%2Fb` is `a/b`; a
  /// raw `/` in M works too): M is no longer listed nor answered.
  void unlist_model(std::string_view encoded, response_writer& w) {
    auto name = detail::path_decoded(encoded);
    auto change = models_.unlist(name);
    if (change.entry == nullptr)
      return w.respond(404, {{"Content-Type", "application/json"}},
                       detail::admin_error("sim-upstream: no model '" + name
                                           + "' (neither configured nor "
                                             "added by POST /sim/models)"));
    w.respond(200, {{"Content-Type", "application/json"}},
              detail::model_change_json(name, change));
  }

  void execute(const std::shared_ptr<response_writer>& w,
               const request_plan& plan, const detail::parsed_request& parsed,
               std::uint64_t n, model_counters& counters,
               std::uint32_t retry_after) {
    auto kind = parsed.kind;
    http::header_list json_type{{"Content-Type", "application/json"}};
    switch (plan.fault) {
      case fault::http_500:
        return w->respond(500, json_type,
                          detail::error_body(kind, 500,
                                             "The server had an error while "
                                             "processing your request "
                                             "(simulated)."));
      case fault::http_503:
      case fault::http_429: {
        int status = plan.fault == fault::http_429 ? 429 : 503;
        auto headers = json_type;
        headers.push_back({"Retry-After", std::to_string(retry_after)});
        return w->respond(status, std::move(headers),
                          detail::error_body(kind, status,
                                             status == 429
                                               ? "Rate limit reached "
                                                 "(simulated)."
                                               : "The service is overloaded "
                                                 "(simulated)."));
      }
      case fault::hang:
        // Hold the writer (and so the connection) without answering.
        return w->after(std::chrono::milliseconds{cfg_.hang_ms}, [w] {
          w->reset();
        });
      case fault::reset: return w->reset();
      default: break;
    }
    auto r = detail::compose_reply(parsed, plan, n);
    for (const auto& c : r.calls)
      ids_.add(c.id);
    if (!r.calls.empty())
      ++counters.tool_calls;
    else if (parsed.form == detail::answer_form::json)
      ++counters.json_answers;
    if (parsed.stream)
      return start_stream(w, plan, r);
    auto body = detail::reply_body(r);
    auto generation = plan.ttft + plan.per_token * plan.output_tokens;
    auto send = [w, body = std::move(body), f = plan.fault]() mutable {
      if (f == fault::truncate) {
        // Promise the whole body, send half, then drop the connection.
        auto half = body.substr(0, body.size() / 2);
        w->begin(200, {{"Content-Type", "application/json"},
                       {"Content-Length", std::to_string(body.size())}});
        w->write(std::move(half));
        w->reset();
        return;
      }
      if (f == fault::malformed)
        body.resize(body.size() / 2);
      w->respond(200, {{"Content-Type", "application/json"}}, std::move(body));
    };
    if (generation.count() > 0)
      w->after(generation, std::move(send));
    else
      send();
  }

  void start_stream(const std::shared_ptr<response_writer>& w,
                    const request_plan& plan, const detail::reply& r) {
    auto script = detail::reply_stream(r);
    auto run = std::make_shared<stream_run>();
    run->writer = w;
    run->per_token = plan.per_token;
    run->head = script.head.size();
    run->tokens = script.tokens.size();
    for (auto* part : {&script.head, &script.tokens, &script.tail})
      for (auto& piece : *part)
        run->pieces.push_back(std::move(piece));
    run->stop_at = run->pieces.size();
    if (plan.fault == fault::truncate) {
      run->stop_at = run->pieces.size() / 2;
      run->reset_at_stop = true;
    } else if (plan.fault == fault::malformed) {
      run->pieces[run->pieces.size() / 2] = detail::broken_event(r.kind);
    }
    w->begin(200, {{"Content-Type", std::string{stream_content_type(r.kind)}},
                   {"Cache-Control", "no-cache"}});
    if (plan.ttft.count() > 0)
      w->after(plan.ttft, [run] {
        continue_stream(run);
      });
    else
      continue_stream(run);
  }

  static std::string_view stream_content_type(provider_kind kind) {
    return detail::stream_content_type(kind);
  }

  sim_config cfg_;
  sim_options opts_;
  detail::sim_stats stats_;
  detail::model_catalog models_;
  detail::issued_ids ids_;
  detail::request_log log_;
  /// Last: stopped and destroyed first, while the state above is alive.
  std::unique_ptr<http::http_server> server_;
};

std::unique_ptr<sim_upstream>
sim_upstream::make(sim_config cfg, sim_options opts, std::string& why) {
  auto p = std::make_unique<impl>(std::move(cfg), std::move(opts));
  if (!p->start(why))
    return nullptr;
  return std::unique_ptr<sim_upstream>{new sim_upstream{std::move(p)}};
}

sim_upstream::sim_upstream(std::unique_ptr<impl> p) noexcept
    : impl_(std::move(p)) {}

sim_upstream::~sim_upstream() {
  stop();
}

std::uint16_t sim_upstream::port() const noexcept {
  return impl_->port();
}

std::string sim_upstream::stats_json() const {
  return impl_->stats_json();
}

void sim_upstream::stop() {
  impl_->stop();
}

} // namespace switchyard::sim
