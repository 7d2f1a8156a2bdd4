// The HTTP client: Beast, Asio and OpenSSL stay inside this file.
#include "switchyard/http/http_client.hpp"

#include "io_loop_context.hpp"

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
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
using resolver_type = net::ip::basic_resolver<tcp, executor_type>;

/// Read buffer per connection: a response head and a typical body are read
/// with one receive (Beast reads at least 512 bytes, else what the buffer has
/// room for).
constexpr std::size_t read_buffer_bytes = 16 * 1024;

bool is_ip_literal(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

/// One TCP or TLS connection to an origin, on one of the loop's threads.
/// Used by one exchange at a time; the pool hands it over under its mutex.
struct connection {
  connection(net::io_context& ioc, ssl::context* tls) {
    if (tls)
      secure.emplace(ioc.get_executor(), *tls);
    else
      plain.emplace(ioc.get_executor());
    buffer.reserve(read_buffer_bytes);
  }

  socket_type& socket() {
    return secure ? secure->next_layer() : *plain;
  }

  void close() noexcept {
    error_code ec;
    socket().close(ec);
  }

  std::optional<socket_type> plain;
  std::optional<ssl::stream<socket_type>> secure;
  beast::flat_buffer buffer;
  bool connected = false;
  clock_type::time_point idle_since;
};

class exchange;

} // namespace

// -- the client's shared state ------------------------------------------------

class http_client::impl {
 public:
  explicit impl(client_config cfg) : cfg_(std::move(cfg)) {}

  ~impl() {
    shutdown();
  }

  bool init(std::string& why) {
    try {
      // A configured CA is checked now, so that a bad one fails the start;
      // with the system store alone, OpenSSL is left untouched until the
      // first https request (see ensure_tls).
      if (!cfg_.tls.ca_pem.empty() && !ensure_tls(why))
        return false;
      if (cfg_.loop) {
        loop_ = cfg_.loop;
      } else {
        loop_ = io_loop::start(cfg_.io_threads, why);
        own_loop_ = true;
      }
      return loop_ != nullptr;
    } catch (const std::exception& e) {
      why = std::string{"cannot start the HTTP client: "} + e.what();
      return false;
    }
  }

  request_handle send(const origin& to, client_request req,
                      const request_options& opts, response_callbacks cb);

  /// The TLS context, made at the first https request (or at `init` with a
  /// configured CA): loading OpenSSL's algorithms and the system's CA store
  /// takes some 4 MB that a client of plain-HTTP upstreams (local models,
  /// a collector) never needs. False, with `why`, when it cannot be made;
  /// the next request tries again.
  bool ensure_tls(std::string& why) {
    if (tls_ready_.load(std::memory_order_acquire))
      return true;
    std::lock_guard guard{tls_mutex_};
    if (tls_ready_.load(std::memory_order_relaxed))
      return true;
    std::optional<ssl::context> ctx;
    try {
      ctx.emplace(ssl::context::tls_client);
      ctx->set_options(ssl::context::default_workarounds
                       | ssl::context::no_sslv2 | ssl::context::no_sslv3
                       | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      ctx->set_verify_mode(ssl::verify_peer);
    } catch (const std::exception& e) {
      why = std::string{"cannot make the TLS context: "} + e.what();
      return false;
    }
    error_code ec;
    if (cfg_.tls.use_system_store) {
      ctx->set_default_verify_paths(ec);
      if (ec) {
        why = "cannot load the system CA store: " + ec.message();
        return false;
      }
    }
    if (!cfg_.tls.ca_pem.empty()) {
      ctx->add_certificate_authority(net::buffer(cfg_.tls.ca_pem), ec);
      if (ec) {
        why = "cannot use the configured CA certificate: " + ec.message();
        return false;
      }
    }
    // Set once, before any https connection exists, and never replaced:
    // connections hold a reference to it.
    tls_ = std::move(ctx);
    tls_ready_.store(true, std::memory_order_release);
    return true;
  }

  // -- the pool ---------------------------------------------------------------

  struct pool {
    std::vector<std::shared_ptr<connection>> idle;
    std::deque<std::shared_ptr<exchange>> waiting;
    std::size_t open = 0;
  };

  /// Pools by loop thread (its io_context) and origin: an exchange uses
  /// connections of its own thread only.
  using pool_key = std::pair<net::io_context*, std::string>;

  struct pool_key_hash {
    std::size_t operator()(const pool_key& k) const noexcept {
      return std::hash<std::string>{}(k.second)
             ^ (std::hash<const void*>{}(k.first) << 1);
    }
  };

  /// Gives `ex` a connection now (returned) or queues it (nullptr, and
  /// `queued` set). Also nullptr, `queued` unset, when shutting down.
  std::shared_ptr<connection> acquire(const std::shared_ptr<exchange>& ex,
                                      const pool_key& key, bool tls,
                                      bool& queued);

  /// Takes a connection back: to the idle list (or straight to a waiting
  /// exchange) when `reusable`, else closes it and frees its slot.
  void release(const pool_key& key, std::shared_ptr<connection> c,
               bool reusable);

  /// A waiting exchange gave up; false when it is no longer queued (a
  /// connection is on its way to it).
  bool remove_waiting(const pool_key& key, const exchange* ex);

  void forget(const exchange* ex) {
    std::lock_guard guard{mutex_};
    live_.erase(ex);
  }

  void shutdown();

  net::io_context& ioc() noexcept {
    return io_context_of(*loop_);
  }

  const client_config& config() const noexcept {
    return cfg_;
  }

  client_stats stats() const noexcept {
    return {opened_.load(), requests_.load(), reused_.load()};
  }

  void count_open() noexcept {
    ++opened_;
  }

  void count_reuse() noexcept {
    ++reused_;
  }

 private:
  std::shared_ptr<connection> new_connection(const pool_key& key, bool tls) {
    return std::make_shared<connection>(*key.first, tls ? &*tls_ : nullptr);
  }

  void hand_over(const std::shared_ptr<exchange>& ex,
                 std::shared_ptr<connection> c);

  client_config cfg_;
  std::optional<ssl::context> tls_;
  std::atomic<bool> tls_ready_{false};
  std::mutex tls_mutex_;
  std::shared_ptr<io_loop> loop_;
  /// A loop of its own waits, on shutdown, for cancelled requests to end; a
  /// shared one is stopped by its owner (see io_loop).
  bool own_loop_ = false;
  std::mutex mutex_;
  std::unordered_map<pool_key, pool, pool_key_hash> pools_;
  std::unordered_map<const void*, std::weak_ptr<exchange>> live_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> opened_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> reused_{0};
};

namespace {

// -- one request/response exchange --------------------------------------------

/// Runs one request on one loop thread: waits for a connection, connects if
/// needed, writes, reads the head and the body, and reports exactly once.
class exchange final : public cancellable,
                       public std::enable_shared_from_this<exchange> {
 public:
  enum class phase {
    created,
    queued,
    connecting,
    writing,
    reading_head,
    reading_body,
    done
  };

  exchange(http_client::impl& client, const origin& to, client_request req,
           const request_options& opts, response_callbacks cb)
      : client_(client),
        ioc_(client.ioc()),
        timer_(ioc_.get_executor()),
        origin_(to),
        key_(&ioc_, to.to_string()),
        cb_(std::move(cb)) {
    const auto& cfg = client.config();
    connect_timeout_ = opts.connect_timeout.count() > 0 ? opts.connect_timeout
                                                        : cfg.connect_timeout;
    first_byte_timeout_ = opts.first_byte_timeout.count() > 0
                            ? opts.first_byte_timeout
                            : cfg.first_byte_timeout;
    total_timeout_ = opts.total_timeout.count() > 0 ? opts.total_timeout
                                                    : cfg.total_timeout;
    max_body_ = opts.max_body_bytes > 0 ? opts.max_body_bytes
                                        : cfg.max_body_bytes;
    build_request(std::move(req), cfg.user_agent);
  }

  void start() {
    net::post(ioc_, [self = shared_from_this()] {
      self->begin();
    });
  }

  void cancel() noexcept override {
    try {
      net::post(ioc_, [self = shared_from_this()] {
        self->abort(transfer_error::cancelled, "cancelled");
      });
    } catch (...) {
      // Allocation failure while posting: the request runs to its end.
    }
  }

  /// From the pool, on any thread: a connection for a queued exchange.
  void connection_ready(std::shared_ptr<connection> c) {
    net::post(ioc_, [self = shared_from_this(), c = std::move(c)]() mutable {
      self->on_connection(std::move(c));
    });
  }

 private:
  void build_request(client_request req, const std::string& user_agent) {
    auto verb = bhttp::string_to_verb(req.method);
    if (verb == bhttp::verb::unknown)
      req_.method_string(req.method);
    else
      req_.method(verb);
    req_.target(req.target);
    req_.version(11);
    std::string host = origin_.host.find(':') != std::string::npos
                         ? "[" + origin_.host + "]"
                         : origin_.host;
    if (origin_.port != (origin_.tls ? 443 : 80))
      host += ":" + std::to_string(origin_.port);
    req_.set(bhttp::field::host, host);
    req_.set(bhttp::field::user_agent, user_agent);
    for (auto& h : req.headers) {
      if (iequals(h.name, "host") || iequals(h.name, "content-length")
          || iequals(h.name, "transfer-encoding")
          || iequals(h.name, "connection"))
        continue;
      req_.insert(h.name, h.value);
    }
    req_.body() = std::move(req.body);
    req_.prepare_payload();
  }

  // -- stages -----------------------------------------------------------------

  void begin() {
    result_.started = clock_type::now();
    total_deadline_ = result_.started + total_timeout_;
    first_byte_deadline_ = result_.started + first_byte_timeout_;
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    arm(first_byte_deadline_, transfer_error::first_byte_timeout);
    if (std::string why; origin_.tls && !client_.ensure_tls(why))
      return fail(transfer_error::tls, why);
    bool queued = false;
    auto c = client_.acquire(shared_from_this(), key_, origin_.tls, queued);
    if (queued) {
      phase_ = phase::queued;
      return;
    }
    if (!c)
      return fail(transfer_error::cancelled,
                  "the HTTP client is shutting down");
    on_connection(std::move(c));
  }

  void on_connection(std::shared_ptr<connection> c) {
    if (aborting_ != transfer_error::none) {
      // Given up while the connection was on its way: it is untouched, so
      // a connected one goes back to the pool.
      bool reusable = c->connected;
      client_.release(key_, std::move(c), reusable);
      return fail(aborting_, abort_detail_);
    }
    conn_ = std::move(c);
    if (conn_->connected) {
      result_.reused_connection = true;
      client_.count_reuse();
      write();
    } else {
      connect();
    }
  }

  void connect() {
    phase_ = phase::connecting;
    client_.count_open();
    auto deadline = clock_type::now() + connect_timeout_;
    if (deadline < first_byte_deadline_)
      arm(deadline, transfer_error::connect_timeout);
    resolver_.emplace(ioc_.get_executor());
    resolver_->async_resolve(
      origin_.host, std::to_string(origin_.port),
      [self = shared_from_this()](error_code ec,
                                  tcp::resolver::results_type results) {
        self->on_resolve(ec, std::move(results));
      });
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    if (ec)
      return fail(transfer_error::resolve,
                  "cannot resolve " + origin_.host + ": " + ec.message());
    net::async_connect(conn_->socket(), results,
                       [self = shared_from_this()](error_code cec,
                                                   const tcp::endpoint&) {
                         self->on_connect(cec);
                       });
  }

  void on_connect(error_code ec) {
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    if (ec)
      return fail(transfer_error::connect, "cannot connect to "
                                             + origin_.to_string() + ": "
                                             + ec.message());
    error_code ignored;
    conn_->socket().set_option(tcp::no_delay(true), ignored);
    if (!conn_->secure) {
      conn_->connected = true;
      return write();
    }
    SSL* ssl_handle = conn_->secure->native_handle();
    if (is_ip_literal(origin_.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle),
                                    origin_.host.c_str());
    } else {
      // SNI, then the RFC 6125 name check against the certificate.
      SSL_set_tlsext_host_name(ssl_handle, origin_.host.c_str());
      SSL_set_hostflags(ssl_handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(ssl_handle, origin_.host.c_str());
    }
    conn_->secure->async_handshake(ssl::stream_base::client,
                                   [self = shared_from_this()](error_code hec) {
                                     self->on_handshake(hec);
                                   });
  }

  void on_handshake(error_code ec) {
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    if (ec) {
      std::string detail = "TLS handshake with " + origin_.to_string()
                           + " failed: ";
      auto verify = SSL_get_verify_result(conn_->secure->native_handle());
      if (verify != X509_V_OK)
        detail += std::string{"certificate verify failed: "}
                  + X509_verify_cert_error_string(verify);
      else
        detail += ec.message();
      return fail(transfer_error::tls, std::move(detail));
    }
    conn_->connected = true;
    write();
  }

  void write() {
    phase_ = phase::writing;
    arm(first_byte_deadline_, transfer_error::first_byte_timeout);
    auto handler = [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_write(ec);
    };
    if (conn_->secure)
      bhttp::async_write(*conn_->secure, req_, std::move(handler));
    else
      bhttp::async_write(*conn_->plain, req_, std::move(handler));
  }

  void on_write(error_code ec) {
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    if (ec)
      return fail_or_retry(ec);
    phase_ = phase::reading_head;
    parser_.emplace();
    parser_->body_limit(max_body_);
    parser_->header_limit(
      static_cast<std::uint32_t>(client_.config().max_header_bytes));
    auto handler = [self = shared_from_this()](error_code rec, std::size_t) {
      self->on_head(rec);
    };
    if (conn_->secure)
      bhttp::async_read_header(*conn_->secure, conn_->buffer, *parser_,
                               std::move(handler));
    else
      bhttp::async_read_header(*conn_->plain, conn_->buffer, *parser_,
                               std::move(handler));
  }

  void on_head(error_code ec) {
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    if (ec)
      return fail_or_retry(ec);
    const auto& msg = parser_->get();
    response_head head;
    head.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg)
      head.headers.push_back(
        {std::string{field.name_string().data(), field.name_string().size()},
         std::string{field.value().data(), field.value().size()}});
    if (cb_.on_head)
      stream_body_ = cb_.on_head(head) && static_cast<bool>(cb_.on_body);
    result_.status = head.status;
    result_.headers = std::move(head.headers);
    phase_ = phase::reading_body;
    read_body();
  }

  void read_body() {
    if (parser_->is_done())
      return complete();
    auto& body = parser_->get().body();
    body.data = body_buffer_.data();
    body.size = body_buffer_.size();
    body.more = true;
    auto handler = [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_body(ec);
    };
    if (conn_->secure)
      bhttp::async_read_some(*conn_->secure, conn_->buffer, *parser_,
                             std::move(handler));
    else
      bhttp::async_read_some(*conn_->plain, conn_->buffer, *parser_,
                             std::move(handler));
  }

  void on_body(error_code ec) {
    if (aborting_ != transfer_error::none)
      return fail(aborting_, abort_detail_);
    if (ec == bhttp::error::need_buffer)
      ec = {};
    auto n = body_buffer_.size() - parser_->get().body().size;
    if (n > 0) {
      if (!got_first_byte_) {
        got_first_byte_ = true;
        result_.first_byte = clock_type::now();
        arm(total_deadline_, transfer_error::total_timeout);
      }
      std::string_view piece{body_buffer_.data(), n};
      if (stream_body_)
        cb_.on_body(piece);
      else
        result_.body.append(piece);
    }
    if (ec)
      return fail(map_read_error(ec), describe_read_error(ec));
    read_body();
  }

  void complete() {
    if (!got_first_byte_)
      result_.first_byte = clock_type::now();
    timer_.cancel();
    phase_ = phase::done;
    bool reusable = parser_->keep_alive();
    client_.release(key_, std::move(conn_), reusable);
    finish();
  }

  // -- failure ----------------------------------------------------------------

  /// A request on a pooled connection that the server had already closed
  /// fails before any response byte: go again once on a fresh connection,
  /// as browsers and curl do.
  void fail_or_retry(error_code ec) {
    bool nothing_back = phase_ == phase::writing
                        || (phase_ == phase::reading_head && parser_
                            && !parser_->got_some());
    if (result_.reused_connection && !retried_ && nothing_back
        && ec != bhttp::error::header_limit) {
      retried_ = true;
      result_.reused_connection = false;
      conn_->close();
      client_.release(key_, std::move(conn_), false);
      bool queued = false;
      auto c = client_.acquire(shared_from_this(), key_, origin_.tls, queued);
      if (queued) {
        phase_ = phase::queued;
        return;
      }
      if (!c)
        return fail(transfer_error::cancelled,
                    "the HTTP client is shutting down");
      return on_connection(std::move(c));
    }
    fail(map_read_error(ec), describe_read_error(ec));
  }

  transfer_error map_read_error(error_code ec) const {
    if (ec == bhttp::error::body_limit)
      return transfer_error::body_too_large;
    if (ec == bhttp::error::header_limit)
      return transfer_error::header_too_large;
    if (ec == bhttp::error::partial_message)
      return transfer_error::truncated;
    bool got_some = parser_ && parser_->got_some();
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof
        || ec == net::error::connection_reset
        || ec == net::error::connection_aborted || ec == net::error::broken_pipe
        || ec == ssl::error::stream_truncated
        || ec == net::error::operation_aborted)
      return got_some ? transfer_error::truncated : transfer_error::connection;
    if (ec.category() == error_code{bhttp::error::bad_target}.category())
      return transfer_error::protocol;
    return got_some ? transfer_error::truncated : transfer_error::connection;
  }

  std::string describe_read_error(error_code ec) const {
    auto who = origin_.to_string();
    if (ec == bhttp::error::body_limit)
      return "response body from " + who + " over the limit of "
             + std::to_string(max_body_) + " bytes";
    if (ec == bhttp::error::header_limit)
      return "response header from " + who + " over the limit of "
             + std::to_string(client_.config().max_header_bytes) + " bytes";
    auto kind = map_read_error(ec);
    if (kind == transfer_error::truncated)
      return "response from " + who + " cut short: " + ec.message();
    if (kind == transfer_error::connection)
      return "connection to " + who
             + " closed before a response: " + ec.message();
    return "invalid HTTP from " + who + ": " + ec.message();
  }

  void fail(transfer_error kind, std::string detail) {
    if (phase_ == phase::done && done_)
      return;
    timer_.cancel();
    if (resolver_)
      resolver_->cancel();
    if (conn_) {
      conn_->close();
      client_.release(key_, std::move(conn_), false);
    }
    phase_ = phase::done;
    result_.error = kind;
    result_.error_detail = std::move(detail);
    finish();
  }

  void finish() {
    if (done_)
      return;
    done_ = true;
    result_.finished = clock_type::now();
    if (!got_first_byte_ && result_.first_byte == clock_type::time_point{})
      result_.first_byte = result_.started;
    client_.forget(this);
    auto on_done = std::move(cb_.on_done);
    cb_ = {};
    if (on_done)
      on_done(std::move(result_));
  }

  /// Gives up on the exchange: at once when nothing is in flight, else by
  /// closing the socket so that the pending operation ends and reports.
  void abort(transfer_error kind, std::string detail) {
    if (done_ || aborting_ != transfer_error::none)
      return;
    aborting_ = kind;
    abort_detail_ = std::move(detail);
    switch (phase_) {
      case phase::created: return; // begin() reports it
      case phase::queued:
        if (client_.remove_waiting(key_, this))
          fail(aborting_, abort_detail_);
        // Otherwise a connection is on its way; on_connection reports.
        return;
      case phase::done: return;
      default:
        if (resolver_)
          resolver_->cancel();
        if (conn_)
          conn_->close();
        return;
    }
  }

  /// Sets the deadline of what the exchange waits for now (clamped to the
  /// total one). The timer is armed only when none is pending or the new
  /// deadline comes first; when it fires before the deadline it re-arms for
  /// it. A request on a pooled connection then arms it once and cancels it
  /// once, where arming per stage cost a reactor call and a cancelled
  /// handler each.
  void arm(clock_type::time_point deadline, transfer_error kind) {
    if (total_deadline_ < deadline) {
      deadline = total_deadline_;
      kind = transfer_error::total_timeout;
    }
    deadline_ = deadline;
    deadline_kind_ = kind;
    if (!timer_armed_ || deadline < timer_at_)
      start_timer(deadline);
  }

  void start_timer(clock_type::time_point at) {
    timer_armed_ = true;
    timer_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) // else cancelled: re-armed, or the exchange is over
        self->on_timer();
    });
  }

  void on_timer() {
    timer_armed_ = false;
    if (done_)
      return;
    if (clock_type::now() < deadline_)
      return start_timer(deadline_);
    abort(deadline_kind_, describe_timeout(deadline_kind_, *this));
  }

  static std::string describe_timeout(transfer_error kind, const exchange& ex) {
    auto who = ex.origin_.to_string();
    switch (kind) {
      case transfer_error::connect_timeout:
        return "no connection to " + who + " within "
               + std::to_string(ex.connect_timeout_.count()) + " ms";
      case transfer_error::first_byte_timeout:
        return "no response from " + who + " within "
               + std::to_string(ex.first_byte_timeout_.count()) + " ms";
      default:
        return "response from " + who + " not complete within "
               + std::to_string(ex.total_timeout_.count()) + " ms";
    }
  }

  http::http_client::impl& client_;
  net::io_context& ioc_;
  timer_type timer_;
  /// Made when the exchange connects; a pooled connection needs none.
  std::optional<resolver_type> resolver_;
  origin origin_;
  /// This exchange's pool: its thread's, for its origin.
  http_client::impl::pool_key key_;
  bhttp::request<bhttp::string_body> req_;
  response_callbacks cb_;
  std::chrono::milliseconds connect_timeout_{};
  std::chrono::milliseconds first_byte_timeout_{};
  std::chrono::milliseconds total_timeout_{};
  std::size_t max_body_ = 0;
  clock_type::time_point total_deadline_{};
  clock_type::time_point first_byte_deadline_{};
  clock_type::time_point deadline_{};
  transfer_error deadline_kind_ = transfer_error::none;
  clock_type::time_point timer_at_{};
  bool timer_armed_ = false;
  std::shared_ptr<connection> conn_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
  /// Beast copies body bytes here (not zeroed: only what it wrote is read).
  std::array<char, 16 * 1024> body_buffer_;
  client_response result_;
  phase phase_ = phase::created;
  transfer_error aborting_ = transfer_error::none;
  std::string abort_detail_;
  bool stream_body_ = false;
  bool got_first_byte_ = false;
  bool retried_ = false;
  bool done_ = false;
};

} // namespace

// -- the pool -----------------------------------------------------------------

std::shared_ptr<connection>
http_client::impl::acquire(const std::shared_ptr<exchange>& ex,
                           const pool_key& key, bool tls, bool& queued) {
  queued = false;
  std::shared_ptr<connection> stale;
  std::lock_guard guard{mutex_};
  if (stopping_)
    return nullptr;
  auto& p = pools_[key];
  auto now = clock_type::now();
  while (!p.idle.empty()) {
    auto c = std::move(p.idle.back());
    p.idle.pop_back();
    if (now - c->idle_since <= cfg_.idle_timeout)
      return c;
    c->close();
    --p.open;
  }
  if (p.open < cfg_.max_connections_per_origin) {
    ++p.open;
    return new_connection(key, tls);
  }
  p.waiting.push_back(ex);
  queued = true;
  return nullptr;
}

void http_client::impl::release(const pool_key& key,
                                std::shared_ptr<connection> c, bool reusable) {
  std::shared_ptr<exchange> next;
  std::shared_ptr<connection> for_next;
  {
    std::lock_guard guard{mutex_};
    auto& p = pools_[key];
    if (reusable && !stopping_) {
      if (!p.waiting.empty()) {
        next = std::move(p.waiting.front());
        p.waiting.pop_front();
        for_next = std::move(c);
      } else {
        c->idle_since = clock_type::now();
        p.idle.push_back(std::move(c));
      }
    } else {
      c->close();
      --p.open;
      if (!stopping_ && !p.waiting.empty()
          && p.open < cfg_.max_connections_per_origin) {
        ++p.open;
        next = std::move(p.waiting.front());
        p.waiting.pop_front();
        bool tls = static_cast<bool>(c->secure);
        for_next = new_connection(key, tls);
      }
    }
  }
  if (next)
    next->connection_ready(std::move(for_next));
}

bool http_client::impl::remove_waiting(const pool_key& key,
                                       const exchange* ex) {
  std::lock_guard guard{mutex_};
  auto& waiting = pools_[key].waiting;
  for (auto i = waiting.begin(); i != waiting.end(); ++i)
    if (i->get() == ex) {
      waiting.erase(i);
      return true;
    }
  return false;
}

request_handle http_client::impl::send(const origin& to, client_request req,
                                       const request_options& opts,
                                       response_callbacks cb) {
  ++requests_;
  auto ex = std::make_shared<exchange>(*this, to, std::move(req), opts,
                                       std::move(cb));
  {
    std::lock_guard guard{mutex_};
    live_.emplace(ex.get(), ex);
  }
  ex->start();
  return request_handle{std::weak_ptr<cancellable>{ex}};
}

void http_client::impl::shutdown() {
  std::vector<std::shared_ptr<exchange>> live;
  {
    std::lock_guard guard{mutex_};
    if (stopping_)
      return;
    stopping_ = true;
    for (auto& [key, weak] : live_)
      if (auto ex = weak.lock())
        live.push_back(std::move(ex));
    for (auto& [key, p] : pools_) {
      // Idle connections have no operation pending: closing them here,
      // off the I/O threads, races with nothing.
      for (auto& c : p.idle)
        c->close();
      p.idle.clear();
    }
  }
  for (auto& ex : live)
    ex->cancel();
  live.clear();
  if (own_loop_ && loop_)
    loop_->finish();
}

// -- the facade ---------------------------------------------------------------

std::unique_ptr<http_client> http_client::make(client_config cfg,
                                               std::string& why) {
  auto p = std::make_shared<impl>(std::move(cfg));
  if (!p->init(why))
    return nullptr;
  return std::unique_ptr<http_client>{new http_client{std::move(p)}};
}

http_client::http_client(std::shared_ptr<impl> p) noexcept
    : impl_(std::move(p)) {}

http_client::~http_client() {
  impl_->shutdown();
}

request_handle http_client::send(const origin& to, client_request req,
                                 const request_options& opts,
                                 response_callbacks cb) {
  return impl_->send(to, std::move(req), opts, std::move(cb));
}

void http_client::post(std::function<void()> fn) {
  net::post(impl_->ioc(), std::move(fn));
}

client_stats http_client::stats() const noexcept {
  return impl_->stats();
}

const client_config& http_client::config() const noexcept {
  return impl_->config();
}

} // namespace switchyard::http
