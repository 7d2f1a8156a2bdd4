#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace switchyard::http {

/// Threads running the I/O event loop that an `http_server`, an
/// `http_client` and the runtime's actors can share (server_config::loop,
/// client_config::loop, runtime_config::post_actor_job): then a request
/// crosses no thread between reading it, routing it, calling upstream and
/// answering. Asio stays behind the pimpl.
///
/// Each thread runs an event loop of its own. The server spreads accepted
/// connections over them in turn; work started on a loop thread (a posted
/// job, an upstream request) stays on that thread, so a thread never wakes
/// another to hand it a handler and no thread waits on a lock that another
/// holds. An upstream connection belongs to one thread: the client keeps a
/// pool per origin and thread.
///
/// Shutting down a shared loop is the owner's job, in this order: stop the
/// loop (`stop`, no handler runs after it returns), then stop the servers and
/// clients on it, then destroy the loop before them (pending handlers are
/// destroyed with it, and they may refer to a client).
class io_loop {
 public:
  /// Starts `threads` threads (at least one) running the loop.
  [[nodiscard]] static std::shared_ptr<io_loop> start(std::size_t threads,
                                                      std::string& why);

  /// Stops (see `stop`).
  ~io_loop();

  io_loop(const io_loop&) = delete;
  io_loop& operator=(const io_loop&) = delete;

  /// Runs `job` soon on a loop thread: the calling one when it is a loop
  /// thread, else the next in turn. Jobs posted after `stop` are destroyed,
  /// not run, when the loop is.
  void post(std::function<void()> job);

  /// True on one of the loop's threads.
  [[nodiscard]] bool on_loop_thread() const noexcept;

  /// How many threads (and event loops) it runs.
  [[nodiscard]] std::size_t threads() const noexcept;

  /// Stops running handlers (what is queued stays queued) and joins the
  /// threads. Idempotent; must not be called from a loop thread.
  void stop();

  /// Lets the loop run until it has nothing left to do, then joins the
  /// threads: how a client that owns its loop waits for cancelled requests
  /// to finish.
  void finish();

  class impl;

  /// For the HTTP component's own files (io_loop_context.hpp).
  impl& internals() noexcept {
    return *impl_;
  }

 private:
  explicit io_loop(std::unique_ptr<impl> p) noexcept;

  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::http
