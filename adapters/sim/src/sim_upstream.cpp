#include "switchyard/sim/sim_upstream.hpp"

#include "sim_replies.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/http/http_server.hpp"
#include "switchyard/sim/request_plan.hpp"

#include <algorithm>
#include <atomic>
#include <map>

namespace switchyard::sim {

namespace {

using engine::provider_kind;
using http::response_writer;
using std::chrono::microseconds;

/// Counters of one model; the map holding them never changes after start,
/// so lookups need no lock.
struct model_counters {
  /// Numbers requests for `plan_request`.
  std::atomic<std::uint64_t> next{0};
  std::array<std::atomic<std::uint64_t>, fault_count> outcomes{};
};

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
      : cfg_(std::move(cfg)), opts_(std::move(opts)) {
    if (opts_.seed)
      cfg_.seed = *opts_.seed;
    for (const auto& [name, profile] : cfg_.models)
      counters_.emplace(name, std::make_unique<model_counters>());
  }

  bool start(std::string& why) {
    http::server_config sc;
    sc.host = opts_.host;
    sc.port = opts_.port;
    sc.io_threads = opts_.io_threads;
    sc.max_body_bytes = 16u << 20;
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
    std::string out;
    engine::json_writer w{out};
    w.begin_object();
    w.field("seed", cfg_.seed);
    w.field("requests", requests_.load());
    w.field("unknown_model", unknown_model_.load());
    w.field("bad_request", bad_request_.load());
    w.field("not_found", not_found_.load());
    w.key("formats").begin_object();
    for (std::size_t i = 0; i < format_requests_.size(); ++i)
      w.field(engine::provider_kind_names[i], format_requests_[i].load());
    w.end_object();
    w.key("faults").begin_object();
    for (std::size_t f = 0; f < fault_count; ++f) {
      std::uint64_t total = 0;
      for (const auto& [name, c] : counters_)
        total += c->outcomes[f].load();
      w.field(f == 0 ? std::string_view{"ok"} : fault_names[f], total);
    }
    w.end_object();
    w.key("models").begin_object();
    for (const auto& [name, c] : counters_) {
      auto n = c->next.load();
      if (n == 0)
        continue;
      w.key(name).begin_object();
      w.field("requests", n);
      for (std::size_t f = 0; f < fault_count; ++f)
        w.field(f == 0 ? std::string_view{"ok"} : fault_names[f],
                c->outcomes[f].load());
      w.end_object();
    }
    w.end_object();
    w.end_object();
    return out;
  }

 private:
  void handle(const http::server_request& req,
              std::shared_ptr<response_writer> w) {
    auto path = req.path();
    if (req.method == "GET") {
      if (path == "/sim/stats")
        return w->respond(200, {{"Content-Type", "application/json"}},
                          stats_json());
      if (path == "/healthz")
        return w->respond(200, {{"Content-Type", "text/plain"}}, "ok\n");
    }
    provider_kind kind;
    if (req.method != "POST" || !detail::route(path, kind)) {
      ++not_found_;
      return w->respond(404, {{"Content-Type", "text/plain"}},
                        "sim-upstream: no route for " + std::string{req.method}
                          + " " + std::string{path} + "\n");
    }
    ++requests_;
    ++format_requests_[static_cast<std::size_t>(kind)];
    detail::parsed_request parsed;
    std::string why;
    if (!detail::parse_request(kind, path, req.body, parsed, why)) {
      ++bad_request_;
      return w->respond(400, {{"Content-Type", "application/json"}},
                        detail::error_body(kind, 400, why));
    }
    auto profile = cfg_.models.find(parsed.model);
    if (profile == cfg_.models.end()) {
      ++unknown_model_;
      return w->respond(404, {{"Content-Type", "application/json"}},
                        detail::error_body(kind, 404,
                                           "The model `" + parsed.model
                                             + "` does not exist or you do "
                                               "not have access to it."));
    }
    auto& counters = *counters_.at(parsed.model);
    auto n = counters.next.fetch_add(1);
    auto plan = plan_request(profile->second, cfg_.time_scale, cfg_.seed,
                             parsed.model, n, parsed.max_tokens);
    ++counters.outcomes[static_cast<std::size_t>(plan.fault)];
    auto act = [this, w, plan, parsed = std::move(parsed), n,
                retry_after = profile->second.retry_after_s]() mutable {
      execute(w, plan, std::move(parsed), n, retry_after);
    };
    if (plan.latency.count() > 0)
      w->after(plan.latency, std::move(act));
    else
      act();
  }

  void execute(const std::shared_ptr<response_writer>& w,
               const request_plan& plan, detail::parsed_request parsed,
               std::uint64_t n, std::uint32_t retry_after) {
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
    detail::reply r;
    r.kind = kind;
    r.model = std::move(parsed.model);
    r.n = n;
    r.input_tokens = parsed.input_tokens;
    r.words = detail::make_words(plan.text_seed, plan.output_tokens);
    r.hit_limit = plan.hit_limit;
    r.include_usage = parsed.include_usage;
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
  std::map<std::string, std::unique_ptr<model_counters>, std::less<>> counters_;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> unknown_model_{0};
  std::atomic<std::uint64_t> bad_request_{0};
  std::atomic<std::uint64_t> not_found_{0};
  std::array<std::atomic<std::uint64_t>, 5> format_requests_{};
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
