#include "native_runtime.hpp"

#include "instant_provider.hpp"
#include "python_errors.hpp"
#include "task_from_python.hpp"

#include "switchyard/messages/decision_id.hpp"

#include <chrono>
#include <future>

namespace py = pybind11;

namespace switchyard::python {

namespace {

engine::feedback_report::verdict verdict_of(const std::string& outcome) {
  using verdict = engine::feedback_report::verdict;
  if (outcome.empty() || outcome == "none")
    return verdict::none;
  if (outcome == "success")
    return verdict::success;
  if (outcome == "partial")
    return verdict::partial;
  if (outcome == "failure")
    return verdict::failure;
  throw py::value_error("outcome must be success, partial, failure or None, "
                        "not '" + outcome + "'");
}

/// Waits for a future with the GIL released.
template <class T>
T wait_for(std::future<T>& f) {
  py::gil_scoped_release release;
  return f.get();
}

} // namespace

native_runtime::native_runtime(std::string config_path,
                               std::string registry_yaml, std::string data_dir,
                               std::size_t worker_threads,
                               std::size_t io_threads, double drain_timeout_s,
                               std::optional<std::string> otlp_endpoint,
                               std::optional<std::string> service_name,
                               std::optional<double> sample_ratio,
                               bool instant) {
  embedding_options opts;
  opts.config_path = std::move(config_path);
  opts.registry_yaml = std::move(registry_yaml);
  opts.data_dir = std::move(data_dir);
  opts.worker_threads = worker_threads;
  opts.io_threads = io_threads;
  // Checked by the runtime's start (telemetry's resolve_exporter_settings),
  // whose invalid_config error names the bound.
  opts.otlp_endpoint = std::move(otlp_endpoint);
  opts.service_name = std::move(service_name);
  opts.sample_ratio = sample_ratio;
  if (instant)
    opts.make_client = [client = std::make_shared<python::instant_provider>()](
                         const engine::provider_spec&) { return client; };
  if (!(drain_timeout_s >= 0.0))
    throw py::value_error("drain_timeout_s must be >= 0");
  opts.drain_deadline = std::chrono::milliseconds{
    static_cast<std::int64_t>(drain_timeout_s * 1000.0)};
  caf::expected<std::unique_ptr<embedded_runtime>> started{caf::error{}};
  {
    py::gil_scoped_release release;
    started = embedded_runtime::start(std::move(opts));
  }
  if (!started)
    raise_error(static_cast<error_code>(started.error().code()),
                error_message(started.error()));
  handle_ = std::make_shared<runtime_handle>();
  handle_->rt = std::move(*started);
}

native_runtime::~native_runtime() {
  // pybind11 destroys the object with the GIL held; the drain needs the
  // runtime's threads, whose callbacks take the GIL.
  py::gil_scoped_release release;
  if (handle_ && handle_->rt)
    handle_->rt->shutdown();
}

embedded_runtime& native_runtime::rt() {
  if (closed_)
    raise_error(error_code::invalid_argument,
                "the runtime is closed: start a new one to submit tasks");
  return *handle_->rt;
}

std::pair<std::uint64_t, std::string>
native_runtime::route(const py::dict& task) {
  auto spec = task_from_python(task);
  auto& r = rt();
  auto promise = std::make_shared<std::promise<route_result>>();
  auto future = promise->get_future();
  r.route(std::move(spec), [promise](route_result res) {
    promise->set_value(std::move(res));
  });
  auto res = wait_for(future);
  if (!res.ok())
    raise_error(res.error, res.error_message, res.decision_id);
  return {res.decision_id, r.decision_json(res.decision, res.decision_id)};
}

python_reply native_runtime::execute(const py::dict& task) {
  auto spec = task_from_python(task);
  auto future = rt().execute(std::move(spec));
  auto reply = wait_for(future);
  if (!reply.ok())
    raise_error(reply.error, reply.error_message, reply.decision_id);
  return {std::move(reply), handle_};
}

void native_runtime::submit(const py::dict& task,
                            const std::shared_ptr<completion_queue>& queue,
                            const py::object& future) {
  auto spec = task_from_python(task);
  auto& r = rt();
  auto* held = queue->hold(future);
  r.execute(std::move(spec),
            [queue, held, owner = handle_](task_reply reply) mutable {
              // The queue is let go here, before the runtime counts the task
              // done: once close() has drained, no runtime thread still
              // holds Python objects (the queue's loop).
              auto q = std::move(queue);
              q->push(held, {std::move(reply), std::move(owner)});
            });
}

std::shared_ptr<chunk_stream> native_runtime::stream(const py::dict& task) {
  auto spec = task_from_python(task);
  auto& r = rt();
  auto s = std::make_shared<chunk_stream>(handle_);
  r.stream(
    std::move(spec), [s](const stream_event& e) { s->on_chunk(e); },
    [s](task_reply reply) { s->on_done(std::move(reply)); });
  return s;
}

void native_runtime::feedback(std::uint64_t decision_id,
                              const std::string& outcome,
                              std::optional<double> quality,
                              std::optional<int> rating,
                              std::optional<bool> pr_merged,
                              std::optional<bool> pr_reverted) {
  engine::feedback_report report;
  report.outcome = verdict_of(outcome);
  if (quality && !(*quality >= 0.0 && *quality <= 1.0))
    throw py::value_error("quality must be between 0 and 1");
  if (rating && (*rating < 1 || *rating > 5))
    throw py::value_error("rating must be 1-5");
  report.quality = quality;
  report.rating = rating;
  report.pr_merged = pr_merged;
  report.pr_reverted = pr_reverted;
  if (!engine::score_feedback(report))
    throw py::value_error("feedback needs an outcome, quality, rating or a "
                          "pull request's fate");
  auto promise = std::make_shared<std::promise<error_code>>();
  auto future = promise->get_future();
  rt().feedback(decision_id, report,
                [promise](error_code e) { promise->set_value(e); });
  auto result = wait_for(future);
  if (result == error_code::not_found)
    raise_error(result, "decision " + format_decision_id(decision_id)
                          + " is unknown or past retention",
                decision_id);
  if (result != error_code::none)
    raise_error(result, "the feedback could not be stored", decision_id);
}

std::string native_runtime::explain(std::uint64_t decision_id) {
  auto promise = std::make_shared<std::promise<decision_explanation>>();
  auto future = promise->get_future();
  rt().explain(decision_id, [promise](decision_explanation e) {
    promise->set_value(std::move(e));
  });
  auto e = wait_for(future);
  if (!e.ok())
    raise_error(e.error, e.error_message, decision_id);
  return std::move(e.json);
}

py::dict native_runtime::stats() const {
  auto s = handle_->rt->stats();
  py::dict d;
  d["submitted"] = s.submitted;
  d["succeeded"] = s.succeeded;
  d["failed"] = s.failed;
  d["in_flight"] = s.in_flight;
  d["spent_usd"] = s.spent_usd;
  d["decisions_queued"] = s.decisions_queued;
  d["decisions_logged"] = s.decisions_logged;
  d["decisions_dropped"] = s.decisions_dropped;
  d["decisions_failed"] = s.decisions_failed;
  d["decisions_evicted"] = s.decisions_evicted;
  d["store_error"] = s.store_error;
  return d;
}

void native_runtime::close() {
  if (closed_)
    return;
  closed_ = true;
  py::gil_scoped_release release;
  handle_->rt->shutdown();
}

} // namespace switchyard::python
