#pragma once

#include "python_chunk.hpp"
#include "python_reply.hpp"

#include <pybind11/pybind11.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace switchyard::python {

/// The chunks of one streamed task, between the HTTP I/O thread that
/// writes them and the Python code that reads them: blocking (`next`, the
/// GIL released while it waits) or polled from an event loop that a
/// `wakeup` callable resumes.
class chunk_stream {
public:
  explicit chunk_stream(runtime_handle_ptr owner) : owner_(std::move(owner)) {
  }

  /// Takes the GIL to release `wakeup`.
  ~chunk_stream();

  chunk_stream(const chunk_stream&) = delete;
  chunk_stream& operator=(const chunk_stream&) = delete;

  // -- the runtime's side (no GIL) ---------------------------------------------

  void on_chunk(const stream_event& e);
  void on_done(task_reply r);

  // -- Python's side (with the GIL) --------------------------------------------

  /// Waits for the next chunk; none when the stream is over (see `finish`).
  [[nodiscard]] std::optional<python_chunk> next();

  /// The chunks there now, and whether the stream is over.
  [[nodiscard]] std::pair<std::deque<python_chunk>, bool> poll();

  /// Called (with the GIL, from the I/O thread) whenever chunks arrive into
  /// an empty queue or the stream ends. Set at most once.
  void set_wakeup(pybind11::object wakeup);

  /// After the last chunk: the reply, or raises its error.
  [[nodiscard]] python_reply finish();

private:
  void notify(bool was_empty);

  runtime_handle_ptr owner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<python_chunk> chunks_;
  std::optional<task_reply> reply_;
  pybind11::object wakeup_;
  bool has_wakeup_ = false;
};

} // namespace switchyard::python
