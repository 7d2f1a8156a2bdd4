#pragma once

// The Asio side of io_loop, for the HTTP component's own files only.

#include "switchyard/http/io_loop.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace switchyard::http {

class io_loop::impl {
 public:
  /// An io_context whose pending handlers can be destroyed before it is.
  class shard_context : public boost::asio::io_context {
   public:
    using io_context::io_context;
    /// Destroys every pending handler (and operation), leaving the services
    /// in place: see ~impl.
    void shut_down() {
      shutdown();
    }
  };

  /// One thread and its own io_context: a handler never wakes another
  /// thread to run, and the context takes no lock it could contend for.
  struct shard {
    // Concurrency hint 1: one thread runs the context (others may post).
    shard_context context{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work{boost::asio::make_work_guard(context)};
    std::thread thread;
  };

  /// The threads have been joined (io_loop::~io_loop stops the loop). A
  /// pending handler on one context may own an object of another: an accept
  /// holds the socket it will accept onto another thread's context, a job
  /// holds a connection of another thread. So every context drops its
  /// handlers before any destroys its services, which those objects use on
  /// their way out.
  ~impl() {
    for (auto& s : shards)
      s->context.shut_down();
  }

  std::vector<std::unique_ptr<shard>> shards;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> next_accepted{0};
  std::mutex join_mutex;

  /// The shard whose thread is calling, or null off the loop.
  shard* current() const noexcept;

  /// Round robin over the shards.
  shard& next_shard() noexcept {
    return *shards[next.fetch_add(1, std::memory_order_relaxed)
                   % shards.size()];
  }

  /// Where work started here should run: this thread's shard on the loop,
  /// else the next in turn.
  shard& local_shard() noexcept {
    auto s = current();
    return s != nullptr ? *s : next_shard();
  }
};

/// What runs on one loop thread. Each io_context is run by that one thread,
/// so a connection needs no strand: its handlers all run there, in order.
/// Sockets and timers are typed on the context's executor (no
/// any_io_executor type erasure).
using loop_executor = boost::asio::io_context::executor_type;
using loop_socket
  = boost::asio::basic_stream_socket<boost::asio::ip::tcp, loop_executor>;
using loop_clock = std::chrono::steady_clock;
using loop_timer
  = boost::asio::basic_waitable_timer<loop_clock,
                                      boost::asio::wait_traits<loop_clock>,
                                      loop_executor>;

/// The context for work started on the calling thread (its own on a loop
/// thread): an upstream request, a posted job.
inline boost::asio::io_context& io_context_of(io_loop& loop) noexcept {
  return loop.internals().local_shard().context;
}

/// The context for the next accepted connection: the threads in turn.
inline boost::asio::io_context& next_accept_context(io_loop& loop) noexcept {
  auto& l = loop.internals();
  return l.shards[l.next_accepted.fetch_add(1, std::memory_order_relaxed)
                  % l.shards.size()]
    ->context;
}

} // namespace switchyard::http
