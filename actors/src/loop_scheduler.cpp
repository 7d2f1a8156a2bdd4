#include "switchyard/actors/loop_scheduler.hpp"

#include <caf/actor_system.hpp>
#include <caf/resumable.hpp>

#include <chrono>

namespace switchyard::actors {

loop_scheduler::loop_scheduler(caf::actor_system& sys, actor_job_poster post)
    : super(sys), post_(std::move(post)), unit_(&sys, this) {}

void loop_scheduler::install(caf::actor_system_config& cfg,
                             actor_job_poster post) {
  cfg.module_factories.push_back(
    [post = std::move(post)](caf::actor_system& sys)
      -> caf::actor_system::module* { return new loop_scheduler(sys, post); });
}

void loop_scheduler::enqueue(caf::resumable* job) {
  // The caller has taken a reference for the scheduler; `run` gives it back.
  pending_.fetch_add(1, std::memory_order_relaxed);
  post_([this, job, closed = closed_] {
    if (!closed->load(std::memory_order_acquire))
      run(job);
  });
}

void loop_scheduler::run(caf::resumable* job) {
  switch (job->resume(&unit_, max_throughput())) {
    case caf::resumable::resume_later:
      // Its share of messages is used up: to the back of the loop's queue.
      enqueue(job);
      break;
    case caf::resumable::done:
    case caf::resumable::awaiting_message:
    case caf::resumable::shutdown_execution_unit:
      caf::intrusive_ptr_release(job);
      break;
  }
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard guard{idle_mutex_};
    idle_.notify_all();
  }
}

void loop_scheduler::start() {
  timer_ = std::thread{[this] {
    system().thread_started();
    clock_.run_dispatch_loop();
    system().thread_terminates();
  }};
  super::start();
}

void loop_scheduler::stop() {
  // Every actor has finished by now (the system waited for them on the
  // loop); what is left are their last jobs. A loop that stopped first never
  // runs them: give up on them after a while rather than hang.
  {
    std::unique_lock guard{idle_mutex_};
    idle_.wait_for(guard, std::chrono::seconds{5}, [this] {
      return pending_.load(std::memory_order_acquire) == 0;
    });
  }
  stop_actors();
  closed_->store(true, std::memory_order_release);
  clock_.cancel_dispatch_loop();
  if (timer_.joinable())
    timer_.join();
}

} // namespace switchyard::actors
