// switchyard._native: the pybind11 half of the `switchyard` package. The
// Python half (python/switchyard/__init__.py) is the API users import.

#include "chunk_stream.hpp"
#include "completion_queue.hpp"
#include "embed_benchmark.hpp"
#include "native_runtime.hpp"

#include "switchyard/messages/decision_id.hpp"

#include <pybind11/stl.h>

namespace py = pybind11;
using namespace switchyard;
using namespace switchyard::python;

namespace {

std::string model_id(const python_reply& r, std::uint16_t m) {
  const auto& models = r.owner->rt->registry().models;
  return m < models.size() ? models[m].id : "#" + std::to_string(m);
}

py::dict part_dict(const engine::content_part& p) {
  py::dict d;
  d["type"] = std::string{engine::to_string(p.kind)};
  switch (p.kind) {
    case engine::part_kind::text:
      d["text"] = p.text;
      break;
    case engine::part_kind::tool_call:
      d["id"] = p.id;
      d["name"] = p.name;
      d["arguments"] = p.arguments;
      break;
    case engine::part_kind::reasoning:
      d["text"] = p.text;
      d["signature"] = p.signature;
      break;
    default:
      d["text"] = p.text;
      break;
  }
  return d;
}

/// The reply's tool calls in the shape an assistant message takes them
/// back (OpenAI's), so that an agent loop appends them as they are.
py::list tool_calls(const python_reply& r) {
  py::list calls;
  for (const auto& p : r.reply.content) {
    if (p.kind != engine::part_kind::tool_call)
      continue;
    py::dict fn;
    fn["name"] = p.name;
    fn["arguments"] = p.arguments;
    py::dict call;
    call["id"] = p.id;
    call["type"] = "function";
    call["function"] = fn;
    calls.append(call);
  }
  return calls;
}

} // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "switchyard's runtime (see the switchyard package)";
  m.attr("__version__") = SWITCHYARD_VERSION;

  py::class_<python_reply>(m, "Reply")
    .def_property_readonly("decision_id",
                           [](const python_reply& r) {
                             return r.reply.decision_id;
                           })
    .def_property_readonly("decision_ref",
                           [](const python_reply& r) {
                             return format_decision_id(r.reply.decision_id);
                           })
    .def_property_readonly("model",
                           [](const python_reply& r) {
                             return model_id(r, r.reply.model);
                           })
    .def_property_readonly("text",
                           [](const python_reply& r) { return r.reply.text; })
    .def_property_readonly("finish_reason",
                           [](const python_reply& r) {
                             return r.reply.finish_reason;
                           })
    .def_property_readonly("tool_calls", &tool_calls)
    .def_property_readonly("content",
                           [](const python_reply& r) {
                             py::list parts;
                             for (const auto& p : r.reply.content)
                               parts.append(part_dict(p));
                             return parts;
                           })
    .def_property_readonly("input_tokens",
                           [](const python_reply& r) {
                             return r.reply.input_tokens;
                           })
    .def_property_readonly("output_tokens",
                           [](const python_reply& r) {
                             return r.reply.output_tokens;
                           })
    .def_property_readonly("cost_usd",
                           [](const python_reply& r) {
                             return engine::nanos_to_usd(r.reply.cost_nanos);
                           })
    .def_property_readonly("latency_ms",
                           [](const python_reply& r) {
                             return r.reply.latency_ms;
                           })
    .def_property_readonly("parallel",
                           [](const python_reply& r) {
                             return r.reply.parallel;
                           })
    .def_property_readonly("attempts",
                           [](const python_reply& r) {
                             py::list out;
                             for (const auto& a : r.reply.attempts)
                               out.append(model_id(r, a.model));
                             return out;
                           })
    .def_property_readonly("plan",
                           [](const python_reply& r) {
                             return std::string{
                               engine::to_string(r.reply.plan)};
                           })
    .def_property_readonly("steps",
                           [](const python_reply& r) {
                             py::list out;
                             for (const auto& s : r.reply.steps) {
                               py::dict d;
                               d["role"] = s.role;
                               d["model"] = s.has_model
                                              ? py::object(py::str(
                                                  model_id(r, s.model)))
                                              : py::object(py::none());
                               d["final"] = s.final;
                               d["ran"] = s.ran;
                               d["ok"] = s.ok;
                               d["revision"] = s.revision;
                               d["cost_usd"]
                                 = engine::nanos_to_usd(s.cost_nanos);
                               d["worst_cost_usd"]
                                 = engine::nanos_to_usd(s.worst_cost_nanos);
                               d["started_ms"] = s.started_ms;
                               d["latency_ms"] = s.latency_ms;
                               d["score"] = s.score >= 0.0
                                              ? py::object(py::float_(s.score))
                                              : py::object(py::none());
                               d["note"] = s.note;
                               out.append(std::move(d));
                             }
                             return out;
                           })
    .def("decision_json",
         [](const python_reply& r) {
           return r.owner->rt->decision_json(r.reply.decision,
                                             r.reply.decision_id);
         })
    .def("__repr__", [](const python_reply& r) {
      return "<switchyard.Reply " + format_decision_id(r.reply.decision_id)
             + " model=" + model_id(r, r.reply.model) + ">";
    });

  py::class_<python_chunk>(m, "Chunk")
    .def_readonly("text", &python_chunk::text)
    .def_readonly("reasoning", &python_chunk::reasoning)
    .def_readonly("tool_index", &python_chunk::tool_index)
    .def_readonly("tool_id", &python_chunk::tool_id)
    .def_readonly("tool_name", &python_chunk::tool_name)
    .def_readonly("tool_arguments", &python_chunk::tool_arguments)
    .def_readonly("finish_reason", &python_chunk::finish_reason)
    .def_readonly("model", &python_chunk::model)
    .def("__repr__", [](const python_chunk& c) {
      return "<switchyard.Chunk " + py::repr(py::str(c.text)).cast<std::string>()
             + ">";
    });

  py::class_<chunk_stream, std::shared_ptr<chunk_stream>>(m, "ChunkStream")
    .def("next", &chunk_stream::next)
    .def("poll", &chunk_stream::poll)
    .def("set_wakeup", &chunk_stream::set_wakeup)
    .def("finish", &chunk_stream::finish);

  py::class_<completion_queue, std::shared_ptr<completion_queue>>(
    m, "CompletionQueue")
    .def(py::init<py::object>(), py::arg("loop"));

  py::class_<native_runtime>(m, "Runtime")
    .def(py::init<std::string, std::string, std::string, std::size_t,
                  std::size_t, double, std::optional<std::string>,
                  std::optional<std::string>, std::optional<double>, bool>(),
         py::arg("config_path"), py::arg("registry_yaml"),
         py::arg("data_dir"), py::arg("worker_threads"),
         py::arg("io_threads"), py::arg("drain_timeout_s"),
         py::arg("otlp_endpoint") = py::none(),
         py::arg("service_name") = py::none(),
         py::arg("sample_ratio") = py::none(),
         py::arg("instant_provider") = false)
    .def("route", &native_runtime::route)
    .def("execute", &native_runtime::execute)
    .def("submit", &native_runtime::submit)
    .def("stream", &native_runtime::stream)
    .def("feedback", &native_runtime::feedback, py::arg("decision_id"),
         py::arg("outcome"), py::arg("quality"), py::arg("rating"),
         py::arg("pr_merged"), py::arg("pr_reverted"))
    .def("explain", &native_runtime::explain)
    .def("stats", &native_runtime::stats)
    .def("close", &native_runtime::close)
    .def_property_readonly("closed", &native_runtime::closed);

  m.def("bench_cpp", &bench_cpp, py::arg("runtime"), py::arg("tasks"),
        py::arg("in_flight"), py::arg("task"), py::arg("blocking") = false,
        "The C++ API's figures on the same runtime (bench/python_embed.py)");
}
