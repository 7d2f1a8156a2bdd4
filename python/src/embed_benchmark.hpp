#pragma once

#include "native_runtime.hpp"

#include <pybind11/pybind11.h>

#include <cstddef>

namespace switchyard::python {

/// The C++ side of bench/python_embed.py: `tasks` tasks through the same
/// runtime's C++ API, `in_flight` at a time (each completion submits the
/// next from the runtime's thread), timed from submission to callback.
/// With `blocking`, one task at a time from this thread, each waited for
/// on its std::future: the round trip includes waking a waiting thread, as
/// Python's does. Returns seconds, tasks_per_s, p50_us and p99_us. Waits
/// with the GIL released.
[[nodiscard]] pybind11::dict bench_cpp(native_runtime& rt, std::size_t tasks,
                                       std::size_t in_flight,
                                       const pybind11::dict& task,
                                       bool blocking);

} // namespace switchyard::python
