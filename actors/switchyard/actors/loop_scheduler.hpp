#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/execution_unit.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace switchyard::actors {

/// Runs a job soon on one of the embedder's threads (the gateway passes its
/// I/O loop's `post`). Any thread may call it.
using actor_job_poster = std::function<void(std::function<void()>)>;

/// A CAF scheduler with no worker threads of its own: an actor that has mail
/// runs as a job on the embedder's threads. The gateway runs its actors on
/// the threads that read and write HTTP, so that a request crosses no thread
/// on its way through (CAF's own schedulers add a wake-up of another thread
/// at every hop between the I/O and the actors). Timers keep CAF's clock
/// thread.
///
/// The embedder keeps running the jobs until the actor system is gone: its
/// shutdown waits for the jobs in flight, and must not happen on one of those
/// threads.
class loop_scheduler final : public caf::scheduler::abstract_coordinator {
 public:
  using super = caf::scheduler::abstract_coordinator;

  loop_scheduler(caf::actor_system& sys, actor_job_poster post);

  /// Makes the actor system built from `cfg` use a loop_scheduler.
  static void install(caf::actor_system_config& cfg, actor_job_poster post);

  void enqueue(caf::resumable* job) override;

  caf::detail::thread_safe_actor_clock& clock() noexcept override {
    return clock_;
  }

 protected:
  void start() override;
  void stop() override;

 private:
  /// What an actor resumed here sends through: back into this scheduler.
  class unit final : public caf::execution_unit {
   public:
    unit(caf::actor_system* sys, loop_scheduler* owner)
        : caf::execution_unit(sys), owner_(owner) {}

    void exec_later(caf::resumable* job) override {
      owner_->enqueue(job);
    }

   private:
    loop_scheduler* owner_;
  };

  void run(caf::resumable* job);

  actor_job_poster post_;
  unit unit_;
  caf::detail::thread_safe_actor_clock clock_;
  std::thread timer_;
  /// Jobs posted and not yet run; `stop` waits for none.
  std::atomic<std::size_t> pending_{0};
  std::mutex idle_mutex_;
  std::condition_variable idle_;
  /// Set once stopped: a job that still reaches the loop does nothing.
  std::shared_ptr<std::atomic<bool>> closed_
    = std::make_shared<std::atomic<bool>>(false);
};

} // namespace switchyard::actors
