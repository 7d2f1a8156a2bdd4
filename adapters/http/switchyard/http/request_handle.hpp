#pragma once

#include <memory>

namespace switchyard::http {

/// Something in flight that can be given up on.
class cancellable {
 public:
  virtual ~cancellable() = default;

  /// Thread-safe and idempotent. The operation still reports once, as
  /// cancelled unless it had already finished.
  virtual void cancel() noexcept = 0;
};

/// A caller's hold on an in-flight request: lets it cancel, and nothing else.
/// Does not keep the request alive; cancelling a finished request does
/// nothing.
class request_handle {
 public:
  request_handle() noexcept = default;

  explicit request_handle(std::weak_ptr<cancellable> target) noexcept
      : target_(std::move(target)) {}

  /// Cancels the request if it is still in flight. Thread-safe.
  void cancel() const noexcept {
    if (auto target = target_.lock())
      target->cancel();
  }

  /// Whether the request may still be in flight.
  [[nodiscard]] bool active() const noexcept {
    return !target_.expired();
  }

 private:
  std::weak_ptr<cancellable> target_;
};

} // namespace switchyard::http
