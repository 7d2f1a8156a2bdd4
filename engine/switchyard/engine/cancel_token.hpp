#pragma once

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace switchyard::engine {

/// A caller's way to abandon a task (a client that went away): whoever runs
/// a part of the task asks to be told, and `cancel` tells each of them once.
/// Thread-safe; one per task, shared by its calls. In-process only: it never
/// crosses the network and is never stored.
class cancel_token {
public:
  /// Runs every registered action once, on the calling thread, outside the
  /// lock. Idempotent: later calls do nothing.
  void cancel() {
    std::vector<std::function<void()>> actions;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (cancelled_)
        return;
      cancelled_ = true;
      actions.swap(actions_);
    }
    for (auto& a : actions)
      a();
  }

  /// Whether `cancel` has been called.
  [[nodiscard]] bool cancelled() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return cancelled_;
  }

  /// Registers `action` to run at the cancellation. Returns false, without
  /// keeping or running it, when the token is cancelled already: the
  /// caller gives up at once instead. An action must be cheap and must not
  /// block (send a message and return); it may run after the work it was
  /// registered for has ended, so it must tolerate that.
  bool on_cancel(std::function<void()> action) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (cancelled_)
      return false;
    actions_.push_back(std::move(action));
    return true;
  }

private:
  mutable std::mutex mutex_;
  bool cancelled_ = false;
  std::vector<std::function<void()>> actions_;
};

} // namespace switchyard::engine
