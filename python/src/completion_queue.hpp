#pragma once

#include "python_reply.hpp"

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <vector>

namespace switchyard::python {

/// Hands replies from the runtime's threads to one asyncio event loop.
///
/// A reply is queued without the GIL; only the first reply into an empty
/// queue takes the GIL, to schedule one `drain` on the loop with
/// `loop.call_soon_threadsafe`. The drain then resolves every queued future
/// at once on the loop's thread. So hundreds of tasks completing together
/// cost one wake-up of the loop and one GIL hand-off, not one each.
///
/// A reply arriving after its loop closed is dropped (its future with it).
class completion_queue : public std::enable_shared_from_this<completion_queue> {
public:
  /// Needs the GIL.
  explicit completion_queue(pybind11::object loop);

  /// Takes the GIL to release the loop.
  ~completion_queue();

  completion_queue(const completion_queue&) = delete;
  completion_queue& operator=(const completion_queue&) = delete;

  /// Called with the GIL: a new reference to `future`, resolved by a later
  /// drain.
  [[nodiscard]] PyObject* hold(const pybind11::object& future) const;

  /// From a runtime thread, without the GIL: queues the reply for the
  /// future that `hold` returned.
  void push(PyObject* future, python_reply reply);

private:
  struct item {
    PyObject* future;
    python_reply reply;
  };

  /// On the loop's thread, with the GIL.
  void drain();

  /// With the GIL: releases every queued future unresolved.
  void drop_all();

  pybind11::object loop_;
  std::mutex mutex_;
  std::vector<item> items_;
};

} // namespace switchyard::python
