#pragma once

// How the runtime answers a caller outside the actors: exactly once, with a
// caf::expected, and with an error that says why when it cannot ask.
// Private to the actors library.

#include "switchyard/messages/error_code.hpp"

#include <caf/expected.hpp>

#include <functional>
#include <future>
#include <memory>
#include <utility>

namespace switchyard::detail {

/// What every query answers once the runtime has shut down.
[[nodiscard]] inline caf::error shut_down_error() {
  return caf::make_error(error_code::invalid_argument,
                         "the runtime is shut down");
}

/// What a store query answers without a data_dir.
[[nodiscard]] inline caf::error no_store_error() {
  return caf::make_error(error_code::not_found,
                         "the runtime keeps no store: start it with a "
                         "data_dir to log decisions");
}

/// A caller's callback, called exactly once: by the answer, or, when the
/// request is dropped unanswered (the actors stopped with it queued), with
/// an error as the last copy goes. Shared by the continuations of one
/// request; they all run on one thread at a time.
template <class T>
class reply_once {
public:
  using callback = std::function<void(caf::expected<T>)>;

  explicit reply_once(callback fn) : fn_(std::move(fn)) {
  }

  reply_once(const reply_once&) = delete;
  reply_once& operator=(const reply_once&) = delete;

  ~reply_once() {
    if (fn_)
      fn_(caf::make_error(error_code::invalid_argument,
                          "the runtime shut down before it answered"));
  }

  void operator()(caf::expected<T> answer) {
    if (auto fn = std::exchange(fn_, nullptr))
      fn(std::move(answer));
  }

private:
  callback fn_;
};

template <class T>
using reply_ptr = std::shared_ptr<reply_once<T>>;

template <class T>
[[nodiscard]] reply_ptr<T> make_reply(typename reply_once<T>::callback fn) {
  return std::make_shared<reply_once<T>>(std::move(fn));
}

/// A future for a callback-style call.
template <class T, class Start>
[[nodiscard]] std::future<T> as_future(Start start) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  start([promise](T value) { promise->set_value(std::move(value)); });
  return future;
}

} // namespace switchyard::detail
