#include "io_loop_context.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>

namespace switchyard::http {

namespace {

/// The loop and shard the calling thread runs, if any.
thread_local const io_loop::impl* this_thread_loop = nullptr;
thread_local io_loop::impl::shard* this_thread_shard = nullptr;

} // namespace

io_loop::impl::shard* io_loop::impl::current() const noexcept {
  return this_thread_loop == this ? this_thread_shard : nullptr;
}

std::shared_ptr<io_loop> io_loop::start(std::size_t threads,
                                        std::string& why) {
  auto p = std::make_unique<impl>();
  auto* raw = p.get();
  std::shared_ptr<io_loop> loop{new io_loop{std::move(p)}};
  try {
    auto n = std::max<std::size_t>(threads, 1);
    for (std::size_t i = 0; i < n; ++i)
      raw->shards.push_back(std::make_unique<impl::shard>());
    for (auto& s : raw->shards) {
      auto* shard = s.get();
      shard->thread = std::thread{[raw, shard] {
        this_thread_loop = raw;
        this_thread_shard = shard;
        shard->context.run();
      }};
    }
  } catch (const std::exception& e) {
    why = std::string{"cannot start the I/O threads: "} + e.what();
    return nullptr;
  }
  return loop;
}

io_loop::io_loop(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}

io_loop::~io_loop() {
  stop();
}

void io_loop::post(std::function<void()> job) {
  boost::asio::post(io_context_of(*this), std::move(job));
}

bool io_loop::on_loop_thread() const noexcept {
  return impl_->current() != nullptr;
}

std::size_t io_loop::threads() const noexcept {
  return impl_->shards.size();
}

void io_loop::stop() {
  std::lock_guard guard{impl_->join_mutex};
  for (auto& s : impl_->shards)
    s->context.stop();
  for (auto& s : impl_->shards)
    if (s->thread.joinable())
      s->thread.join();
}

void io_loop::finish() {
  std::lock_guard guard{impl_->join_mutex};
  for (auto& s : impl_->shards)
    s->work.reset();
  for (auto& s : impl_->shards)
    if (s->thread.joinable())
      s->thread.join();
}

} // namespace switchyard::http
