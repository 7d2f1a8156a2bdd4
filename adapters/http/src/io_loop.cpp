#include "io_loop_context.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>

namespace switchyard::http {

std::shared_ptr<io_loop> io_loop::start(std::size_t threads,
                                        std::string& why) {
  auto p = std::make_unique<impl>();
  auto* raw = p.get();
  std::shared_ptr<io_loop> loop{new io_loop{std::move(p)}};
  try {
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i)
      raw->threads.emplace_back([raw] { raw->context.run(); });
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
  boost::asio::post(impl_->context, std::move(job));
}

bool io_loop::on_loop_thread() const noexcept {
  return impl_->context.get_executor().running_in_this_thread();
}

void io_loop::stop() {
  std::lock_guard guard{impl_->join_mutex};
  impl_->context.stop();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
}

void io_loop::finish() {
  std::lock_guard guard{impl_->join_mutex};
  impl_->work.reset();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
}

} // namespace switchyard::http
