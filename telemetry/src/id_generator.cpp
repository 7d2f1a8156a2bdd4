#include "switchyard/telemetry/id_generator.hpp"

#include <array>

namespace switchyard::telemetry {

namespace {

void fill(std::uint8_t* out, std::size_t n, std::mt19937_64& engine) {
  for (std::size_t i = 0; i < n; i += 8) {
    auto v = engine();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j)
      out[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
}

} // namespace

id_generator::id_generator(std::uint64_t seed) noexcept : engine_(seed) {
}

id_generator::id_generator(std::seed_seq& seq) : engine_(seq) {
}

trace_id id_generator::next_trace_id() noexcept {
  trace_id id;
  do
    fill(id.bytes.data(), id.bytes.size(), engine_);
  while (!id.valid());
  return id;
}

span_id id_generator::next_span_id() noexcept {
  span_id id;
  do
    fill(id.bytes.data(), id.bytes.size(), engine_);
  while (!id.valid());
  return id;
}

id_generator& thread_id_generator() {
  thread_local id_generator generator = [] {
    // 256 bits from the OS for a 19937-bit state: threads never share a
    // stream, and ids do not repeat across restarts.
    std::random_device device;
    std::array<std::uint32_t, 8> words{};
    for (auto& w : words)
      w = device();
    std::seed_seq seq(words.begin(), words.end());
    return id_generator{seq};
  }();
  return generator;
}

} // namespace switchyard::telemetry
