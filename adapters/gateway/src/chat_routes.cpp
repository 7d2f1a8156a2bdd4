// The chat APIs (/v1/chat/completions, /v1/messages, /v1/responses), plain
// and streamed: parse in the client's format, run the task, answer in the
// client's format whichever provider made the answer. Tool-call ids go out
// tagged with the model that made them and come back stripped, so that an
// agent loop stays on its model (tool_call_stickiness).

#include "gateway_impl.hpp"
#include "switchyard/engine/call_admission.hpp"
#include "switchyard/engine/cancel_token.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/gateway/responses_api.hpp"
#include "switchyard/gateway/stream_format.hpp"
#include "switchyard/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace switchyard::gateway {

namespace {

using http::header_list;

parsed_chat parse_for(api_format api, std::string_view body,
                      const header_lookup& headers,
                      const engine::registry& reg) {
  switch (api) {
    case api_format::messages:
      return parse_anthropic_messages(body, headers, reg);
    case api_format::responses:
      return parse_responses_request(body, headers, reg);
    case api_format::chat_completions: break;
  }
  return parse_openai_chat(body, headers, reg);
}

/// The wire format that made a model's reasoning: a signed block goes back
/// only to that format (content_part::name of reasoning parts).
std::string_view reasoning_source(const engine::registry& reg,
                                  std::uint16_t model) {
  if (model >= reg.models.size())
    return {};
  switch (reg.provider_of(reg.models[model]).kind) {
    case engine::provider_kind::anthropic: return "anthropic";
    case engine::provider_kind::gemini: return "gemini";
    default: return {};
  }
}

std::unique_ptr<stream_encoder>
make_encoder(api_format api, std::uint64_t decision, std::string model,
             std::int64_t created, const chat_request& req) {
  auto hex = decision_ref(decision).substr(4);
  switch (api) {
    case api_format::messages:
      return make_anthropic_encoder("msg_" + hex, std::move(model));
    case api_format::responses:
      return make_responses_encoder(responses_id(decision), std::move(model),
                                    created, req);
    case api_format::chat_completions: break;
  }
  return make_openai_encoder("chatcmpl-" + hex, std::move(model), created,
                             req.include_usage);
}

std::uint32_t retries_of(const task_reply& r) {
  std::uint32_t n = 0;
  for (const auto& a : r.attempts)
    n += a.retries;
  return n;
}

/// Whichever comes first decides: the task's answer, or its client's
/// disconnect (which cancels the task). The two arrive on different threads.
class answer_race {
public:
  /// The client went away: true when the task was still running.
  bool abandon() noexcept {
    auto expected = running;
    return state_.compare_exchange_strong(expected, abandoned);
  }

  /// The answer came: true when the client had gone already.
  bool answer() noexcept {
    return state_.exchange(answered) == abandoned;
  }

private:
  static constexpr int running = 0;
  static constexpr int answered = 1;
  static constexpr int abandoned = 2;
  std::atomic<int> state_{running};
};

/// Retry-After for a refusal by this node's concurrency limits, in whole
/// seconds (at least 1).
std::string overloaded_retry_after_s() {
  auto ms = engine::overloaded_retry_after.count();
  return std::to_string(std::max<long long>(1, (ms + 999) / 1000));
}

/// One streamed response: opened by the first chunk (so that a failure
/// before it can still fall back, or answer with a proper error status),
/// closed by the task's reply. Chunks arrive on a client I/O thread, the
/// reply on an actor thread, one after the other.
struct stream_state {
  std::mutex mutex;
  std::unique_ptr<stream_encoder> encoder;
  std::uint64_t decision_id = 0;
  std::uint16_t model = 0;
  std::string_view source;
  /// Whether each tool call (by its index in the answer) has begun.
  std::vector<bool> calls_begun;
};

} // namespace

void gateway_server::impl::chat(const http::server_request& req, writer_ptr w,
                                api_format api, const caller& who,
                                const request_end& finish) {
  bool anthropic = api == api_format::messages;
  header_lookup headers = [&req](std::string_view name) {
    return req.header(name);
  };
  auto parsed = parse_for(api, req.body, headers, cfg.registry);
  if (auto e = std::get_if<api_error>(&parsed)) {
    reply_error(w, *e, anthropic);
    return finish(e->status, 0, {}, who.key_id);
  }
  // Shared: the streaming callbacks and the Responses renderer read the
  // request after the task has gone.
  auto chat_req
    = std::make_shared<chat_request>(std::move(std::get<chat_request>(parsed)));
  sticky->apply(*chat_req);
  chat_req->task.budget_key = who.key_id;
  // The Responses API echoes request fields in its answer: keep the task.
  task_spec task;
  if (api == api_format::responses)
    task = chat_req->task;
  else
    task = std::move(chat_req->task);
  auto started = clock_type::now();
  auto key_id = who.key_id;
  // A client that disconnects before its answer is complete abandons the
  // task: its upstream calls are aborted and their reservations released.
  auto race = std::make_shared<answer_race>();
  task.cancel = std::make_shared<engine::cancel_token>();
  task.trace = finish.trace;
  w->on_abandon([this, race, token = task.cancel] {
    if (!race->abandon())
      return;
    metrics->on_cancelled();
    token->cancel();
  });
  auto fail = [this, w, anthropic, finish, key_id](const task_reply& r) {
    auto e = error_for(r);
    header_list extra;
    if (r.decision_id != 0)
      extra.push_back(
        {"x-switchyard-decision-id", decision_ref(r.decision_id)});
    if (refused_as_overloaded(r))
      extra.push_back({"retry-after", overloaded_retry_after_s()});
    reply_error(w, e, anthropic, std::move(extra));
    finish(e.status, r.decision_id, {}, key_id);
  };

  if (!chat_req->stream) {
    rt->execute(std::move(task), [this, w, api, anthropic, started, finish,
                                  key_id, chat_req, fail,
                                  race](task_reply r) {
      metrics->on_task(r, elapsed_us(started));
      dashboard->on_task(r);
      if (race->answer())
        return finish(499, r.decision_id, {}, key_id); // nobody to tell
      if (!r.ok())
        return fail(r);
      sticky->hand_out(r.content, r.model, r.decision_id);
      const auto& model = cfg.registry.models[r.model].id;
      std::string body;
      if (api == api_format::messages) {
        auto rendered = anthropic_message_body(r, cfg.registry);
        if (auto e = std::get_if<api_error>(&rendered)) {
          reply_error(
            w, *e, anthropic,
            {{"x-switchyard-decision-id", decision_ref(r.decision_id)}});
          return finish(e->status, r.decision_id, model, key_id);
        }
        body = std::move(std::get<std::string>(rendered));
      } else if (api == api_format::responses) {
        body = responses_body(r, cfg.registry, unix_now(), *chat_req);
      } else {
        body = openai_completion_body(r, cfg.registry, unix_now());
      }
      header_list h{{"x-switchyard-decision-id", decision_ref(r.decision_id)},
                    {"x-switchyard-model", model},
                    {"x-switchyard-cost-usd", usd_text(r.cost_nanos)},
                    {"x-switchyard-task-type",
                     std::string{engine::to_string(r.decision.cls.type)}},
                    {"x-switchyard-complexity",
                     std::string{engine::to_string(r.decision.cls.tier)}},
                    {"x-switchyard-attempts",
                     std::to_string(r.attempts.size())},
                    {"x-switchyard-retries", std::to_string(retries_of(r))},
                    {"x-switchyard-parallel", r.parallel ? "true" : "false"},
                    {"x-switchyard-plan", std::string{engine::to_string(r.plan)}},
                    {"x-switchyard-steps", steps_text(r, cfg.registry)},
                    {"content-type", "application/json"}};
      w->respond(200, std::move(h), std::move(body));
      finish(200, r.decision_id, model, key_id);
    });
    return;
  }

  auto st = std::make_shared<stream_state>();
  auto open = [this, w, api, chat_req](stream_state& s, std::uint64_t decision,
                                       std::uint16_t model,
                                       std::uint32_t input_tokens,
                                       engine::plan_kind plan) {
    const auto& id = cfg.registry.models[model].id;
    s.decision_id = decision;
    s.model = model;
    s.source = reasoning_source(cfg.registry, model);
    s.encoder = make_encoder(api, decision, id, unix_now(), *chat_req);
    w->begin(200, {{"content-type", "text/event-stream"},
                   {"cache-control", "no-cache"},
                   {"x-switchyard-decision-id", decision_ref(decision)},
                   {"x-switchyard-model", id},
                   {"x-switchyard-plan", std::string{engine::to_string(plan)}}});
    w->write(s.encoder->start(input_tokens));
  };
  /// A tool-call fragment, with the call's client id on its first one.
  auto tool_fragment
    = [this](stream_state& s, std::uint32_t index, std::string_view provider_id,
             std::string_view name, std::string_view arguments) -> std::string {
    if (index >= s.calls_begun.size())
      s.calls_begun.resize(index + 1, false);
    if (s.calls_begun[index])
      return arguments.empty() ? std::string{}
                               : s.encoder->tool_call(index, {}, {}, arguments);
    s.calls_begun[index] = true;
    auto id = sticky->hand_out(provider_id, s.model, s.decision_id, index);
    return s.encoder->tool_call(index, id, name, arguments);
  };
  rt->execute_streaming(
    std::move(task),
    [this, w, st, open, tool_fragment](const stream_event& ev) {
      std::lock_guard<std::mutex> guard{st->mutex};
      if (!st->encoder) {
        auto model = cfg.registry.model_index(ev.model);
        if (!model)
          return; // not a model of ours: nothing to attribute it to
        open(*st, ev.decision_id, *model, ev.chunk.input_tokens.value_or(0),
             ev.plan);
      }
      const auto& c = ev.chunk;
      std::string out;
      if (!c.reasoning.empty() || !c.reasoning_signature.empty())
        out += st->encoder->reasoning(c.reasoning, c.reasoning_signature,
                                      st->source);
      if (!c.delta.empty())
        out += st->encoder->text(c.delta);
      if (c.tool_index)
        out += tool_fragment(*st, *c.tool_index, c.tool_id, c.tool_name,
                             c.tool_arguments);
      if (!out.empty())
        w->write(std::move(out));
    },
    [this, w, st, open, tool_fragment, started, finish, key_id, fail,
     race](task_reply r) {
      metrics->on_task(r, elapsed_us(started));
      dashboard->on_task(r);
      if (race->answer())
        return finish(499, r.decision_id, {}, key_id); // nobody to tell
      std::lock_guard<std::mutex> guard{st->mutex};
      if (!r.ok()) {
        if (!st->encoder)
          return fail(r);
        // Mid-stream: an error event, never a clean end.
        auto e = error_for(r);
        w->write(st->encoder->error(e.type, r.error_message));
        w->end();
        return finish(e.status, r.decision_id, {}, key_id);
      }
      const auto& model = cfg.registry.models[r.model].id;
      std::string out;
      if (!st->encoder) {
        // An answer that came whole (an ensemble, or an empty one).
        open(*st, r.decision_id, r.model, r.input_tokens, r.plan);
        for (const auto& p : r.content)
          if (p.kind == engine::part_kind::reasoning)
            out += p.redacted
                     ? st->encoder->redacted_reasoning(p.data, p.name)
                     : st->encoder->reasoning(p.text, p.signature, p.name);
        if (!r.text.empty())
          out += st->encoder->text(r.text);
      }
      // Tool calls the stream did not carry (a whole answer, or an
      // upstream that sent them only at the end) go out whole.
      std::uint32_t position = 0;
      for (const auto& p : r.content) {
        if (p.kind != engine::part_kind::tool_call)
          continue;
        auto index = position++;
        if (index < st->calls_begun.size() && st->calls_begun[index])
          continue;
        out += tool_fragment(*st, index, p.id, p.name,
                             p.arguments.empty()
                               ? std::string_view{"{}"}
                               : std::string_view{p.arguments});
      }
      out += st->encoder->finish(r.finish_reason, r.input_tokens,
                                 r.output_tokens);
      // The cost is known only now; headers are gone, so it travels as an
      // SSE comment that clients ignore.
      out += ": x-switchyard-cost-usd " + usd_text(r.cost_nanos) + "\n";
      out += ": x-switchyard-plan " + std::string{engine::to_string(r.plan)}
             + "\n: x-switchyard-steps " + steps_text(r, cfg.registry)
             + "\n\n";
      w->write(std::move(out));
      w->end();
      finish(200, r.decision_id, model, key_id);
    });
}

} // namespace switchyard::gateway
