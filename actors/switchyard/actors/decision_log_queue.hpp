#pragma once

#include "switchyard/messages/storage_records.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::actors {

/// The bound on decisions on their way to the store: coordinators count a
/// record in before sending it to the storage actor, which counts it out
/// once its batch is written. When the store falls behind and the bound is
/// reached, coordinators drop the record and count it: no request waits
/// for the decision log, and its backlog never grows without bound.
/// Feedback, spend and keys do not pass through here: they keep their
/// acknowledged, synced writes.
///
/// While the storage actor gathers a batch (its group-commit window is
/// open), records are parked here instead of sent to it: a record then
/// costs a lock, not a message that wakes the storage thread.
/// Records a store may fall behind by before new ones are dropped: about
/// three seconds of a busy node's decisions, a few MB.
inline constexpr std::size_t default_decision_log_capacity = 16'384;

class decision_log_queue {
public:
  explicit decision_log_queue(std::size_t capacity) noexcept
    : capacity_(capacity) {
  }

  /// Takes a place for one record; false (and the record counted as
  /// dropped) when the queue is full.
  [[nodiscard]] bool try_enter() noexcept {
    auto n = queued_.fetch_add(1, std::memory_order_relaxed);
    if (n < capacity_)
      return true;
    queued_.fetch_sub(1, std::memory_order_relaxed);
    auto dropped = dropped_.fetch_add(1, std::memory_order_relaxed) + 1;
    // One log line at the 1st, 2nd, 4th, 8th... drop: visible, never a
    // flood while the store stays behind.
    if ((dropped & (dropped - 1)) == 0)
      std::fprintf(stderr,
                   "{\"level\":\"warn\",\"msg\":\"the store is behind: "
                   "decision records dropped\",\"dropped\":%llu,"
                   "\"queue_capacity\":%zu}\n",
                   static_cast<unsigned long long>(dropped), capacity_);
    return false;
  }

  /// Parks `rec` (moved from) for the storage actor's batch, while it
  /// gathers one. False, `rec` untouched, when it is not gathering: the
  /// caller sends it the record, which wakes it.
  [[nodiscard]] bool park(decision_record& rec) {
    std::lock_guard<std::mutex> guard{park_mtx_};
    if (!gathering_)
      return false;
    parked_.push_back(std::move(rec));
    return true;
  }

  /// The storage actor gathers a batch: records park until close_window().
  void open_window() {
    std::lock_guard<std::mutex> guard{park_mtx_};
    gathering_ = true;
  }

  /// The parked records, in the order they were parked; parking goes on.
  [[nodiscard]] std::vector<decision_record> take_parked() {
    std::lock_guard<std::mutex> guard{park_mtx_};
    return std::exchange(parked_, {});
  }

  /// The parked records; records are sent to the storage actor again.
  [[nodiscard]] std::vector<decision_record> close_window() {
    std::lock_guard<std::mutex> guard{park_mtx_};
    gathering_ = false;
    return std::exchange(parked_, {});
  }

  /// `n` records were written (or failed to be): their places are free.
  void leave(std::size_t n, bool written) noexcept {
    queued_.fetch_sub(n, std::memory_order_relaxed);
    if (written)
      written_.fetch_add(n, std::memory_order_relaxed);
    else
      failed_.fetch_add(n, std::memory_order_relaxed);
  }

  [[nodiscard]] std::size_t capacity() const noexcept {
    return capacity_;
  }
  [[nodiscard]] std::uint64_t queued() const noexcept {
    return queued_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t dropped() const noexcept {
    return dropped_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t written() const noexcept {
    return written_.load(std::memory_order_relaxed);
  }
  /// Records whose batch the store refused (a full disk, an I/O error).
  [[nodiscard]] std::uint64_t failed() const noexcept {
    return failed_.load(std::memory_order_relaxed);
  }

  /// Decisions deleted, oldest first, to keep the store under its size cap.
  void count_evicted(std::uint64_t n) noexcept {
    auto before = evicted_.fetch_add(n, std::memory_order_relaxed);
    std::fprintf(stderr,
                 "{\"level\":\"info\",\"msg\":\"the decision log reached "
                 "the store's size cap: oldest decisions evicted\","
                 "\"evicted\":%llu,\"evicted_total\":%llu}\n",
                 static_cast<unsigned long long>(n),
                 static_cast<unsigned long long>(before + n));
  }
  [[nodiscard]] std::uint64_t evicted() const noexcept {
    return evicted_.load(std::memory_order_relaxed);
  }

  /// The store's last write error, empty while writes succeed.
  [[nodiscard]] std::string last_error() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return last_error_;
  }
  void set_last_error(std::string text) {
    std::lock_guard<std::mutex> guard{mtx_};
    last_error_ = std::move(text);
  }

private:
  std::size_t capacity_;
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> evicted_{0};
  mutable std::mutex mtx_;
  std::string last_error_;
  std::mutex park_mtx_;
  bool gathering_ = false;
  std::vector<decision_record> parked_;
};

} // namespace switchyard::actors
