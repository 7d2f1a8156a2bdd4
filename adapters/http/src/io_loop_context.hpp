#pragma once

// The Asio side of io_loop, for the HTTP component's own files only.

#include "switchyard/http/io_loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace switchyard::http {

class io_loop::impl {
 public:
  impl() : work(boost::asio::make_work_guard(context)) {}

  boost::asio::io_context context;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
  std::mutex join_mutex;
};

inline boost::asio::io_context& io_context_of(io_loop& loop) noexcept {
  return loop.internals().context;
}

} // namespace switchyard::http
