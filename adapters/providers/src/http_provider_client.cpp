#include "switchyard/http/retry_after.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/providers/make_provider_client.hpp"

#include "switchyard/clock/system_time.hpp"
#include "switchyard/providers/model_price.hpp"
#include "switchyard/providers/provider_errors.hpp"
#include "switchyard/providers/wire_format.hpp"

#include <chrono>
#include <map>
#include <mutex>

namespace switchyard::providers {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

/// Everything one call needs until its `done` has run. Shared between the
/// HTTP callbacks, which run one at a time on the exchange's strand.
struct call_state {
  std::string model;
  model_price price;
  bool streaming = false;
  clock_type::time_point start;
  clock_type::time_point first_chunk{};
  std::unique_ptr<stream_decoder> decoder;
  chunk_callback on_chunk;
  /// Hands chunks to `on_chunk`, noting when the first piece of the answer
  /// came: text, reasoning or a tool call (an answer may be only calls).
  chunk_callback timed_chunk;
  done_callback done;
  engine::call_result result;
  /// The decoder refused the stream (malformed, or an error event): its
  /// verdict wins over the transport's "cancelled".
  bool decoder_failed = false;
  std::mutex handle_mutex;
  http::request_handle handle;
};

/// Cancels one call through the HTTP exchange it runs on.
class http_call_handle final : public engine::call_handle {
 public:
  explicit http_call_handle(http::request_handle h) noexcept
      : http_(std::move(h)) {}

  void cancel() noexcept override {
    http_.cancel();
  }

 private:
  http::request_handle http_;
};

/// One provider over HTTP in the wire format its kind names. Calls hold a
/// reference to it until their `done` has run.
class http_provider_client final
    : public provider_client,
      public std::enable_shared_from_this<http_provider_client> {
 public:
  http_provider_client(engine::provider_spec spec, http::url base,
                       std::optional<std::string> key,
                       std::map<std::string, model_price, std::less<>> prices,
                       http::http_client& http,
                       std::unique_ptr<wire_format> format,
                       provider_client_options opts)
      : spec_(std::move(spec)),
        base_(std::move(base)),
        key_(std::move(key)),
        prices_(std::move(prices)),
        http_(http),
        format_(std::move(format)),
        opts_(std::move(opts)),
        prefix_("provider '" + spec_.id + "' ("
                + std::string{engine::to_string(spec_.kind)} + "): ") {}

  const engine::provider_spec& spec() const noexcept override {
    return spec_;
  }

  engine::call_handle_ptr call(engine::call_request req,
                               done_callback done) override {
    return start(std::move(req), false, {}, std::move(done));
  }

  engine::call_handle_ptr stream(engine::call_request req,
                                 chunk_callback on_chunk,
                                 done_callback done) override {
    return start(std::move(req), true, std::move(on_chunk), std::move(done));
  }

  /// GETs the format's models endpoint with the key, within `timeout`
  /// (connect and total; zero takes the client's defaults). Outcomes: a
  /// transport failure or a missing key is `reached = false` with the reason
  /// (no exchange is made without the key); any response is `reached =
  /// true` with its status; a 2xx gives the names, unless its body is not a
  /// listing, which leaves `models` empty and says so in `error_message`
  /// (a non-empty message always means "not a usable listing"). A refused
  /// key (401, 403) is named as such. Keys never reach a message.
  engine::call_handle_ptr list_models(std::chrono::milliseconds timeout,
                                      listing_fn done) override {
    if (!spec_.api_key_env.empty() && !key_) {
      engine::model_listing r;
      r.error_message = prefix_ + "no API key: the environment variable "
                        + spec_.api_key_env + " is not set";
      http_.post([done = std::move(done), r = std::move(r)]() mutable {
        done(std::move(r));
      });
      return std::make_shared<http_call_handle>(http::request_handle{});
    }
    http::client_request request;
    format_->build_models_request(base_.path, request);
    if (key_)
      format_->authorize(*key_, request.headers);
    http::request_options opts;
    bool given = timeout.count() > 0;
    opts.connect_timeout = given ? timeout : opts_.connect_timeout;
    opts.first_byte_timeout = given ? timeout : opts_.first_byte_timeout;
    opts.total_timeout = given ? timeout : opts_.total_timeout;
    opts.max_body_bytes = opts_.max_body_bytes;
    http::response_callbacks cb;
    cb.on_done = [self = shared_from_this(), target = request.target,
                  done = std::move(done)](http::client_response r) {
      done(self->read_listing(target, std::move(r)));
    };
    return std::make_shared<http_call_handle>(
      http_.send(base_.origin, std::move(request), opts, std::move(cb)));
  }

 private:
  /// The listing a finished exchange gives (see list_models).
  engine::model_listing read_listing(std::string_view target,
                                     http::client_response r) const {
    engine::model_listing out;
    bool success = r.status >= 200 && r.status < 300;
    if (!r.ok()) {
      out.error_message = "GET " + std::string{target}
                          + " failed: " + std::string{http::to_string(r.error)}
                          + (r.error_detail.empty() ? std::string{}
                                                    : ": " + r.error_detail);
    } else if (success) {
      out.reached = true;
      out.http_status = r.status;
      if (!format_->parse_models(r.body, out))
        out.models.clear();
    } else {
      out.reached = true;
      out.http_status = r.status;
      auto upstream = upstream_error_message(r.body);
      out.error_message = "HTTP " + std::to_string(r.status);
      if ((r.status == 401 || r.status == 403) && key_)
        out.error_message += ": the key in " + spec_.api_key_env
                             + " was refused";
      else if (r.status == 401 || r.status == 403)
        out.error_message += ": refused, and no key is configured";
      if (!upstream.empty())
        out.error_message += ": " + upstream;
    }
    if (!out.error_message.empty()) {
      out.error_message.insert(0, prefix_);
      if (key_)
        redact(out.error_message, *key_);
    }
    return out;
  }

  engine::call_handle_ptr start(engine::call_request req, bool streaming,
                                chunk_callback on_chunk, done_callback done) {
    auto state = std::make_shared<call_state>();
    state->model = req.model;
    state->streaming = streaming;
    state->start = clock_type::now();
    state->on_chunk = std::move(on_chunk);
    state->done = std::move(done);
    state->result.model = req.model;
    auto price = prices_.find(req.model);
    if (price == prices_.end())
      return refuse(std::move(state), "model '" + req.model
                                        + "' is not a model of this "
                                          "provider in the registry");
    state->price = price->second;
    if (!spec_.api_key_env.empty() && !key_)
      return refuse(std::move(state), "no API key: the environment variable "
                                        + spec_.api_key_env + " is not set");
    http::client_request request;
    if (auto why = format_->build_request(req, streaming, base_.path, request);
        !why.empty())
      return refuse(std::move(state), std::move(why));
    if (key_)
      format_->authorize(*key_, request.headers);
    // W3C Trace Context: the executor set these for an upstream that may
    // see the trace (telemetry::propagates_to).
    if (!req.traceparent.empty()) {
      request.headers.push_back({"traceparent", std::move(req.traceparent)});
      if (!req.tracestate.empty())
        request.headers.push_back({"tracestate", std::move(req.tracestate)});
    }
    http::request_options opts;
    const auto& t = req.timeouts;
    opts.connect_timeout = t.connect.count() > 0 ? t.connect
                                                 : opts_.connect_timeout;
    opts.first_byte_timeout
      = t.first_byte.count() > 0 ? t.first_byte : opts_.first_byte_timeout;
    opts.total_timeout = t.total.count() > 0 ? t.total : opts_.total_timeout;
    opts.max_body_bytes = opts_.max_body_bytes;
    http::response_callbacks cb;
    if (streaming) {
      state->decoder = format_->make_stream_decoder();
      state->timed_chunk = [s = state.get()](const engine::stream_chunk& c) {
        if (s->first_chunk == clock_type::time_point{}
            && (!c.delta.empty() || !c.reasoning.empty() || c.tool_index))
          s->first_chunk = clock_type::now();
        if (s->on_chunk)
          s->on_chunk(c);
      };
      cb.on_head = [](const http::response_head& head) {
        // Error bodies are collected whole, to read the provider's message.
        return head.status >= 200 && head.status < 300;
      };
      cb.on_body = [state](std::string_view bytes) {
        on_stream_bytes(*state, bytes);
      };
    }
    cb.on_done = [self = shared_from_this(), state](http::client_response r) {
      self->complete(*state, std::move(r));
    };
    std::lock_guard guard{state->handle_mutex};
    state->handle = http_.send(base_.origin, std::move(request), opts,
                               std::move(cb));
    return std::make_shared<http_call_handle>(state->handle);
  }

  /// Fails a call before any exchange, still on an I/O thread.
  engine::call_handle_ptr refuse(std::shared_ptr<call_state> state,
                                 std::string why) {
    state->result.error = engine::call_error::client_error;
    state->result.finish_reason = "error";
    state->result.error_message = prefix_ + why;
    http_.post([state] {
      auto done = std::move(state->done);
      if (done)
        done(std::move(state->result));
    });
    return std::make_shared<http_call_handle>(http::request_handle{});
  }

  static void on_stream_bytes(call_state& s, std::string_view bytes) {
    if (s.decoder_failed)
      return;
    auto before = s.result.text.size();
    bool ok = s.decoder->feed(bytes, s.timed_chunk, s.result);
    if (s.first_chunk == clock_type::time_point{}
        && s.result.text.size() > before)
      s.first_chunk = clock_type::now();
    if (!ok) {
      s.decoder_failed = true;
      std::lock_guard guard{s.handle_mutex};
      s.handle.cancel();
    }
  }

  void complete(call_state& s, http::client_response r) {
    auto now = clock_type::now();
    auto& result = s.result;
    result.http_status = r.status;
    result.latency_ms = ms_between(s.start, now);
    bool success_status = r.status >= 200 && r.status < 300;
    if (s.decoder_failed) {
      // result.error and the message came from the decoder.
    } else if (!r.ok()) {
      result.error = classify_transfer(r.error, r.status != 0);
      if (s.streaming && success_status
          && (r.error == http::transfer_error::connection
              || r.error == http::transfer_error::truncated))
        result.error = engine::call_error::truncated;
      result.error_message = r.error_detail;
      if (result.error == engine::call_error::truncated && s.streaming)
        result.error_message = "stream cut before its final event: "
                               + r.error_detail;
    } else if (!success_status) {
      result.error = classify_status(r.status);
      auto upstream = upstream_error_message(r.body);
      result.error_message = "HTTP " + std::to_string(r.status)
                             + (upstream.empty() ? std::string{}
                                                 : ": " + upstream);
      if (auto ra = http::find_header(r.headers, "retry-after"))
        result.retry_after
          = http::parse_retry_after(
            *ra, std::chrono::system_clock::time_point{
                   std::chrono::milliseconds{opts_.time->wall_ms()}});
    } else if (s.streaming) {
      if (!s.decoder->finish(result)) {
        result.error = engine::call_error::truncated;
        result.error_message = "stream ended without its final event";
      }
    } else {
      format_->parse_response(r.body, result);
    }
    if (s.streaming) {
      if (s.first_chunk != clock_type::time_point{})
        result.time_to_first_token_ms = ms_between(s.start, s.first_chunk);
    } else if (r.ok()) {
      result.time_to_first_token_ms = ms_between(s.start, r.first_byte);
    }
    result.cost_nanos = s.price.cost(result.input_tokens, result.output_tokens);
    if (!result.ok()) {
      result.finish_reason = "error";
      result.error_message = prefix_ + result.error_message;
      if (key_)
        redact(result.error_message, *key_);
    }
    auto done = std::move(s.done);
    s.on_chunk = {};
    if (done)
      done(std::move(result));
  }

  engine::provider_spec spec_;
  http::url base_;
  /// Read once at construction; goes into request headers only.
  std::optional<std::string> key_;
  std::map<std::string, model_price, std::less<>> prices_;
  http::http_client& http_;
  std::unique_ptr<wire_format> format_;
  provider_client_options opts_;
  std::string prefix_;
};

} // namespace

caf::expected<std::shared_ptr<provider_client>>
make_provider_client(const engine::provider_spec& provider,
                     const engine::registry& reg, http::http_client& http,
                     const key_lookup& keys, provider_client_options opts) {
  opts.time = time_or_system(std::move(opts.time));
  std::string why;
  auto base = http::parse_url(provider.base_url, why);
  if (!base)
    return caf::error{error_code::invalid_config,
                      "provider '" + provider.id + "': base_url '"
                        + provider.base_url + "' " + why};
  std::optional<std::string> key;
  if (!provider.api_key_env.empty() && keys) {
    key = keys(provider.api_key_env);
    if (key && key->empty())
      key.reset();
  }
  std::map<std::string, model_price, std::less<>> prices;
  for (const auto& m : reg.models)
    if (m.provider == provider.id)
      prices.emplace(m.id, model_price::of(m));
  std::shared_ptr<provider_client> client
    = std::make_shared<http_provider_client>(
      provider, std::move(*base), std::move(key), std::move(prices), http,
      make_wire_format(provider.kind), std::move(opts));
  return client;
}

} // namespace switchyard::providers
