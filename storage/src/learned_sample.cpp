#include "switchyard/storage/learned_sample.hpp"

#include "switchyard/storage/field_list.hpp"
#include "switchyard/storage/field_reader.hpp"
#include "switchyard/storage/field_writer.hpp"

namespace switchyard::storage {

namespace {

constexpr std::uint8_t sample_version = 1;

template <class F, visited<learned_sample_record> T>
void fields(F& f, T& s) {
  f.zigzag(s.unix_ms);
  f.list(s.cells, 42, [&](auto& c) {
    f.string(c.model);
    f.enumeration(c.type, engine::task_type_count);
    f.f64(c.success);
    f.f64(c.latency_ms);
    f.f64(c.feedback_weight);
    f.f64(c.samples);
    f.f64(c.confidence);
  });
}

} // namespace

std::string encode_learned_sample(const learned_sample_record& s) {
  std::string out;
  field_writer f{out};
  f.u8(sample_version);
  fields(f, s);
  return out;
}

std::optional<learned_sample_record>
decode_learned_sample(std::string_view value) {
  field_reader f{value};
  std::uint8_t version = 0;
  f.u8(version);
  if (version != sample_version)
    return std::nullopt;
  learned_sample_record s;
  fields(f, s);
  if (!f.ok() || !f.at_end())
    return std::nullopt;
  return s;
}

} // namespace switchyard::storage
