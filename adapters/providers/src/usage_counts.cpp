#include "usage_counts.hpp"

#include <algorithm>

namespace switchyard::providers::detail {

namespace {

bool names(std::initializer_list<std::string_view> keys,
           std::string_view key) noexcept {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

} // namespace

error_code usage_counts::read(od::value& v, const usage_keys& keys) {
  if (is_null(v))
    return simdjson::SUCCESS;
  return for_each_field(v, [&](std::string_view key, od::value& n) {
    return add(key, n, keys);
  });
}

error_code usage_counts::add(std::string_view key, od::value& n,
                             const usage_keys& keys) {
  bool is_input = names(keys.input, key);
  if (!is_input && !names(keys.output, key))
    return simdjson::SUCCESS;
  std::uint32_t count = 0;
  if (auto e = read_u32(n, count))
    return e;
  auto& slot = is_input ? input : output;
  slot = slot.value_or(0) + count;
  return simdjson::SUCCESS;
}

void usage_counts::apply(engine::call_result& result) const {
  if (input)
    result.input_tokens = *input;
  if (output)
    result.output_tokens = *output;
}

error_code read_usage(od::value& v, const usage_keys& keys,
                      engine::call_result& result) {
  usage_counts counts;
  auto e = counts.read(v, keys);
  counts.apply(result);
  return e;
}

} // namespace switchyard::providers::detail
