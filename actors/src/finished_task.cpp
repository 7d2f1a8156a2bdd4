#include "switchyard/actors/finished_task.hpp"

#include "switchyard/actors/task_routing.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

namespace switchyard::actors {

task_reply task_answer(coordinator_state::task_run& r,
                       const engine::task_step& s, engine::call_result* answer,
                       double latency_ms) {
  task_reply out;
  out.decision_id = r.decision_id;
  out.error = s.error;
  out.error_message = s.message;
  out.model = s.model;
  if (answer != nullptr) {
    out.text = std::move(answer->text);
    out.content = std::move(answer->content);
    out.finish_reason = std::move(answer->finish_reason);
    out.input_tokens = answer->input_tokens;
    out.output_tokens = answer->output_tokens;
  }
  out.cost_nanos = r.flow.spent();
  out.latency_ms = latency_ms;
  out.parallel = s.ensemble;
  out.attempts = std::move(r.flow.attempts());
  out.decision = std::move(r.flow.current());
  return out;
}

decision_record task_decision_record(coordinator_state::task_run& r,
                                     const task_reply* out, std::uint64_t seed,
                                     error_code error,
                                     const std::string& error_text) {
  decision_record rec;
  rec.decision_id = r.decision_id;
  rec.created_unix_ms = r.created_unix_ms;
  rec.execute = r.executes();
  // Not the transcript: the record keeps what routing read of it.
  rec.task = logged_task(r.spec);
  rec.shape = shape_of(r.spec);
  rec.rounds = std::move(r.rounds_log);
  rec.seed = seed;
  rec.experiment = r.flow.experiment();
  rec.experiment_arm = r.flow.experiment_arm();
  // Joins the record to the task's spans and access log line (an
  // unsampled trace too: its caller may record spans of it).
  if (r.spec.trace)
    rec.trace_id = r.spec.trace->context.trace_id.bytes;
  rec.error = error;
  rec.error_message = error_text;
  if (out != nullptr) {
    rec.error = out->error;
    rec.error_message = out->error_message;
    rec.answered = out->ok();
    rec.answered_by = out->model;
    rec.input_tokens = out->input_tokens;
    rec.output_tokens = out->output_tokens;
    rec.cost_nanos = out->cost_nanos;
    rec.latency_ms = out->latency_ms;
    rec.parallel = out->parallel;
    rec.attempts = out->attempts;
  }
  return rec;
}

} // namespace switchyard::actors
