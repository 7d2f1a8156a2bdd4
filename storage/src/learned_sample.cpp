#include "switchyard/storage/learned_sample.hpp"

#include "switchyard/storage/byte_reader.hpp"
#include "switchyard/storage/byte_writer.hpp"

namespace switchyard::storage {

namespace {

constexpr std::uint8_t sample_version = 1;

} // namespace

std::string encode_learned_sample(const learned_sample_record& s) {
  std::string out;
  byte_writer w{out};
  w.u8(sample_version);
  w.zigzag(s.unix_ms);
  w.varint(s.cells.size());
  for (const auto& c : s.cells) {
    w.string(c.model);
    w.u8(static_cast<std::uint8_t>(c.type));
    w.f64(c.success);
    w.f64(c.latency_ms);
    w.f64(c.feedback_weight);
    w.f64(c.samples);
    w.f64(c.confidence);
  }
  return out;
}

std::optional<learned_sample_record>
decode_learned_sample(std::string_view value) {
  byte_reader r{value};
  if (r.u8() != sample_version)
    return std::nullopt;
  learned_sample_record s;
  s.unix_ms = r.zigzag();
  auto n = r.count(42);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    learned_sample_record::cell c;
    c.model = r.string();
    auto type = r.u8();
    if (type >= engine::task_type_count)
      r.fail();
    c.type = static_cast<engine::task_type>(type);
    c.success = r.f64();
    c.latency_ms = r.f64();
    c.feedback_weight = r.f64();
    c.samples = r.f64();
    c.confidence = r.f64();
    s.cells.push_back(std::move(c));
  }
  if (!r.ok() || !r.at_end())
    return std::nullopt;
  return s;
}

} // namespace switchyard::storage
