// The load generator's HTTP client: the one Beast translation unit of
// `bench gateway`.
#include "load_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>

namespace switchyard::bench {

std::string_view to_string(load_error e) noexcept {
  switch (e) {
    case load_error::connect: return "connect";
    case load_error::timeout: return "timeout";
    case load_error::http_4xx: return "http_4xx";
    case load_error::http_5xx: return "http_5xx";
    case load_error::closed_without_response: return "closed_without_response";
    case load_error::truncated: return "truncated";
    case load_error::malformed: return "malformed";
  }
  return "?";
}

std::uint64_t target_outcome::error_total() const noexcept {
  std::uint64_t n = 0;
  for (auto e : errors)
    n += e;
  return n;
}

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;

struct target_state;

struct connection {
  explicit connection(net::io_context& ioc, target_state& t)
      : target(&t), socket(ioc) {}

  target_state* target;
  tcp::socket socket;
  beast::flat_buffer buffer;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  bool open = false;
  bool busy = false;
  /// An idle connection keeps a read armed, so that a close by the server
  /// (its keep-alive idle timeout) is noticed before the next request is
  /// put on it, as browsers and pooled HTTP clients do.
  bool watching = false;
  char peek = 0;
  bool first_byte_seen = false;
  /// Bumped per request, so that handlers of an abandoned one do nothing.
  std::uint64_t generation = 0;
  clock_type::time_point due;
  clock_type::time_point sent;
  std::size_t request_index = 0;
  /// Requests put on this connection (the closed loop's per-connection cap).
  std::size_t issued = 0;
};

struct target_state {
  const load_target* spec = nullptr;
  target_outcome out;
  std::vector<std::unique_ptr<connection>> connections;
  std::vector<connection*> idle;
  std::deque<clock_type::time_point> backlog;
  std::size_t next_request = 0;
  clock_type::time_point first_answer;
  clock_type::time_point last_answer;
};

/// One phase: open loop (`open_`, a schedule shared by every target) or
/// closed loop (`closed_`, each connection re-sending as soon as answered).
class load_run {
 public:
  load_run(const std::vector<load_target>& targets, const load_phase* open,
           const closed_loop_phase* closed)
      : open_(open),
        closed_(closed),
        timeout_(open != nullptr ? open->timeout : closed->timeout),
        schedule_timer_(ioc_),
        sweep_timer_(ioc_) {
    for (const auto& t : targets) {
      auto& st = targets_.emplace_back();
      st.spec = &t;
      st.out.name = t.name;
    }
    for (auto& st : targets_)
      for (std::size_t i = 0; i < std::max<std::size_t>(1, st.spec->connections);
           ++i)
        st.connections.push_back(std::make_unique<connection>(ioc_, st));
  }

  load_result run() {
    return open_ != nullptr ? run_open() : run_closed();
  }

 private:
  load_result run_open() {
    const auto& phase = *open_;
    load_result result;
    // Open every connection first: the schedule measures requests, not
    // handshakes.
    for (auto& t : targets_) {
      if (t.spec->requests.empty()) {
        result.error = "target " + t.spec->name + " has no requests";
        return result;
      }
      for (auto& c : t.connections) {
        error_code ec;
        c->socket.connect(endpoint(t), ec);
        if (ec) {
          result.error = "cannot connect to " + t.spec->name + " (127.0.0.1:"
                         + std::to_string(t.spec->port) + "): " + ec.message();
          return result;
        }
        c->socket.set_option(tcp::no_delay(true), ec);
        c->open = true;
        ++t.out.connections_opened;
        t.idle.push_back(c.get());
        watch(*c);
      }
    }
    auto per_second = phase.rate * static_cast<double>(targets_.size());
    total_ = static_cast<std::uint64_t>(
      per_second * std::chrono::duration<double>(phase.duration).count());
    interval_ = std::chrono::duration<double>(1.0 / per_second);
    start_ = clock_type::now() + std::chrono::milliseconds{1};
    hard_stop_ = start_ + phase.duration + phase.timeout
                 + std::chrono::seconds{1};
    schedule_timer_.expires_at(start_);
    schedule_timer_.async_wait([this](error_code ec) { on_schedule(ec); });
    arm_sweep();
    ioc_.run();
    for (auto& t : targets_) {
      // Between the first and the last answer: with long responses
      // (streams), counting from the first due time would understate it.
      if (t.out.answered >= 2)
        t.out.seconds = std::chrono::duration<double>(t.last_answer
                                                      - t.first_answer)
                          .count()
                        * static_cast<double>(t.out.answered)
                        / static_cast<double>(t.out.answered - 1);
      result.targets.push_back(std::move(t.out));
    }
    result.max_schedule_lag_us = max_lag_us_;
    return result;
  }

  load_result run_closed() {
    const auto& phase = *closed_;
    load_result result;
    auto& t = targets_.front();
    if (t.spec->requests.empty()) {
      result.error = "target " + t.spec->name + " has no requests";
      return result;
    }
    std::vector<connection*> ready;
    for (auto& c : t.connections) {
      error_code ec;
      c->socket.connect(endpoint(t), ec);
      if (ec) {
        // Refused or out of descriptors: that request never went out.
        ++t.out.requests;
        ++t.out.errors[static_cast<std::size_t>(load_error::connect)];
        error_code ignored;
        c->socket.close(ignored);
        continue;
      }
      c->socket.set_option(tcp::no_delay(true), ec);
      c->open = true;
      ++t.out.connections_opened;
      ready.push_back(c.get());
    }
    start_ = clock_type::now();
    end_ = phase.requests_per_connection == 0 ? start_ + phase.duration
                                              : start_;
    hard_stop_ = end_ + phase.timeout + std::chrono::seconds{1};
    total_ = phase.requests_per_connection * ready.size();
    for (auto* c : ready)
      issue(*c, clock_type::now());
    arm_sweep();
    if (ready.empty())
      stop();
    else
      ioc_.run();
    if (t.out.answered > 0)
      t.out.seconds
        = std::chrono::duration<double>(t.last_answer - start_).count();
    result.targets.push_back(std::move(t.out));
    return result;
  }

  /// Whether a closed-loop connection sends another request now.
  bool closed_loop_goes_on(const connection& c) const {
    if (clock_type::now() >= hard_stop_)
      return false;
    if (closed_->requests_per_connection > 0)
      return c.issued < closed_->requests_per_connection;
    return clock_type::now() < end_;
  }

  double progress() const {
    if (open_ != nullptr)
      return total_ == 0 ? 1.0
                         : static_cast<double>(next_)
                             / static_cast<double>(total_);
    if (total_ > 0) {
      const auto& out = targets_.front().out;
      return static_cast<double>(out.answered + out.error_total())
             / static_cast<double>(total_);
    }
    auto span = std::chrono::duration<double>(end_ - start_).count();
    auto done = std::chrono::duration<double>(clock_type::now() - start_)
                  .count();
    return span > 0 ? std::min(1.0, done / span) : 1.0;
  }

  static tcp::endpoint endpoint(const target_state& t) {
    return {net::ip::address_v4::loopback(), t.spec->port};
  }

  clock_type::time_point due_at(std::uint64_t k) const {
    return start_ + std::chrono::duration_cast<clock_type::duration>(
                      interval_ * static_cast<double>(k));
  }

  void on_schedule(error_code ec) {
    if (ec)
      return;
    auto now = clock_type::now();
    while (next_ < total_ && due_at(next_) <= now) {
      auto due = due_at(next_);
      // Each round of the schedule gives every target one request; odd
      // rounds take them in reverse, so that no target always goes first
      // (or always right after another's request).
      auto n = targets_.size();
      auto pos = next_ % n;
      auto& t = targets_[(next_ / n) % 2 == 0 ? pos : n - 1 - pos];
      ++next_;
      ++t.out.requests;
      max_lag_us_ = std::max(
        max_lag_us_,
        std::chrono::duration<double, std::micro>(now - due).count());
      if (t.idle.empty()) {
        t.backlog.push_back(due);
      } else {
        auto* c = t.idle.back();
        t.idle.pop_back();
        issue(*c, due);
      }
    }
    if (next_ < total_) {
      schedule_timer_.expires_at(due_at(next_));
      schedule_timer_.async_wait([this](error_code e) { on_schedule(e); });
    } else {
      maybe_stop();
    }
  }

  void arm_sweep() {
    sweep_timer_.expires_after(std::chrono::milliseconds{200});
    sweep_timer_.async_wait([this](error_code ec) {
      if (ec)
        return;
      sweep();
      if (!stopped_)
        arm_sweep();
    });
  }

  /// Times out requests that went out too long ago; ends the phase at the
  /// hard stop.
  void sweep() {
    auto now = clock_type::now();
    const auto& report = open_ != nullptr ? open_->progress
                                          : closed_->progress;
    if (report)
      report(progress());
    bool hard = now >= hard_stop_;
    for (auto& t : targets_) {
      if (hard) {
        t.out.errors[static_cast<std::size_t>(load_error::timeout)]
          += t.backlog.size();
        t.backlog.clear();
      }
      for (auto& c : t.connections)
        if (c->busy && (hard || now - c->sent > timeout_))
          finish(*c, load_error::timeout);
    }
    if (hard)
      stop();
  }

  /// Arms the idle watch (see connection::watching).
  void watch(connection& c) {
    if (!c.open || c.watching)
      return;
    c.watching = true;
    auto gen = c.generation;
    c.socket.async_read_some(net::buffer(&c.peek, 1),
                             [this, &c, gen](error_code ec, std::size_t) {
                               if (gen != c.generation || !c.watching)
                                 return;
                               c.watching = false;
                               // EOF, a reset or unasked-for bytes: either
                               // way the connection is done.
                               if (ec != net::error::operation_aborted)
                                 close(c);
                             });
  }

  void issue(connection& c, clock_type::time_point due) {
    if (c.watching) {
      c.watching = false;
      error_code ignored;
      c.socket.cancel(ignored);
    }
    c.busy = true;
    c.due = due;
    c.first_byte_seen = false;
    c.request_index = c.target->next_request++ % c.target->spec->requests.size();
    ++c.issued;
    if (closed_ != nullptr)
      ++c.target->out.requests;
    auto gen = ++c.generation;
    c.sent = clock_type::now();
    if (!c.open) {
      c.socket = tcp::socket{ioc_};
      c.socket.async_connect(endpoint(*c.target), [this, &c, gen](error_code ec) {
        if (gen != c.generation)
          return;
        if (ec)
          return finish(c, load_error::connect);
        error_code ignored;
        c.socket.set_option(tcp::no_delay(true), ignored);
        c.open = true;
        ++c.target->out.connections_opened;
        write(c, gen);
      });
      return;
    }
    write(c, gen);
  }

  void write(connection& c, std::uint64_t gen) {
    const auto& bytes = c.target->spec->requests[c.request_index];
    net::async_write(c.socket, net::buffer(bytes),
                     [this, &c, gen](error_code ec, std::size_t) {
                       if (gen != c.generation)
                         return;
                       if (ec)
                         return finish(c, load_error::closed_without_response);
                       c.parser.emplace();
                       c.parser->body_limit(std::uint64_t{1} << 30);
                       read(c, gen);
                     });
  }

  void read(connection& c, std::uint64_t gen) {
    bhttp::async_read_some(
      c.socket, c.buffer, *c.parser,
      [this, &c, gen](error_code ec, std::size_t) {
        if (gen != c.generation)
          return;
        auto& p = *c.parser;
        if (!ec && p.is_header_done() && !c.first_byte_seen
            && (!p.get().body().empty() || p.is_done())) {
          c.first_byte_seen = true;
          if (p.get().result_int() / 100 == 2)
            c.target->out.first_byte.record(since_due(c));
        }
        if (ec) {
          if (!p.got_some())
            return finish(c, load_error::closed_without_response);
          if (ec.category() == error_code{bhttp::error::bad_target}.category()
              && ec != bhttp::error::end_of_stream
              && ec != bhttp::error::partial_message)
            return finish(c, load_error::malformed);
          return finish(c, load_error::truncated);
        }
        if (!p.is_done()) {
          // Keep streamed bodies from growing: only their start matters.
          if (c.first_byte_seen)
            p.get().body().clear();
          return read(c, gen);
        }
        auto status = p.get().result_int();
        if (!p.get().keep_alive())
          close(c);
        if (status / 100 == 2)
          return finish(c, std::nullopt);
        return finish(c, status >= 500 ? load_error::http_5xx
                                       : load_error::http_4xx);
      });
  }

  std::uint64_t since_due(const connection& c) const {
    return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now()
                                                           - c.due)
        .count());
  }

  void close(connection& c) {
    error_code ignored;
    c.socket.close(ignored);
    c.open = false;
    c.buffer.clear();
  }

  void finish(connection& c, std::optional<load_error> error) {
    auto& t = *c.target;
    ++c.generation;
    c.busy = false;
    if (error) {
      ++t.out.errors[static_cast<std::size_t>(*error)];
      close(c);
    } else {
      t.out.latency.record(since_due(c));
      ++t.out.answered;
      t.last_answer = clock_type::now();
      if (t.out.answered == 1)
        t.first_answer = t.last_answer;
    }
    if (stopped_)
      return;
    if (closed_ != nullptr) {
      if (closed_loop_goes_on(c))
        return issue(c, clock_type::now());
      for (auto& other : t.connections)
        if (other->busy)
          return;
      return stop();
    }
    if (!t.backlog.empty()) {
      auto due = t.backlog.front();
      t.backlog.pop_front();
      return issue(c, due);
    }
    t.idle.push_back(&c);
    watch(c);
    maybe_stop();
  }

  void maybe_stop() {
    if (next_ < total_)
      return;
    for (auto& t : targets_) {
      if (!t.backlog.empty())
        return;
      for (auto& c : t.connections)
        if (c->busy)
          return;
    }
    stop();
  }

  void stop() {
    if (stopped_)
      return;
    stopped_ = true;
    for (auto& t : targets_)
      for (auto& c : t.connections)
        close(*c);
    schedule_timer_.cancel();
    sweep_timer_.cancel();
    ioc_.stop();
  }

  const load_phase* open_;
  const closed_loop_phase* closed_;
  std::chrono::milliseconds timeout_;
  net::io_context ioc_{1};
  net::steady_timer schedule_timer_;
  net::steady_timer sweep_timer_;
  std::deque<target_state> targets_;
  std::uint64_t total_ = 0;
  std::uint64_t next_ = 0;
  std::chrono::duration<double> interval_{};
  clock_type::time_point start_;
  /// Closed loop: no request is sent after this.
  clock_type::time_point end_;
  clock_type::time_point hard_stop_;
  double max_lag_us_ = 0;
  bool stopped_ = false;
};

} // namespace

load_result run_load(const std::vector<load_target>& targets,
                     const load_phase& phase) {
  if (targets.empty() || phase.rate <= 0)
    return {{}, 0, "nothing to load: no target or a rate of 0"};
  try {
    load_run run{targets, &phase, nullptr};
    return run.run();
  } catch (const std::exception& e) {
    return {{}, 0, std::string{"load generator failed: "} + e.what()};
  }
}

load_result run_closed_loop(const load_target& target,
                            const closed_loop_phase& phase) {
  if (phase.requests_per_connection == 0 && phase.duration.count() <= 0)
    return {{}, 0, "nothing to load: a closed loop of no duration"};
  try {
    std::vector<load_target> one{target};
    load_run run{one, nullptr, &phase};
    return run.run();
  } catch (const std::exception& e) {
    return {{}, 0, std::string{"load generator failed: "} + e.what()};
  }
}

} // namespace switchyard::bench
