#include "completion_queue.hpp"

#include "python_errors.hpp"

namespace py = pybind11;

namespace switchyard::python {

completion_queue::completion_queue(py::object loop) : loop_(std::move(loop)) {
}

completion_queue::~completion_queue() {
  py::gil_scoped_acquire gil;
  drop_all();
  loop_ = py::object{};
}

PyObject* completion_queue::hold(const py::object& future) const {
  return py::object{future}.release().ptr();
}

void completion_queue::push(PyObject* future, python_reply reply) {
  bool first = false;
  {
    std::lock_guard guard{mutex_};
    first = items_.empty();
    items_.push_back({future, std::move(reply)});
  }
  if (!first)
    return; // a drain is already scheduled and will take this one too
  py::gil_scoped_acquire gil;
  try {
    auto self = shared_from_this();
    loop_.attr("call_soon_threadsafe")(
      py::cpp_function([self] { self->drain(); }));
  } catch (py::error_already_set&) {
    // The loop is closed: nobody is waiting any more.
    drop_all();
  }
}

void completion_queue::drain() {
  std::vector<item> ready;
  {
    std::lock_guard guard{mutex_};
    ready.swap(items_);
  }
  // Every reference is owned first, so that an error below leaks none.
  std::vector<py::object> futures;
  futures.reserve(ready.size());
  for (auto& it : ready)
    futures.push_back(py::reinterpret_steal<py::object>(it.future));
  for (std::size_t i = 0; i < ready.size(); ++i) {
    try {
      // Cancelled by its awaiter (asyncio.wait_for, a task group): skip.
      if (futures[i].attr("done")().cast<bool>())
        continue;
      const auto& r = ready[i].reply.reply;
      if (r.ok())
        futures[i].attr("set_result")(py::cast(std::move(ready[i].reply)));
      else
        futures[i].attr("set_exception")(
          make_error(r.error, r.error_message, r.decision_id));
    } catch (py::error_already_set& e) {
      // One future's failure is not the others': report it to the loop.
      e.discard_as_unraisable("switchyard: resolving a future");
    }
  }
}

void completion_queue::drop_all() {
  std::vector<item> dropped;
  {
    std::lock_guard guard{mutex_};
    dropped.swap(items_);
  }
  for (auto& it : dropped)
    Py_DECREF(it.future);
}

} // namespace switchyard::python
