#include "switchyard/telemetry/span_exporter.hpp"

#include "otlp_span_writer.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/http/url.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/otlp_json.hpp"
#include "switchyard/telemetry/otlp_response.hpp"
#include "switchyard/telemetry/span_batches.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace switchyard::telemetry {

namespace {

using clock_type = std::chrono::steady_clock;

/// A thread's encoding buffer is given back past this size (a span with
/// captured content can be large; most need under 4 KB of room).
constexpr std::size_t max_kept_scratch = 64 * 1024;

std::string otlp_head(const resource& res) {
  std::string out;
  append_otlp_json_head(out, res);
  return out;
}

std::string otlp_tail() {
  std::string out;
  append_otlp_json_tail(out);
  return out;
}

caf::error invalid_argument(std::string msg) {
  return caf::make_error(error_code::invalid_argument, std::move(msg));
}

} // namespace

// -- impl ---------------------------------------------------------------------

class span_exporter::impl {
public:
  impl(exporter_settings settings, http::url target)
    : settings_(std::move(settings)),
      target_(std::move(target)),
      batches_(settings_.queue_capacity, settings_.max_batch,
               otlp_head(settings_.resource), otlp_tail()) {
    headers_ = settings_.headers;
    headers_.push_back(http::header{"Content-Type", "application/json"});
  }

  ~impl() {
    shutdown();
  }

  /// Starts the client and the thread; false with `why` when the client
  /// cannot start.
  bool start(std::string& why) {
    http::client_config cfg;
    cfg.io_threads = 1;
    cfg.max_connections_per_origin = 1; // one export in flight at a time
    cfg.connect_timeout = settings_.export_timeout;
    cfg.first_byte_timeout = settings_.export_timeout;
    cfg.total_timeout = settings_.export_timeout;
    cfg.max_body_bytes = 1u << 20; // a collector's answer is small
    cfg.user_agent = "switchyard/" + std::string{library_version()}
                     + " (OTLP/HTTP JSON exporter)";
    http_ = http::http_client::make(std::move(cfg), why);
    if (!http_)
      return false;
    thread_ = std::thread{[this] { run(); }};
    return true;
  }

  /// Encodes `s` on the calling thread, then queues the text. The span is
  /// still in this thread's cache, and its strings are freed by the thread
  /// that allocated them; a span object handed to the export thread was
  /// cold by the time it was encoded there, and freed across threads.
  void record(const span& s) {
    record_written([&s](detail::text_buffer& buf) {
      buf.grow_to(detail::write_otlp_span(
        buf.room(detail::otlp_span_bound(s)), s));
      return buf.text();
    });
  }

  /// Writes `a`'s client span on the calling thread, then queues the text.
  void record_upstream(const upstream_attempt& a) {
    record_written([&a](detail::text_buffer& buf) {
      return detail::write_upstream_span(buf, a);
    });
  }

  /// Writes `r`'s server span on the calling thread, then queues the text.
  void record_server(const server_request& r) {
    record_written([&r](detail::text_buffer& buf) {
      return detail::write_server_span(buf, r);
    });
  }

  /// Queues the text `write` puts into this thread's buffer (a raw one: a
  /// string would be zero-filled to the bound first).
  template <class Write>
  void record_written(const Write& write) {
    // Full or stopping: drop before spending the encoding (re-checked
    // under the lock).
    if (refusing_.load(std::memory_order_relaxed)) {
      drop_refused();
      return;
    }
    thread_local detail::text_buffer buf;
    buf.clear();
    queue_text(write(buf));
    // A span with captured content can be large: its room is not kept.
    buf.trim(max_kept_scratch);
  }

  /// Appends one span's text to the queue, or drops and counts it.
  void queue_text(std::string_view text) {
    std::unique_lock lk{mu_};
    auto in_batch = stopping_ ? 0 : batches_.push(text);
    if (in_batch == 0) {
      lk.unlock();
      drop_refused();
    } else {
      ++accepted_;
      refusing_.store(batches_.full(), std::memory_order_relaxed);
      lk.unlock();
      recorded_.fetch_add(1, std::memory_order_relaxed);
      // Wake the thread only when a batch is complete: a wake-up per span
      // would cost a system call on the request path.
      if (in_batch == settings_.max_batch)
        wake_.notify_one();
    }
  }

  bool flush(std::chrono::milliseconds timeout) {
    std::unique_lock lk{mu_};
    auto target = accepted_;
    if (settled_ >= target)
      return true;
    flush_target_ = std::max(flush_target_, target);
    wake_.notify_one();
    return progress_.wait_for(lk, timeout,
                              [&] { return settled_ >= target; });
  }

  void shutdown() {
    {
      std::lock_guard lk{mu_};
      if (!stopping_) {
        stopping_ = true;
        refusing_.store(true, std::memory_order_relaxed);
        shutdown_deadline_ = clock_type::now() + settings_.shutdown_timeout;
      }
    }
    wake_.notify_all();
    std::lock_guard join_lk{join_mu_};
    if (thread_.joinable())
      thread_.join();
  }

  exporter_stats stats() const {
    exporter_stats st;
    st.recorded_spans = recorded_.load(std::memory_order_relaxed);
    st.exported_spans = exported_.load(std::memory_order_relaxed);
    st.dropped_spans = dropped_.load(std::memory_order_relaxed);
    st.queue_full_spans = queue_full_.load(std::memory_order_relaxed);
    st.failed_exports = failed_.load(std::memory_order_relaxed);
    std::lock_guard lk{mu_};
    st.queued_spans = batches_.size();
    st.last_failure = last_failure_;
    return st;
  }

  const exporter_settings& settings() const noexcept {
    return settings_;
  }

private:
  /// Whether the thread should send a batch now (under `mu_`).
  bool batch_due() const noexcept {
    return stopping_ || batches_.ready()
           || (flush_target_ > settled_ && !batches_.empty());
  }

  void run() {
    std::string batch;
    std::unique_lock lk{mu_};
    auto next_flush = clock_type::now() + settings_.flush_interval;
    for (;;) {
      wake_.wait_until(lk, next_flush, [this] { return batch_due(); });
      if (batches_.empty()) {
        if (stopping_)
          return;
        next_flush = clock_type::now() + settings_.flush_interval;
        continue;
      }
      if (stopping_ && clock_type::now() >= shutdown_deadline_) {
        drop_queued();
        return;
      }
      auto n = batches_.take(batch);
      refusing_.store(stopping_, std::memory_order_relaxed);
      lk.unlock();
      // The request takes a copy: `batch`'s buffer goes back to the queue
      // at the next `take`, so that batches are written into memory that
      // is already mapped (see span_batches).
      std::string body;
      body.reserve(batch.size() + batches_.tail().size());
      body.append(batch).append(batches_.tail());
      batch.clear();
      auto response = post(std::move(body));
      lk.lock();
      account(response, n);
      settled_ += n;
      progress_.notify_all();
      next_flush = clock_type::now() + settings_.flush_interval;
    }
  }


  /// A span `record` refused: the queue was full, or shutdown began.
  void drop_refused() noexcept {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    queue_full_.fetch_add(1, std::memory_order_relaxed);
  }

  /// Spans left at the shutdown deadline (under `mu_`).
  void drop_queued() {
    auto n = batches_.clear();
    dropped_.fetch_add(n, std::memory_order_relaxed);
    settled_ += n;
    progress_.notify_all();
  }

  /// Sends one export and waits for its end: the request's own timeouts
  /// bound the wait, and after shutdown began, the shutdown deadline.
  http::client_response post(std::string body) {
    http::client_request req;
    req.method = "POST";
    req.target = target_.path.empty() ? "/" : target_.path;
    req.headers = headers_;
    req.body = std::move(body);
    http::request_options opts;
    opts.total_timeout = settings_.export_timeout;
    http::response_callbacks cb;
    cb.on_done = [this](http::client_response r) {
      std::lock_guard lk{mu_};
      response_ = std::move(r);
      response_ready_ = true;
      wake_.notify_all();
    };
    auto handle = http_->send(target_.origin, std::move(req), opts,
                              std::move(cb));
    std::unique_lock lk{mu_};
    bool cancelled = false;
    while (!response_ready_) {
      if (stopping_ && !cancelled) {
        if (wake_.wait_until(lk, shutdown_deadline_,
                             [this] { return response_ready_; }))
          break;
        // Out of time: give up on it; on_done still comes, as cancelled.
        lk.unlock();
        handle.cancel();
        lk.lock();
        cancelled = true;
      } else {
        wake_.wait(lk);
      }
    }
    response_ready_ = false;
    return std::move(response_);
  }

  /// Counts the outcome of a batch of `n` spans (under `mu_`).
  void account(const http::client_response& r, std::size_t n) {
    if (r.ok() && r.status >= 200 && r.status < 300) {
      auto rejected = std::min<std::uint64_t>(rejected_spans(r.body), n);
      exported_.fetch_add(n - rejected, std::memory_order_relaxed);
      if (rejected > 0) {
        dropped_.fetch_add(rejected, std::memory_order_relaxed);
        last_failure_ = "POST " + settings_.endpoint + ": the collector "
                        + "rejected " + std::to_string(rejected) + " of "
                        + std::to_string(n) + " spans";
      }
      return;
    }
    failed_.fetch_add(1, std::memory_order_relaxed);
    dropped_.fetch_add(n, std::memory_order_relaxed);
    // The transport's error and the status only: never a header, never the
    // body (a collector may echo what it was sent).
    last_failure_ = "POST " + settings_.endpoint + ": ";
    if (!r.ok()) {
      last_failure_ += http::to_string(r.error);
      if (!r.error_detail.empty())
        last_failure_ += ": " + r.error_detail;
    } else {
      last_failure_ += "HTTP " + std::to_string(r.status);
    }
  }

  exporter_settings settings_;
  http::url target_;
  http::header_list headers_;

  mutable std::mutex mu_;
  /// The export thread waits here: a batch due, a flush, shutdown, or the
  /// answer to its request.
  std::condition_variable wake_;
  /// `flush` waits here for `settled_`.
  std::condition_variable progress_;
  span_batches batches_;
  /// `batches_` is full or the exporter stopped: `record` drops without
  /// encoding. Written under `mu_`.
  std::atomic<bool> refusing_{false};
  /// Spans accepted into the queue, ever.
  std::uint64_t accepted_ = 0;
  /// Spans that left the exporter (exported or dropped after leaving the
  /// queue); the queue is FIFO, so every span accepted before the
  /// `settled_`-th one has settled too.
  std::uint64_t settled_ = 0;
  /// Export without waiting for the interval until `settled_` reaches it.
  std::uint64_t flush_target_ = 0;
  bool stopping_ = false;
  clock_type::time_point shutdown_deadline_{};
  bool response_ready_ = false;
  http::client_response response_;
  std::string last_failure_;

  std::atomic<std::uint64_t> recorded_{0};
  std::atomic<std::uint64_t> exported_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> queue_full_{0};
  std::atomic<std::uint64_t> failed_{0};

  std::mutex join_mu_;
  std::thread thread_;
  /// Last: destroyed first, while the lock its callbacks take still exists.
  std::unique_ptr<http::http_client> http_;
};

// -- span_exporter ------------------------------------------------------------

caf::expected<std::unique_ptr<span_exporter>>
span_exporter::make(exporter_settings settings) {
  if (!settings.enabled())
    return invalid_argument("telemetry: no OTLP endpoint is set; check "
                            "exporter_settings::enabled() before making an "
                            "exporter");
  if (settings.queue_capacity == 0 || settings.max_batch == 0
      || settings.max_batch > settings.queue_capacity)
    return invalid_argument("telemetry: max_batch must be between 1 and "
                            "queue_capacity");
  if (settings.flush_interval.count() <= 0
      || settings.export_timeout.count() <= 0
      || settings.shutdown_timeout.count() < 0)
    return invalid_argument("telemetry: flush_interval and export_timeout "
                            "must be positive, shutdown_timeout not "
                            "negative");
  std::string why;
  auto target = http::parse_url(settings.endpoint, why);
  if (!target)
    return caf::make_error(error_code::invalid_config,
                           "telemetry: the OTLP endpoint is not usable: the "
                           "URL " + why);
  auto p = std::make_unique<impl>(std::move(settings), std::move(*target));
  if (!p->start(why))
    return caf::make_error(error_code::io_failure,
                           "telemetry: cannot start the OTLP exporter's HTTP "
                           "client: " + why);
  return std::unique_ptr<span_exporter>{new span_exporter{std::move(p)}};
}

span_exporter::span_exporter(std::unique_ptr<impl> p) noexcept
  : impl_(std::move(p)) {
}

span_exporter::~span_exporter() = default;

void span_exporter::record(span s) {
  impl_->record(s);
}

void span_exporter::record_upstream(const upstream_attempt& a) {
  impl_->record_upstream(a);
}

void span_exporter::record_server(const server_request& r) {
  impl_->record_server(r);
}

bool span_exporter::flush(std::chrono::milliseconds timeout) {
  return impl_->flush(timeout);
}

void span_exporter::shutdown() {
  impl_->shutdown();
}

exporter_stats span_exporter::stats() const {
  return impl_->stats();
}

const exporter_settings& span_exporter::settings() const noexcept {
  return impl_->settings();
}

} // namespace switchyard::telemetry
