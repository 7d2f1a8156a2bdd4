#include "switchyard/actors/judge_actor.hpp"

#include "switchyard/actors/call_request_builder.hpp"
#include "switchyard/engine/consensus.hpp"
#include "switchyard/engine/ensemble_deadline.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/internal_spans.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <chrono>
#include <memory>

namespace switchyard::actors {

namespace {

using self_ptr = judge_actor::stateful_pointer<judge_state>;

/// Tokens a judge may write: a verdict line and one sentence.
constexpr std::uint32_t judge_max_tokens = 256;

const engine::model_spec& model(const judge_state& st, std::uint16_t m) {
  return st.ctx.registry->models[m];
}

executor_actor& executor_for(judge_state& st, std::uint16_t m) {
  return st.executors[model(st, m).provider_index];
}

std::vector<attempt_record> member_records(const judge_state::run& r) {
  std::vector<attempt_record> out;
  for (const auto& m : r.members)
    out.push_back({m.model, m.done ? m.result.error : engine::call_error::cancelled,
                   m.result.latency_ms, m.result.cost_nanos,
                   m.result.retries});
  return out;
}

std::vector<std::uint16_t> cut_members(const judge_state::run& r) {
  std::vector<std::uint16_t> out;
  for (const auto& m : r.members)
    if (m.cut)
      out.push_back(m.model);
  return out;
}

std::int64_t member_cost(const judge_state::run& r) {
  std::int64_t sum = 0;
  for (const auto& m : r.members)
    sum += m.result.cost_nanos;
  return sum;
}

void reply(self_ptr self, std::uint64_t run_id, std::size_t winner,
           std::int64_t extra_cost, bool judge_fallback) {
  auto& st = self->state;
  auto i = st.runs.find(run_id);
  if (i == st.runs.end())
    return;
  auto& r = i->second;
  ensemble_reply out;
  out.ok = true;
  out.winner = r.members[winner].model;
  out.answer = r.members[winner].result;
  out.members = member_records(r);
  out.cost_nanos = member_cost(r) + extra_cost;
  out.judge_fallback = judge_fallback;
  out.cut = cut_members(r);
  r.promise.deliver(std::move(out));
  st.runs.erase(i);
}

void fail(self_ptr self, std::uint64_t run_id, std::string message) {
  auto& st = self->state;
  auto i = st.runs.find(run_id);
  if (i == st.runs.end())
    return;
  ensemble_reply out;
  out.error_message = std::move(message);
  out.members = member_records(i->second);
  out.cost_nanos = member_cost(i->second);
  out.cut = cut_members(i->second);
  i->second.promise.deliver(std::move(out));
  st.runs.erase(i);
}

std::vector<engine::ensemble_answer> answers_of(const judge_state& st,
                                                const judge_state::run& r) {
  std::vector<engine::ensemble_answer> as;
  for (const auto& m : r.members) {
    auto q = model(st, m.model).quality;
    if (auto c = r.decision.find_candidate(m.model))
      q = c->predicted_quality;
    as.push_back({m.model, m.done && m.result.ok(), m.result.text, q,
                  m.arrival});
  }
  return as;
}

/// A traced span held by the continuations of one call; null when the
/// ensemble is not traced (nothing is allocated then).
using shared_span = std::shared_ptr<telemetry::active_span>;

void ask_judge(self_ptr self, std::uint64_t run_id) {
  auto& st = self->state;
  auto& r = st.runs.at(run_id);
  auto as = answers_of(st, r);
  auto prompt = engine::build_judge_prompt(r.spec.text, as);
  auto judge_model = r.decision.ensemble.judge;
  const auto& jm = model(st, judge_model);
  call_order order{st.ctx.next_call_id(),
                   build_judge_request(r.spec, jm, prompt, judge_max_tokens),
                   nullptr};
  // The judge's span, under the ensemble's; its call's attempts under it.
  auto span = telemetry::start_shared_span(
    r.spec.trace, std::string{telemetry::span_names::judge});
  if (span) {
    span->set(telemetry::attrs::judge_model, std::string_view{jm.id});
    order.request.trace = span->as_parent();
  }
  self->request(executor_for(st, judge_model), caf::infinite, call_atom::value,
                std::move(order))
    .then(
      [self, run_id, span](engine::call_result& verdict) {
        auto& s = self->state;
        auto i = s.runs.find(run_id);
        if (i == s.runs.end())
          return;
        auto answers = answers_of(s, i->second);
        std::optional<std::size_t> pick;
        if (verdict.ok())
          pick = engine::parse_judge_verdict(verdict.text, answers.size());
        auto c = engine::reach_consensus(engine::consensus_strategy::judge,
                                         answers, pick);
        if (span) {
          if (c.winner)
            span->set(telemetry::attrs::ensemble_winner,
                      telemetry::model_id(*s.ctx.registry,
                                          answers[*c.winner].model));
          if (c.judge_fallback)
            span->set(telemetry::attrs::judge_fallback, true);
          if (!verdict.ok())
            span->fail(engine::to_string(verdict.error));
          span->end();
        }
        if (!c.winner) {
          fail(self, run_id, "no ensemble member produced an answer");
          return;
        }
        reply(self, run_id, *c.winner, verdict.cost_nanos, c.judge_fallback);
      },
      [self, run_id, span](caf::error&) {
        if (span)
          span->fail("the judge's executor did not answer").end();
        // Without a verdict the members' answers still decide.
        auto& s = self->state;
        auto i = s.runs.find(run_id);
        if (i == s.runs.end())
          return;
        auto answers = answers_of(s, i->second);
        auto c = engine::reach_consensus(engine::consensus_strategy::judge,
                                         answers, std::nullopt);
        if (c.winner)
          reply(self, run_id, *c.winner, 0, true);
        else
          fail(self, run_id, "no ensemble member produced an answer");
      });
}

/// Cancels every member still running and marks it cut.
void cut_stragglers(self_ptr self, judge_state::run& r) {
  auto& st = self->state;
  for (auto& m : r.members)
    if (!m.done) {
      m.cut = true;
      self->send(executor_for(st, m.model), cancel_atom::value, m.call_id);
    }
}

/// Goes on to the consensus when the quorum or the deadline says so.
void advance(self_ptr self, std::uint64_t run_id) {
  auto& st = self->state;
  auto& r = st.runs.at(run_id);
  std::size_t answered = 0;
  std::size_t succeeded = 0;
  for (const auto& m : r.members)
    if (m.done) {
      ++answered;
      succeeded += m.result.ok() ? 1 : 0;
    }
  switch (engine::ensemble_progress(r.members.size(), answered, succeeded,
                                    r.decision.ensemble.quorum,
                                    r.deadline_passed)) {
    case engine::ensemble_next::wait:
      return;
    case engine::ensemble_next::fail:
      fail(self, run_id, "every ensemble member failed");
      return;
    case engine::ensemble_next::proceed:
      break;
  }
  r.proceeded = true;
  cut_stragglers(self, r);
  auto strategy = r.decision.ensemble.strategy;
  if (strategy == engine::consensus_strategy::judge
      && r.decision.ensemble.has_judge) {
    ask_judge(self, run_id);
    return;
  }
  auto c = engine::reach_consensus(strategy, answers_of(st, r));
  if (c.winner)
    reply(self, run_id, *c.winner, 0, false);
  else
    fail(self, run_id, "no ensemble member produced an answer");
}

/// A member's span once its call ended: the ensemble is gone (`run` null)
/// or cut it when it proceeded without the member.
void end_member_span(telemetry::active_span& span,
                     const engine::call_result& result,
                     const judge_state::run* run, std::size_t index) {
  if (span.recording()) {
    if (run == nullptr || run->members[index].cut)
      span.set(telemetry::attrs::member_cut, true);
    else if (!result.ok())
      span.fail(engine::to_string(result.error));
    span.set(telemetry::attrs::cost_usd,
             engine::nanos_to_usd(result.cost_nanos));
  }
  span.end();
}

void on_member(self_ptr self, std::uint64_t run_id, std::size_t index,
               engine::call_result result,
               const shared_span& span = nullptr) {
  auto& st = self->state;
  auto i = st.runs.find(run_id);
  if (span)
    end_member_span(*span, result, i == st.runs.end() ? nullptr : &i->second,
                    index);
  if (i == st.runs.end())
    return;
  auto& r = i->second;
  auto& m = r.members[index];
  if (m.cut) {
    // The cancelled call's answer: what the upstream bills for the part it
    // had, counted while the judge still works.
    m.result.latency_ms = result.latency_ms;
    m.result.cost_nanos = result.cost_nanos;
    return;
  }
  if (m.done || r.proceeded)
    return;
  m.done = true;
  m.result = std::move(result);
  m.arrival = r.arrivals++;
  if (r.decision.ensemble.strategy == engine::consensus_strategy::first_success
      && m.result.ok()) {
    r.proceeded = true;
    cut_stragglers(self, r);
    reply(self, run_id, index, 0, false);
    return;
  }
  advance(self, run_id);
}

} // namespace

judge_actor::behavior_type
judge(judge_actor::stateful_pointer<judge_state> self, runtime_context ctx,
      std::vector<executor_actor> executors) {
  self->state.ctx = std::move(ctx);
  self->state.executors = std::move(executors);
  return {
    [self](ensemble_atom, task_spec& spec, engine::decision& d)
      -> caf::typed_response_promise<ensemble_reply> {
      auto& st = self->state;
      auto run_id = ++st.next_run;
      auto& r = st.runs[run_id];
      r.promise = self->make_response_promise<ensemble_reply>();
      auto promise = r.promise;
      r.spec = std::move(spec);
      r.decision = std::move(d);
      const auto& policy = st.ctx.registry->policy;
      // Each member may spend its share of the ensemble's reservation.
      for (auto m : r.decision.ensemble.members) {
        const auto& spec_m = model(st, m);
        auto cost = engine::estimate_cost(spec_m, r.decision.tokens).max;
        auto max_tokens = engine::max_tokens_within(
          spec_m, r.decision.tokens.input, cost, policy.max_tokens_per_task);
        auto& added = r.members.emplace_back();
        added.model = m;
        added.call_id = st.ctx.next_call_id();
        auto index = r.members.size() - 1;
        call_order order{r.members.back().call_id,
                         build_call_request(r.spec, spec_m, max_tokens),
                         nullptr};
        // The member's span, under the ensemble's; its attempts under it.
        auto span = telemetry::start_shared_span(
          r.spec.trace, telemetry::ensemble_member_span_name(spec_m.id));
        if (span) {
          span->set(telemetry::attrs::member_model,
                    std::string_view{spec_m.id});
          order.request.trace = span->as_parent();
        }
        self->request(executor_for(st, m), caf::infinite, call_atom::value,
                      std::move(order))
          .then(
            [self, run_id, index, span](engine::call_result& res) {
              on_member(self, run_id, index, std::move(res), span);
            },
            [self, run_id, index, m, span](caf::error& e) {
              engine::call_result res;
              res.model = self->state.ctx.registry->models[m].id;
              res.error = engine::call_error::connection;
              res.error_message = caf::to_string(e);
              on_member(self, run_id, index, std::move(res), span);
            });
      }
      if (r.members.empty())
        fail(self, run_id, "the ensemble has no members");
      else if (auto ms = r.decision.ensemble.deadline_ms; ms > 0)
        self->delayed_send(caf::actor_cast<judge_actor>(self),
                           std::chrono::milliseconds{ms}, timeout_atom::value,
                           run_id);
      return promise;
    },
    [self](timeout_atom, std::uint64_t run_id) {
      auto i = self->state.runs.find(run_id);
      if (i == self->state.runs.end() || i->second.proceeded)
        return;
      i->second.deadline_passed = true;
      advance(self, run_id);
    },
  };
}

} // namespace switchyard::actors
