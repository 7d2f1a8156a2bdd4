#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::telemetry {

/// The exporter's bounded queue: spans already encoded (OTLP/JSON `Span`
/// objects), held as the texts of the export requests they will go out
/// in, each of at most `max_batch` spans. Not thread-safe (the exporter
/// guards it with its lock).
///
/// The texts live in buffers that keep their memory from batch to batch:
/// `take` exchanges a batch's buffer for an emptied one. With a buffer
/// allocated afresh for every batch (some 400 KB), the traced gateway took
/// twice the page faults per request of an untraced one, each a zeroed
/// page, and on a virtual machine an expensive one.
///
/// Every batch is complete (`max_batch` spans) except the newest.
class span_batches {
public:
  /// `capacity` and `max_batch` at least 1; `head` and `tail` open and
  /// close every body (append_otlp_json_head, append_otlp_json_tail).
  span_batches(std::size_t capacity, std::size_t max_batch, std::string head,
               std::string tail);

  /// Appends `span_json` to the newest batch, or to a new one when that is
  /// complete. Returns how many spans its batch holds now (`max_batch`: it
  /// is complete); 0, leaving everything as it was, when `capacity` spans
  /// wait already.
  std::size_t push(std::string_view span_json);

  /// Exchanges the oldest batch, complete or not, for `text`: `text` gets
  /// the batch (the head and its spans; a request body once the tail is
  /// appended), and its old buffer, emptied, holds a later batch. Returns
  /// the batch's spans; 0 (and `text` untouched) when none wait.
  std::size_t take(std::string& text);

  /// What closes a body after its last span.
  [[nodiscard]] const std::string& tail() const noexcept {
    return tail_;
  }

  /// Drops every batch; returns how many spans they held.
  std::size_t clear() noexcept;

  /// Spans waiting.
  [[nodiscard]] std::size_t size() const noexcept {
    return size_;
  }

  [[nodiscard]] bool empty() const noexcept {
    return size_ == 0;
  }

  [[nodiscard]] bool full() const noexcept {
    return size_ >= capacity_;
  }

  /// The oldest batch is complete.
  [[nodiscard]] bool ready() const noexcept {
    return count_ > 0 && ring_[first_].spans >= max_batch_;
  }

  [[nodiscard]] std::size_t capacity() const noexcept {
    return capacity_;
  }

private:
  struct batch {
    std::string body;
    std::size_t spans = 0;
  };

  std::size_t capacity_;
  std::size_t max_batch_;
  std::string head_;
  std::string tail_;
  /// Enough batches for `capacity` spans; `count_` of them in use from
  /// `first_`.
  std::vector<batch> ring_;
  std::size_t first_ = 0;
  std::size_t count_ = 0;
  /// Spans in all batches.
  std::size_t size_ = 0;
};

} // namespace switchyard::telemetry
