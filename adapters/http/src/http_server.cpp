// The HTTP server: Beast and Asio stay inside this file.
#include "switchyard/http/http_server.hpp"

#include "io_loop_context.hpp"
#include "server_errors.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <poll.h>
#include <shared_mutex>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace switchyard::http {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = loop_clock;
using executor_type = loop_executor;
using socket_type = loop_socket;
using timer_type = loop_timer;

/// Read buffer per connection, so that a request of up to this size is read
/// with one receive (Beast reads at least 512 bytes, else what the buffer has
/// room for).
constexpr std::size_t read_buffer_bytes = 8 * 1024;

/// A read buffer grown past this (large headers, a pipelined burst) is
/// given back after its response, so that one unusual request does not pin
/// memory for the connection's life.
constexpr std::size_t shrink_buffer_over = 64 * 1024;

// After an error the server answers by itself, the peer may still be
// sending the body we refused. Closing with unread bytes makes the kernel
// send RST, which can destroy our answer in the peer's receive buffer before
// it is read (a client still writing sees EPIPE or ECONNRESET, not the 413).
// So, as nginx's lingering close does, we send the answer, shut down our
// write side and read and discard until the peer closes, bounded in time and
// bytes (nginx: lingering_time 30 s, lingering_timeout 5 s; ours are
// tighter, since a refused upload on loopback or a LAN ends in well under a
// second).

/// The most time spent discarding, in all.
constexpr std::chrono::seconds linger_total{5};
/// The most time waiting for the peer's next bytes.
constexpr std::chrono::seconds linger_idle{2};
/// The most bytes discarded: twice the default body limit, so a refused
/// upload of any size a client would reasonably send is read to its end.
constexpr std::size_t linger_max_bytes = 64u << 20;
/// Bytes discarded per read.
constexpr std::size_t linger_read_bytes = 16 * 1024;

class session_base;

/// What sessions and writers share with the server; outlives the I/O
/// context.
struct shared_state {
  std::atomic<bool> stopped{false};
  /// Writers reach their session under a shared lock; `stop` takes it
  /// exclusively, so that once it returns no writer holds a session (whose
  /// socket must not outlive the I/O context).
  std::shared_mutex writers;
  std::mutex mutex;
  std::unordered_map<const void*, std::weak_ptr<session_base>> sessions;
  /// Sessions alive, against `server_config::max_connections`.
  std::atomic<std::size_t> live{0};
  /// Request-body bytes admitted and not yet answered, against
  /// `server_config::max_body_bytes_in_flight`.
  std::atomic<std::size_t> body_bytes{0};
};

/// The parts of a connection a writer reaches, whatever the stream type.
/// Every method may be called from any thread.
class session_base : public std::enable_shared_from_this<session_base> {
 public:
  virtual ~session_base() = default;
  virtual void
  respond(std::uint64_t seq, int status, header_list headers, std::string body)
    = 0;
  virtual void begin(std::uint64_t seq, int status, header_list headers) = 0;
  virtual void write(std::uint64_t seq, std::string bytes) = 0;
  virtual void end(std::uint64_t seq) = 0;
  virtual void reset(std::uint64_t seq) = 0;
  virtual void abandon(std::uint64_t seq) = 0;
  virtual void after(std::chrono::microseconds delay, std::function<void()> fn)
    = 0;
  virtual bool is_closed() const noexcept = 0;
  virtual void on_abandon(std::uint64_t seq, std::function<void()> fn) = 0;
  /// Only once the I/O threads are joined.
  virtual void close_after_stop() noexcept = 0;
};

/// A handler's hold on one response. It does not own the connection (the
/// session keeps itself alive while a response is pending), so a writer
/// kept past the server's end is harmless: its calls do nothing.
class writer_impl final : public response_writer {
 public:
  writer_impl(std::weak_ptr<session_base> s,
              std::shared_ptr<shared_state> shared, std::uint64_t seq) noexcept
      : session_(std::move(s)), shared_(std::move(shared)), seq_(seq) {}

  /// A writer dropped before its response ended closes the connection. One
  /// that ended it has nothing to do: the session ignores a late abandon.
  ~writer_impl() override {
    if (ended_)
      return;
    with_session([this](session_base& s) {
      s.abandon(seq_);
    });
  }

  void respond(int status, header_list headers, std::string body) override {
    ended_ = !began_;
    with_session([&](session_base& s) {
      s.respond(seq_, status, std::move(headers), std::move(body));
    });
  }

  void begin(int status, header_list headers) override {
    began_ = true;
    with_session([&](session_base& s) {
      s.begin(seq_, status, std::move(headers));
    });
  }

  void write(std::string bytes) override {
    with_session([&](session_base& s) {
      s.write(seq_, std::move(bytes));
    });
  }

  void end() override {
    ended_ = began_;
    with_session([this](session_base& s) {
      s.end(seq_);
    });
  }

  void reset() override {
    ended_ = true;
    with_session([this](session_base& s) {
      s.reset(seq_);
    });
  }

  void after(std::chrono::microseconds delay,
             std::function<void()> fn) override {
    with_session([&](session_base& s) {
      s.after(delay, std::move(fn));
    });
  }

  bool closed() const noexcept override {
    auto s = session_.lock();
    return !s || s->is_closed() || shared_->stopped.load();
  }

  void on_abandon(std::function<void()> fn) override {
    if (ended_)
      return;
    bool gone = true;
    with_session([&](session_base& s) {
      gone = false;
      s.on_abandon(seq_, std::move(fn));
    });
    // The session is gone (it closed) with this response incomplete.
    if (gone && fn && !shared_->stopped.load(std::memory_order_acquire))
      fn();
  }

 private:
  /// Runs `f` on the session unless it is gone or the server stopped. The
  /// session reference is dropped before the lock is.
  template<class F>
  void with_session(F&& f) noexcept {
    try {
      std::shared_lock guard{shared_->writers};
      if (shared_->stopped.load(std::memory_order_acquire))
        return;
      if (auto s = session_.lock())
        f(*s);
    } catch (...) {
      // Allocation failure while queueing: the response is lost, and the
      // peer's timeout deals with it.
    }
  }

  std::weak_ptr<session_base> session_;
  std::shared_ptr<shared_state> shared_;
  std::uint64_t seq_;
  // What this writer asked for (its one user at a time calls it): a
  // response that respond, or begin and end, completed needs no abandon.
  bool began_ = false;
  bool ended_ = false;
};

/// Header values are ours, but a CR or LF in one would split the response.
void append_header_text(std::string& out, std::string_view text) {
  auto at = out.size();
  out.append(text);
  for (auto i = out.find_first_of("\r\n", at); i != std::string::npos;
       i = out.find_first_of("\r\n", i + 1))
    out[i] = ' ';
}

std::string status_line(int status) {
  std::string out = "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  return out;
}

/// One connection: reads requests one at a time, hands each to the
/// handler, writes what the writer queues. All state is touched on the
/// connection's loop thread only.
template<class Stream>
class session final : public session_base {
 public:
  static constexpr bool is_tls = !std::is_same_v<Stream, socket_type>;

  session(socket_type&& socket, ssl::context* tls,
          std::shared_ptr<shared_state> shared, const server_config& cfg,
          const request_handler& handler)
      : stream_(make_stream(std::move(socket), tls)),
        watchdog_(lowest().get_executor()),
        shared_(std::move(shared)),
        cfg_(cfg),
        handler_(handler) {
    shared_->live.fetch_add(1, std::memory_order_relaxed);
    // How long we keep an idle connection, as Apache and nginx say it:
    // clients that honour it (Node's, Python's urllib3) drop theirs first,
    // instead of sending a request into our close.
    keep_alive_hint_ = "Keep-Alive: timeout="
                       + std::to_string(std::max<long long>(
                         1, std::chrono::duration_cast<std::chrono::seconds>(
                              cfg_.request_timeout)
                              .count()))
                       + "\r\n";
    buffer_.reserve(read_buffer_bytes);
    error_code ec;
    auto ep = lowest().remote_endpoint(ec);
    if (!ec)
      peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  ~session() override {
    release_body();
    shared_->live.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard guard{shared_->mutex};
    shared_->sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard guard{shared_->mutex};
      shared_->sessions.emplace(this, weak_from_this());
    }
    net::dispatch(executor(), [self = self()] {
      if constexpr (is_tls)
        self->handshake();
      else
        self->read_request();
    });
  }

  // -- session_base -----------------------------------------------------------

  void respond(std::uint64_t seq, int status, header_list headers,
               std::string body) override {
    run(seq, [status, headers = std::move(headers),
              body = std::move(body)](session& s) mutable {
      if (s.started_)
        return;
      s.started_ = true;
      s.on_abandon_ = nullptr;
      // Before any byte goes: a peer that has the answer may send again.
      s.release_body();
      auto text = s.head(status, headers);
      text += "Content-Length: ";
      text += std::to_string(body.size());
      text += "\r\n\r\n";
      text += body;
      s.enqueue(std::move(text), action::none);
      s.enqueue({}, action::finish);
    });
  }

  void begin(std::uint64_t seq, int status, header_list headers) override {
    run(seq, [status, headers = std::move(headers)](session& s) {
      if (s.started_)
        return;
      s.started_ = true;
      s.chunked_ = !find_header(headers, "content-length");
      auto text = s.head(status, headers);
      if (s.chunked_)
        text += "Transfer-Encoding: chunked\r\n";
      text += "\r\n";
      s.enqueue(std::move(text), action::none);
    });
  }

  void write(std::uint64_t seq, std::string bytes) override {
    run(seq, [bytes = std::move(bytes)](session& s) mutable {
      if (!s.started_ || s.ended_ || bytes.empty())
        return;
      if (s.chunked_) {
        char size[20];
        auto r = std::to_chars(size, size + sizeof(size), bytes.size(), 16);
        std::string framed;
        framed.reserve(bytes.size() + 24);
        framed.append(size, r.ptr);
        framed += "\r\n";
        framed += bytes;
        framed += "\r\n";
        s.enqueue(std::move(framed), action::none);
      } else {
        s.enqueue(std::move(bytes), action::none);
      }
    });
  }

  void end(std::uint64_t seq) override {
    run(seq, [](session& s) {
      if (!s.started_ || s.ended_)
        return;
      s.on_abandon_ = nullptr;
      s.release_body();
      if (s.chunked_)
        s.enqueue("0\r\n\r\n", action::none);
      s.enqueue({}, action::finish);
    });
  }

  void reset(std::uint64_t seq) override {
    run(seq, [](session& s) {
      if (s.ended_)
        return;
      s.on_abandon_ = nullptr;
      s.enqueue({}, action::reset);
    });
  }

  void abandon(std::uint64_t seq) override {
    run(seq, [](session& s) {
      if (s.ended_)
        return;
      s.enqueue({}, action::close);
    });
  }

  void after(std::chrono::microseconds delay,
             std::function<void()> fn) override {
    if (shared_->stopped.load(std::memory_order_acquire))
      return;
    if (delay.count() <= 0) {
      net::post(executor(), [fn = std::move(fn), shared = shared_] {
        if (!shared->stopped.load(std::memory_order_acquire))
          fn();
      });
      return;
    }
    auto timer = std::make_shared<timer_type>(executor());
    timer->expires_after(delay);
    timer->async_wait(
      [timer, fn = std::move(fn), shared = shared_](error_code ec) {
        if (!ec && !shared->stopped.load(std::memory_order_acquire))
          fn();
      });
  }

  bool is_closed() const noexcept override {
    return closed_.load(std::memory_order_acquire);
  }

  void on_abandon(std::uint64_t seq, std::function<void()> fn) override {
    if (shared_->stopped.load(std::memory_order_acquire))
      return;
    // Not `run`: that drops calls on a closed connection, and a close
    // before this registration must still be reported.
    net::post(executor(), [self = self(), seq, fn = std::move(fn)]() mutable {
      auto& s = *self;
      if (s.shared_->stopped.load(std::memory_order_acquire)
          || seq != s.seq_ || s.ended_)
        return; // the response is complete
      if (s.closed_) {
        fn();
        return;
      }
      s.on_abandon_ = std::move(fn);
      s.watch_peer();
    });
  }

  void close_after_stop() noexcept override {
    error_code ec;
    closed_ = true;
    lowest().close(ec);
    keepalive_.reset();
  }

 private:
  enum class action { none, finish, reset, close, linger };

  struct out_item {
    std::string bytes;
    action act;
  };

  static Stream make_stream(socket_type&& socket, ssl::context* tls) {
    if constexpr (is_tls)
      return Stream{std::move(socket), *tls};
    else
      return Stream{std::move(socket)};
  }

  std::shared_ptr<session> self() {
    return std::static_pointer_cast<session>(shared_from_this());
  }

  /// The connection's loop thread (the socket was accepted onto it).
  executor_type executor() {
    return lowest().get_executor();
  }

  socket_type& lowest() {
    return beast::get_lowest_layer(stream_);
  }

  // -- timeouts ---------------------------------------------------------------
  //
  // One timer per connection enforces the read and write timeouts. An
  // operation that may wait on the peer sets a deadline (a clock read and a
  // store); the timer is armed only when none is pending or the new deadline
  // comes first, and when it fires before the deadline it re-arms for it.
  // Beast's per-operation timeouts armed and cancelled a timer for every
  // read and write, and ran its cancelled handler: three reactor calls and a
  // handler per operation.

  /// The peer has `limit` to finish what is pending (a request, a write).
  void expect_within(std::chrono::milliseconds limit) {
    deadline_ = clock_type::now() + limit;
    if (!watchdog_armed_ || deadline_ < watchdog_at_)
      arm_watchdog(deadline_);
  }

  /// Nothing is pending on the peer (a handler is working on the request).
  void expect_nothing() noexcept {
    deadline_ = clock_type::time_point::max();
  }

  void arm_watchdog(clock_type::time_point at) {
    watchdog_armed_ = true;
    watchdog_at_ = at;
    watchdog_.expires_at(at);
    watchdog_.async_wait([weak = weak_from_this()](error_code ec) {
      if (ec)
        return; // cancelled: re-armed or the connection closed
      if (auto base = weak.lock())
        static_cast<session&>(*base).on_watchdog();
    });
  }

  void on_watchdog() {
    watchdog_armed_ = false;
    if (closed_ || deadline_ == clock_type::time_point::max())
      return;
    if (clock_type::now() < deadline_)
      return arm_watchdog(deadline_);
    // Timed out: the pending read or write ends with an error and the
    // connection goes, as when Beast's stream timed out.
    close(false);
  }

  /// Runs `f` on the connection's thread if `seq` is still the request
  /// being answered.
  ///
  /// Always queued (post), never run inline (dispatch): writer calls must
  /// reach the connection in the order they were made, whatever the thread.
  /// With dispatch, a call made on the connection's thread jumped ahead of
  /// calls already queued from other threads. The bug that caused: a handler
  /// hands its writer to a runtime thread, which answers (`respond` queued)
  /// before the handler returns; the handler's copy of the writer is the last
  /// one, so its destructor's `abandon` ran inline, first, and closed the
  /// connection without a response (about 1 request in 300 under load).
  template<class F>
  void run(std::uint64_t seq, F&& f) {
    if (shared_->stopped.load(std::memory_order_acquire))
      return;
    net::post(executor(),
              [self = self(), seq, f = std::forward<F>(f)]() mutable {
                if (self->shared_->stopped.load(std::memory_order_acquire)
                    || self->closed_ || seq != self->seq_ || !self->handling_)
                  return;
                f(*self);
              });
  }

  std::string head(int status, const header_list& headers) const {
    auto text = status_line(status);
    for (const auto& h : headers) {
      if (iequals(h.name, "transfer-encoding") || iequals(h.name, "connection"))
        continue;
      if (chunked_ && iequals(h.name, "content-length"))
        continue;
      append_header_text(text, h.name);
      text += ": ";
      append_header_text(text, h.value);
      text += "\r\n";
    }
    if (!keep_alive_)
      text += "Connection: close\r\n";
    else
      text += keep_alive_hint_;
    return text;
  }

  // -- noticing a client that gave up -----------------------------------------

  /// Waits for the idle connection to become readable while a response is
  /// pending: the peer's close (or reset) makes it so. Nothing is read: the
  /// bytes of a pipelined request stay for the next read.
  void watch_peer() {
    if (watching_ || closed_)
      return;
    watching_ = true;
    lowest().async_wait(socket_type::wait_read,
                        [self = self()](error_code ec) {
                          self->on_peer_readable(ec);
                        });
  }

  void on_peer_readable(error_code ec) {
    watching_ = false;
    if (ec || closed_ || !handling_ || !on_abandon_)
      return; // closed, or no response waits on the peer
    // Readable: the peer hung up, or sent bytes (a pipelined request, or a
    // TLS alert). POLLRDHUP tells the two apart without reading, even with
    // bytes still unread ahead of the FIN (a TLS close_notify).
    pollfd p{lowest().native_handle(), POLLIN | POLLRDHUP, 0};
    auto n = ::poll(&p, 1, 0);
    if (n == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
      return close(false);
    // Nothing to read now: the wake was an earlier response's wait, which
    // a later request's bytes ended (they were the parser's).
    if (n == 0)
      return watch_peer();
    // Bytes and no hang-up: a pipelined request. Watching again would wake
    // at once, over and over; the response's writes still notice a close.
  }

  // -- reading ----------------------------------------------------------------

  void handshake() {
    if constexpr (is_tls) {
      expect_within(cfg_.request_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = self()](error_code ec) {
                                if (ec)
                                  return self->close(false);
                                self->read_request();
                              });
    }
  }

  void read_request() {
    if (closed_)
      return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(cfg_.max_header_bytes));
    parser_->body_limit(cfg_.max_body_bytes);
    expect_within(cfg_.request_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = self()](error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(error_code ec) {
    if (ec)
      return on_read_error(ec);
    if (auto length = parser_->content_length();
        length && !admit_body(static_cast<std::size_t>(*length)))
      return refuse_busy();
    auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      continue_text_ = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(continue_text_),
                       [self = self()](error_code wec, std::size_t) {
                         if (wec)
                           return self->close(false);
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = self()](error_code ec, std::size_t) {
                        self->on_request(ec);
                      });
  }

  void on_read_error(error_code ec) {
    int status = 0;
    std::string_view code;
    std::string message;
    if (ec == bhttp::error::body_limit) {
      status = 413;
      code = "request_too_large";
      message = "The request body is over the limit of "
                + std::to_string(cfg_.max_body_bytes) + " bytes.";
    } else if (ec == bhttp::error::header_limit) {
      status = 431;
      code = "request_headers_too_large";
      message = "The request headers are over the limit of "
                + std::to_string(cfg_.max_header_bytes) + " bytes.";
    } else if (ec.category() == error_code{bhttp::error::bad_target}.category()
               && ec != bhttp::error::end_of_stream
               && ec != bhttp::error::partial_message) {
      status = 400;
      code = "bad_request";
      message = "Malformed HTTP request: " + ec.message() + ".";
    }
    if (status == 0)
      return close(false);
    answer_error(status, code, message, {});
  }

  /// Over max_body_bytes_in_flight: 429, and the body is not read.
  void refuse_busy() {
    answer_error(429, "server_busy",
                 "The server is holding too many request bodies; retry "
                 "shortly.",
                 "Retry-After: 1\r\n");
  }

  /// Answers an error of the server's own and ends the connection with a
  /// lingering close (see linger_total).
  void answer_error(int status, std::string_view code,
                    const std::string& message, std::string_view extra) {
    keep_alive_ = false;
    handling_ = true;
    started_ = true;
    // The request line, when it was read, tells the owner's renderer which
    // API the path belongs to.
    std::string target;
    if (parser_) {
      auto t = parser_->get().target();
      target.assign(t.data(), t.size());
    }
    server_error e{status, code, message, target};
    enqueue(detail::server_error_response(cfg_.render_error, e, extra),
            action::none);
    enqueue({}, action::linger);
  }

  /// Counts `bytes` of request body against the server's bound; false when
  /// it would go over (a body alone is always admitted).
  bool admit_body(std::size_t bytes) {
    if (bytes == 0)
      return true;
    auto bound = cfg_.max_body_bytes_in_flight;
    auto held = shared_->body_bytes.load(std::memory_order_relaxed);
    do {
      if (bound != 0 && held != 0 && (held > bound || bytes > bound - held))
        return false;
    } while (!shared_->body_bytes.compare_exchange_weak(
      held, held + bytes, std::memory_order_relaxed));
    body_reserved_ += bytes;
    return true;
  }

  void release_body() noexcept {
    if (body_reserved_ == 0)
      return;
    shared_->body_bytes.fetch_sub(body_reserved_, std::memory_order_relaxed);
    body_reserved_ = 0;
  }

  void on_request(error_code ec) {
    if (ec)
      return on_read_error(ec);
    // A body without Content-Length (chunked) is counted once read.
    if (!parser_->content_length() && !admit_body(parser_->get().body().size()))
      return refuse_busy();
    expect_nothing();
    const auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    handling_ = true;
    started_ = false;
    ended_ = false;
    chunked_ = false;
    header_views_.clear();
    for (const auto& field : msg)
      header_views_.push_back(
        {std::string_view{field.name_string().data(),
                          field.name_string().size()},
         std::string_view{field.value().data(), field.value().size()}});
    server_request req;
    auto method = msg.method_string();
    req.method = std::string_view{method.data(), method.size()};
    auto target = msg.target();
    req.target = std::string_view{target.data(), target.size()};
    req.headers = header_views_;
    req.body = msg.body();
    req.peer = peer_;
    // The writer holds the session weakly: the session holds itself until
    // the response is complete or the connection closes.
    keepalive_ = self();
    auto writer = std::make_shared<writer_impl>(weak_from_this(), shared_,
                                                seq_);
    try {
      handler_(req, writer);
    } catch (const std::exception&) {
      writer->respond(500, {{"Content-Type", "text/plain"}},
                      "internal error\n");
    } catch (...) {
      writer->respond(500, {{"Content-Type", "text/plain"}},
                      "internal error\n");
    }
  }

  // -- writing ----------------------------------------------------------------

  void enqueue(std::string bytes, action act) {
    if (act != action::none)
      ended_ = true;
    out_.push_back(out_item{std::move(bytes), act});
    pump();
  }

  void pump() {
    while (!writing_ && !out_.empty() && !closed_) {
      auto& front = out_.front();
      switch (front.act) {
        case action::finish:
          out_.pop_front();
          finish_response();
          continue;
        case action::reset:
          out_.clear();
          close(true);
          return;
        case action::close:
          out_.clear();
          close(false);
          return;
        case action::linger:
          out_.clear();
          linger();
          return;
        case action::none: break;
      }
      writing_ = true;
      expect_within(cfg_.write_timeout);
      net::async_write(stream_, net::buffer(front.bytes),
                       [self = self()](error_code ec, std::size_t) {
                         self->writing_ = false;
                         self->expect_nothing();
                         if (ec)
                           return self->close(false);
                         self->out_.pop_front();
                         self->pump();
                       });
    }
  }

  void finish_response() {
    auto keep = std::move(keepalive_);
    handling_ = false;
    on_abandon_ = nullptr;
    ++seq_;
    expect_nothing();
    release_body();
    // The body goes with the parser, now rather than at the next request.
    parser_.reset();
    header_views_.clear();
    if (buffer_.capacity() > shrink_buffer_over) {
      buffer_.shrink_to_fit();
      buffer_.reserve(read_buffer_bytes);
    }
    if (!keep_alive_)
      return close(false);
    read_request();
  }

  /// Our answer is written: no more from us, and what the peer still sends
  /// is read and dropped until it closes or a bound is reached.
  void linger() {
    error_code ec;
    lowest().shutdown(tcp::socket::shutdown_send, ec);
    if (ec)
      return close(false);
    // Nothing the peer sends is parsed any more.
    parser_.reset();
    buffer_.consume(buffer_.size());
    linger_end_ = clock_type::now() + linger_total;
    discard();
  }

  void discard() {
    if (closed_)
      return;
    deadline_ = std::min(clock_type::now() + linger_idle, linger_end_);
    if (!watchdog_armed_ || deadline_ < watchdog_at_)
      arm_watchdog(deadline_);
    // Raw bytes off the socket (under TLS too: they are not decrypted),
    // into the read buffer's spare room, never committed.
    lowest().async_read_some(buffer_.prepare(linger_read_bytes),
                             [self = self()](error_code ec, std::size_t n) {
                               self->discarded_ += n;
                               if (ec || self->discarded_ > linger_max_bytes)
                                 return self->close(false);
                               self->discard();
                             });
  }

  void close(bool abortive) {
    auto keep = std::move(keepalive_);
    if (closed_)
      return;
    closed_ = true;
    // Gone before the response was complete: whoever waits on it hears so.
    auto abandoned = handling_ ? std::move(on_abandon_)
                               : std::function<void()>{};
    on_abandon_ = nullptr;
    handling_ = false;
    release_body();
    auto& socket = lowest();
    error_code ec;
    if (abortive) {
      // SO_LINGER with a zero timeout makes close() send RST.
      socket.set_option(net::socket_base::linger(true, 0), ec);
    } else {
      socket.shutdown(tcp::socket::shutdown_send, ec);
    }
    socket.cancel(ec);
    socket.close(ec);
    watchdog_.cancel();
    if (abandoned)
      abandoned();
  }

  Stream stream_;
  timer_type watchdog_;
  clock_type::time_point deadline_ = clock_type::time_point::max();
  clock_type::time_point watchdog_at_{};
  bool watchdog_armed_ = false;
  std::shared_ptr<shared_state> shared_;
  const server_config& cfg_;
  const request_handler& handler_;
  std::string peer_;
  std::string keep_alive_hint_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::vector<header_view> header_views_;
  std::string continue_text_;
  std::deque<out_item> out_;
  /// Set while a response is pending (see writer_impl).
  std::shared_ptr<session> keepalive_;
  std::uint64_t seq_ = 0;
  /// Of shared_state::body_bytes, this connection's.
  std::size_t body_reserved_ = 0;
  clock_type::time_point linger_end_{};
  std::size_t discarded_ = 0;
  bool handling_ = false;
  bool started_ = false;
  bool ended_ = false;
  bool chunked_ = false;
  bool keep_alive_ = true;
  bool writing_ = false;
  /// Set by the handler's writer while its response is pending (see
  /// response_writer::on_abandon); run by `close`.
  std::function<void()> on_abandon_;
  /// An async_wait for the peer's close is pending.
  bool watching_ = false;
  std::atomic<bool> closed_{false};
};

} // namespace

// -- the server ---------------------------------------------------------------

class http_server::impl {
 public:
  impl(server_config cfg, request_handler handler)
      : cfg_(std::move(cfg)),
        handler_(std::move(handler)),
        shared_(std::make_shared<shared_state>()) {}

  ~impl() {
    stop();
  }

  bool open(std::string& why) {
    try {
      if (cfg_.tls) {
        tls_.emplace(ssl::context::tls_server);
        tls_->set_options(ssl::context::default_workarounds
                          | ssl::context::no_sslv2 | ssl::context::no_sslv3
                          | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        error_code ec;
        tls_->use_certificate_chain(
          net::buffer(cfg_.tls->certificate_chain_pem), ec);
        if (ec) {
          why = "cannot use the TLS certificate chain: " + ec.message();
          return false;
        }
        tls_->use_private_key(net::buffer(cfg_.tls->private_key_pem),
                              ssl::context::pem, ec);
        if (ec) {
          why = "cannot use the TLS private key: " + ec.message();
          return false;
        }
      }
      if (cfg_.loop) {
        loop_ = cfg_.loop;
      } else {
        loop_ = io_loop::start(cfg_.io_threads, why);
        if (!loop_)
          return false;
        own_loop_ = true;
      }
      acceptor_.emplace(ioc());
      error_code ec;
      auto address = net::ip::make_address(cfg_.host, ec);
      if (ec) {
        why = "'" + cfg_.host + "' is not an IP address";
        return false;
      }
      tcp::endpoint ep{address, cfg_.port};
      acceptor_->open(ep.protocol(), ec);
      if (!ec)
        acceptor_->set_option(net::socket_base::reuse_address(true), ec);
      if (!ec)
        acceptor_->bind(ep, ec);
      if (!ec)
        acceptor_->listen(net::socket_base::max_listen_connections, ec);
      if (ec) {
        why = "cannot listen on " + cfg_.host + ":" + std::to_string(cfg_.port)
              + ": " + ec.message();
        return false;
      }
      port_ = acceptor_->local_endpoint(ec).port();
      accept();
      return true;
    } catch (const std::exception& e) {
      why = std::string{"cannot start the server: "} + e.what();
      return false;
    }
  }

  void stop() {
    {
      // Waits for writers in the middle of a call; later ones see `stopped`.
      std::unique_lock guard{shared_->writers};
      if (shared_->stopped.exchange(true))
        return;
    }
    // A shared loop is stopped by its owner before this call.
    if (own_loop_)
      loop_->stop();
    // No handler runs any more: close what is left from this thread.
    error_code ec;
    if (acceptor_) {
      acceptor_->close(ec);
      // Gone before a shared loop is.
      acceptor_.reset();
    }
    std::vector<std::shared_ptr<session_base>> live;
    {
      std::lock_guard guard{shared_->mutex};
      for (auto& [key, weak] : shared_->sessions)
        if (auto s = weak.lock())
          live.push_back(std::move(s));
    }
    for (auto& s : live)
      s->close_after_stop();
  }

  std::uint16_t port() const noexcept {
    return port_;
  }

 private:
  void accept() {
    // Connections go to the loop's threads in turn.
    acceptor_->async_accept(next_accept_context(*loop_),
                            [this](error_code ec, socket_type socket) {
                              if (shared_->stopped)
                                return;
                              if (!ec)
                                start_session(std::move(socket));
                              accept();
                            });
  }

  void start_session(socket_type socket) {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (cfg_.max_connections != 0
        && shared_->live.load(std::memory_order_relaxed)
             >= cfg_.max_connections)
      return refuse(std::move(socket));
    if (tls_) {
      auto s = std::make_shared<session<beast::ssl_stream<socket_type>>>(
        std::move(socket), &*tls_, shared_, cfg_, handler_);
      s->start();
    } else {
      auto s = std::make_shared<session<socket_type>>(
        std::move(socket), nullptr, shared_, cfg_, handler_);
      s->start();
    }
  }

  /// Over the connection limit: 503 with a JSON error, then close. The
  /// request (if any) is drained until the peer closes or a second passes,
  /// so that the close does not turn into a reset that loses the answer.
  /// Plain TCP only: a TLS peer just sees the close.
  void refuse(socket_type socket) {
    struct refusal {
      explicit refusal(socket_type s)
          : socket(std::move(s)), timer(socket.get_executor()) {}
      socket_type socket;
      timer_type timer;
      std::array<char, 4096> sink;
      std::string text;
    };
    auto r = std::make_shared<refusal>(std::move(socket));
    if (tls_) {
      error_code ec;
      r->socket.close(ec);
      return;
    }
    server_error e{503,
                   "too_many_connections",
                   "The server has too many open connections; retry shortly "
                   "or on another node.",
                   {}};
    r->text = detail::server_error_response(cfg_.render_error, e,
                                            "Retry-After: 1\r\n");
    net::async_write(r->socket, net::buffer(r->text),
                     [r](error_code ec, std::size_t) {
                       if (ec) {
                         r->socket.close(ec);
                         return;
                       }
                       r->socket.shutdown(tcp::socket::shutdown_send, ec);
                       r->timer.expires_after(std::chrono::seconds{1});
                       r->timer.async_wait([r](error_code) {
                         error_code ignored;
                         r->socket.close(ignored);
                       });
                       drain(r);
                     });
  }

  template<class Refusal>
  static void drain(std::shared_ptr<Refusal> r) {
    r->socket.async_read_some(net::buffer(r->sink),
                              [r](error_code ec, std::size_t) {
                                if (ec) {
                                  r->timer.cancel();
                                  error_code ignored;
                                  r->socket.close(ignored);
                                  return;
                                }
                                drain(r);
                              });
  }

  server_config cfg_;
  request_handler handler_;
  std::shared_ptr<shared_state> shared_;
  std::optional<ssl::context> tls_;
  net::io_context& ioc() noexcept {
    return io_context_of(*loop_);
  }

  /// Declared before the acceptor: a loop of its own outlives it.
  std::shared_ptr<io_loop> loop_;
  bool own_loop_ = false;
  std::optional<tcp::acceptor> acceptor_;
  std::uint16_t port_ = 0;
};

std::unique_ptr<http_server> http_server::make(server_config cfg,
                                               request_handler handler,
                                               std::string& why) {
  auto p = std::make_shared<impl>(std::move(cfg), std::move(handler));
  if (!p->open(why))
    return nullptr;
  return std::unique_ptr<http_server>{new http_server{std::move(p)}};
}

http_server::http_server(std::shared_ptr<impl> p) noexcept
    : impl_(std::move(p)) {}

http_server::~http_server() {
  stop();
}

std::uint16_t http_server::port() const noexcept {
  return impl_->port();
}

void http_server::stop() {
  impl_->stop();
}

} // namespace switchyard::http
