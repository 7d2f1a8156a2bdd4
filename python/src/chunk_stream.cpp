#include "chunk_stream.hpp"

#include "python_errors.hpp"

namespace py = pybind11;

namespace switchyard::python {

chunk_stream::~chunk_stream() {
  if (wakeup_) {
    py::gil_scoped_acquire gil;
    wakeup_ = py::object{};
  }
}

void chunk_stream::on_chunk(const stream_event& e) {
  python_chunk c;
  c.text = e.chunk.delta;
  c.reasoning = e.chunk.reasoning;
  c.tool_index = e.chunk.tool_index;
  c.tool_id = e.chunk.tool_id;
  c.tool_name = e.chunk.tool_name;
  c.tool_arguments = e.chunk.tool_arguments;
  c.finish_reason = e.chunk.finish_reason;
  c.model = e.model;
  bool was_empty = false;
  {
    std::lock_guard guard{mutex_};
    was_empty = chunks_.empty();
    chunks_.push_back(std::move(c));
  }
  notify(was_empty);
}

void chunk_stream::on_done(task_reply r) {
  {
    std::lock_guard guard{mutex_};
    reply_ = std::move(r);
  }
  notify(true);
}

void chunk_stream::notify(bool was_empty) {
  changed_.notify_all();
  bool wake = false;
  {
    std::lock_guard guard{mutex_};
    wake = was_empty && has_wakeup_;
  }
  if (!wake)
    return;
  // wakeup_ never changes once set, so it is read without the mutex.
  py::gil_scoped_acquire gil;
  try {
    wakeup_();
  } catch (py::error_already_set&) {
    // The loop closed under the stream: nobody reads it any more.
  }
}

std::optional<python_chunk> chunk_stream::next() {
  std::optional<python_chunk> out;
  // The mutex is never held while waiting for the GIL (nor the other way
  // round on the I/O thread), so the two cannot deadlock.
  py::gil_scoped_release release;
  std::unique_lock guard{mutex_};
  changed_.wait(guard, [this] { return !chunks_.empty() || reply_; });
  if (!chunks_.empty()) {
    out = std::move(chunks_.front());
    chunks_.pop_front();
  }
  return out;
}

std::pair<std::deque<python_chunk>, bool> chunk_stream::poll() {
  std::lock_guard guard{mutex_};
  std::deque<python_chunk> out;
  out.swap(chunks_);
  return {std::move(out), reply_.has_value()};
}

void chunk_stream::set_wakeup(py::object wakeup) {
  std::lock_guard guard{mutex_};
  if (has_wakeup_)
    throw py::value_error("a stream is read by one event loop only");
  wakeup_ = std::move(wakeup);
  has_wakeup_ = true;
}

python_reply chunk_stream::finish() {
  std::optional<task_reply> r;
  {
    std::lock_guard guard{mutex_};
    r = reply_;
  }
  if (!r)
    throw py::value_error("the stream has not ended yet");
  if (!r->ok())
    raise_error(r->error, r->error_message, r->decision_id);
  return {std::move(*r), owner_};
}

} // namespace switchyard::python
