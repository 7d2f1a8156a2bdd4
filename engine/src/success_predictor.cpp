#include "switchyard/engine/success_predictor.hpp"

#include "switchyard/engine/byte_codec.hpp"
#include "switchyard/engine/prompt_words.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

namespace switchyard::engine {

namespace {

// -- hashing ------------------------------------------------------------------

/// What a feature stands for; hashed in so that, say, the word "3" and the
/// complexity score 3 land in different buckets.
enum class feature_kind : std::uint64_t {
  bias = 1,
  task_type,
  tier,
  score,
  length,
  word,
  word_pair,
  shape,
};

/// What a `feature_kind::shape` feature counts; its value goes in the low
/// bits.
enum class shape_kind : std::uint64_t {
  digits = 1,
  symbol,
  questions,
  lines,
  first_word,
  last_word,
  bytes,
};

std::uint64_t shape_hash(shape_kind kind, std::uint64_t value) noexcept {
  return mix64(static_cast<std::uint64_t>(kind) << 56) ^ value;
}

/// Symbols that mark math, code or formulas: a feature each when present.
constexpr std::string_view shape_symbols = "+-*/=^$%<>()[]{}\\_";

/// Words scanned per prompt; the length feature still counts every word.
constexpr std::size_t max_featurized_words = 2048;

std::uint32_t bucket(feature_kind kind, std::uint64_t h,
                     std::uint32_t bits) noexcept {
  auto k = static_cast<std::uint64_t>(kind) * 0x9e3779b97f4a7c15ull;
  return static_cast<std::uint32_t>(mix64(h ^ k) >> (64 - bits));
}

/// Features sorted by index without repeats (their values are all equal
/// here), from bucket indices below 2^bits.
///
/// Up to 2^18 buckets, a bit per bucket: marking each index and reading the
/// set bits back in order is one pass over the indices and one over the
/// bitmap (2^bits / 64 words), cheaper than sorting a long prompt's
/// thousands of features. Wider tables use an LSD radix sort, 8 bits a pass
/// (std::sort was once the largest single cost of a request through the
/// gateway on long prompts: perf, bench gateway).
void sort_unique_by_index(const std::vector<std::uint32_t>& indices,
                          std::uint32_t bits, std::vector<sparse_feature>& out) {
  out.clear();
  constexpr std::size_t small = 64;
  constexpr std::uint32_t bitmap_bits = 18;
  if (indices.size() <= small) {
    thread_local std::vector<std::uint32_t> sorted;
    sorted.assign(indices.begin(), indices.end());
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i)
      if (i == 0 || sorted[i] != sorted[i - 1])
        out.push_back({sorted[i], 1.0f});
    return;
  }
  if (bits <= bitmap_bits) {
    thread_local std::vector<std::uint64_t> seen;
    auto words = (std::size_t{1} << bits) / 64 + 1;
    if (seen.size() < words)
      seen.assign(words, 0); // all clear between calls (see below)
    for (auto k : indices)
      seen[k >> 6] |= std::uint64_t{1} << (k & 63u);
    out.reserve(indices.size());
    for (std::size_t w = 0; w < words; ++w) {
      auto bitsof = seen[w];
      if (bitsof == 0)
        continue;
      seen[w] = 0;
      while (bitsof != 0) {
        auto b = static_cast<std::uint32_t>(std::countr_zero(bitsof));
        out.push_back({static_cast<std::uint32_t>(w * 64 + b), 1.0f});
        bitsof &= bitsof - 1;
      }
    }
    return;
  }
  thread_local std::vector<std::uint32_t> keys;
  thread_local std::vector<std::uint32_t> scratch;
  keys.assign(indices.begin(), indices.end());
  scratch.resize(keys.size());
  for (std::uint32_t shift = 0; shift < bits; shift += 8) {
    std::array<std::size_t, 257> start{};
    for (auto k : keys)
      ++start[((k >> shift) & 0xffu) + 1];
    for (std::size_t d = 1; d < start.size(); ++d)
      start[d] += start[d - 1];
    for (auto k : keys)
      scratch[start[(k >> shift) & 0xffu]++] = k;
    keys.swap(scratch);
  }
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (i == 0 || keys[i] != keys[i - 1])
      out.push_back({keys[i], 1.0f});
}

double logit(const std::vector<float>& w,
             std::span<const sparse_feature> features) noexcept {
  double z = 0.0;
  for (const auto& f : features)
    if (f.index < w.size())
      z += static_cast<double>(w[f.index]) * static_cast<double>(f.value);
  return z;
}

double confidence_of(std::uint64_t updates,
                     const success_predictor_params& params) noexcept {
  auto n = static_cast<double>(updates);
  auto half = std::max(params.confidence_half_updates, 1e-9);
  return n / (n + half);
}

double sigmoid(double z) noexcept {
  // Beyond +-35 the result is 0 or 1 to double precision anyway.
  z = std::clamp(z, -35.0, 35.0);
  return 1.0 / (1.0 + std::exp(-z));
}

// -- bytes --------------------------------------------------------------------

constexpr std::array<char, 4> magic{'S', 'Y', 'S', 'P'};

} // namespace

// -- construction -------------------------------------------------------------

success_predictor::success_predictor(std::vector<std::string> model_ids,
                                     success_predictor_params params)
    : params_(params) {
  params_.hash_bits = std::clamp<std::uint32_t>(params_.hash_bits, 4, 30);
  models_.resize(model_ids.size());
  for (std::size_t i = 0; i < model_ids.size(); ++i)
    models_[i].id = std::move(model_ids[i]);
}

// -- features -----------------------------------------------------------------

namespace {

/// The form of the prompt (`success_predictor_params::shape_features`): one
/// pass over its bytes.
template <class Add>
void add_shape_features(std::string_view text, std::uint64_t first_word,
                        std::uint64_t last_word, std::size_t words, Add&& add) {
  std::uint64_t digits = 0;
  std::uint64_t questions = 0;
  std::uint64_t lines = 0;
  std::uint32_t symbols = 0; // bit i: shape_symbols[i] occurs
  static constexpr auto symbol_bit = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::size_t i = 0; i < shape_symbols.size(); ++i)
      t[static_cast<unsigned char>(shape_symbols[i])] = std::uint32_t{1} << i;
    return t;
  }();
  for (auto ch : text) {
    auto c = static_cast<unsigned char>(ch);
    digits += (c >= '0' && c <= '9');
    questions += (c == '?');
    lines += (c == '\n');
    symbols |= symbol_bit[c];
  }
  auto bucket_of = [](std::uint64_t n, std::uint64_t most) {
    return std::min<std::uint64_t>(static_cast<std::uint64_t>(std::bit_width(n)),
                                   most);
  };
  add(shape_hash(shape_kind::digits, bucket_of(digits, 8)));
  add(shape_hash(shape_kind::questions, std::min<std::uint64_t>(questions, 7)));
  add(shape_hash(shape_kind::lines, bucket_of(lines, 6)));
  // 100-byte steps up to 4,000 bytes: finer than the word-count buckets.
  add(shape_hash(shape_kind::bytes,
                 std::min<std::uint64_t>(text.size() / 100, 40)));
  while (symbols != 0) {
    auto i = static_cast<std::uint64_t>(std::countr_zero(symbols));
    add(shape_hash(shape_kind::symbol, i));
    symbols &= symbols - 1;
  }
  if (words > 0) {
    add(shape_hash(shape_kind::first_word, mix64(first_word)));
    add(shape_hash(shape_kind::last_word, mix64(last_word)));
  }
}

void featurize_prompt(std::string_view text, const classification& cls,
                      const success_predictor_params& params,
                      std::vector<sparse_feature>& out) {
  auto bits = params.hash_bits;
  thread_local std::vector<std::uint32_t> indices;
  indices.clear();
  auto add = [&](feature_kind kind, std::uint64_t h) {
    indices.push_back(bucket(kind, h, bits));
  };
  add(feature_kind::bias, 0);
  add(feature_kind::task_type, static_cast<std::uint64_t>(cls.type));
  add(feature_kind::tier, static_cast<std::uint64_t>(cls.tier));
  add(feature_kind::score, static_cast<std::uint64_t>(cls.score));
  std::uint64_t previous = 0;
  std::uint64_t first_word = 0;
  bool first = true;
  auto words = for_each_word_hash(text, max_featurized_words,
                                  [&](std::uint64_t h) {
                                    add(feature_kind::word, h);
                                    if (!first)
                                      add(feature_kind::word_pair,
                                          mix64(previous) ^ h);
                                    else
                                      first_word = h;
                                    first = false;
                                    previous = h;
                                  });
  if (params.shape_features)
    add_shape_features(text, first_word, previous, words,
                       [&](std::uint64_t h) { add(feature_kind::shape, h); });
  // Length buckets double: 0, 1, 2-3, 4-7, ... words.
  add(feature_kind::length,
      std::min<std::uint64_t>(static_cast<std::uint64_t>(std::bit_width(words)),
                              15));
  // Presence features: a repeated word counts once.
  sort_unique_by_index(indices, bits, out);
  // Unit length: a long prompt has more features, not a larger logit (the
  // usual scaling for hashed bag-of-words models), which keeps its
  // prediction from saturating at 0 or 1.
  auto value
    = static_cast<float>(1.0 / std::sqrt(static_cast<double>(out.size())));
  for (auto& f : out)
    f.value = value;
}

} // namespace

void success_predictor::featurize(std::string_view text,
                                  const classification& cls,
                                  std::vector<sparse_feature>& out) const {
  featurize_prompt(text, cls, params_, out);
}

void success_predictor_view::featurize(std::string_view text,
                                       const classification& cls,
                                       std::vector<sparse_feature>& out) const {
  featurize_prompt(text, cls, params_, out);
}

void success_predictor_view::estimate(std::span<const sparse_feature> features,
                                      std::vector<success_estimate>& out) const {
  out.resize(models_.size());
  for (std::size_t i = 0; i < models_.size(); ++i) {
    const auto& m = models_[i];
    out[i] = {m.weights ? sigmoid(logit(*m.weights, features)) : 0.5,
              confidence_of(m.updates, params_)};
  }
}

bool success_predictor_view::untrained() const noexcept {
  return std::none_of(models_.begin(), models_.end(),
                      [](const model_weights& m) { return m.updates > 0; });
}

bool success_predictor::refresh_view(success_predictor_view& view) const {
  bool changed = false;
  if (view.models_.size() != models_.size()
      || view.params_.hash_bits != params_.hash_bits
      || view.params_.shape_features != params_.shape_features
      || view.loads_ != loads_) {
    view.models_.assign(models_.size(), {});
    changed = true;
  }
  view.params_ = params_;
  view.loads_ = loads_;
  for (std::size_t i = 0; i < models_.size(); ++i) {
    auto& v = view.models_[i];
    const auto& m = models_[i];
    if (v.updates == m.updates && (v.weights != nullptr) == !m.weights.empty())
      continue;
    v.updates = m.updates;
    v.weights = m.weights.empty()
                  ? nullptr
                  : std::make_shared<const std::vector<float>>(m.weights);
    changed = true;
  }
  return changed;
}

// -- prediction and learning --------------------------------------------------

double success_predictor::predict(
  std::uint16_t model,
  std::span<const sparse_feature> features) const noexcept {
  if (model >= models_.size() || models_[model].weights.empty())
    return 0.5;
  return sigmoid(logit(models_[model].weights, features));
}

void success_predictor::update(std::uint16_t model,
                               std::span<const sparse_feature> features,
                               double score) {
  if (model >= models_.size() || !std::isfinite(score))
    return;
  auto& m = models_[model];
  if (m.weights.empty()) {
    auto n = std::size_t{1} << params_.hash_bits;
    m.weights.assign(n, 0.0f);
    m.squared_gradients.assign(n, 0.0f);
  }
  ++m.updates;
  // Log loss against a soft label: its gradient in z is p - y.
  auto error = predict(model, features) - std::clamp(score, 0.0, 1.0);
  if (error == 0.0)
    return;
  for (const auto& f : features) {
    if (f.index >= m.weights.size())
      continue;
    auto g = error * static_cast<double>(f.value);
    auto sum = static_cast<double>(m.squared_gradients[f.index]) + g * g;
    m.squared_gradients[f.index] = static_cast<float>(sum);
    if (sum > 0.0)
      m.weights[f.index]
        = static_cast<float>(static_cast<double>(m.weights[f.index])
                             - params_.learning_rate * g / std::sqrt(sum));
  }
}

double success_predictor::confidence(std::uint16_t model) const noexcept {
  if (model >= models_.size())
    return 0.0;
  return confidence_of(models_[model].updates, params_);
}

std::uint64_t success_predictor::updates(std::uint16_t model) const noexcept {
  return model < models_.size() ? models_[model].updates : 0;
}

void success_predictor::estimate(std::span<const sparse_feature> features,
                                 std::vector<success_estimate>& out) const {
  out.resize(models_.size());
  for (std::size_t i = 0; i < models_.size(); ++i) {
    auto m = static_cast<std::uint16_t>(i);
    out[i] = {predict(m, features), confidence(m)};
  }
}

// -- persistence --------------------------------------------------------------

void success_predictor::save(std::string& out) const {
  out.append(magic.data(), magic.size());
  put_u8(out, params_.shape_features ? shape_format_version : format_version);
  put_u8(out, static_cast<std::uint8_t>(params_.hash_bits));
  put_le(out, static_cast<std::uint32_t>(models_.size()));
  for (const auto& m : models_) {
    put_le(out, static_cast<std::uint16_t>(
                  std::min<std::size_t>(m.id.size(), 0xFFFF)));
    out.append(m.id.data(), std::min<std::size_t>(m.id.size(), 0xFFFF));
    put_le(out, m.updates);
    std::uint32_t nonzero = 0;
    for (std::size_t i = 0; i < m.weights.size(); ++i)
      nonzero += (m.weights[i] != 0.0f || m.squared_gradients[i] != 0.0f);
    put_le(out, nonzero);
    for (std::size_t i = 0; i < m.weights.size(); ++i) {
      if (m.weights[i] == 0.0f && m.squared_gradients[i] == 0.0f)
        continue;
      put_le(out, static_cast<std::uint32_t>(i));
      put_f32(out, m.weights[i]);
      put_f32(out, m.squared_gradients[i]);
    }
  }
}

predictor_load_error success_predictor::load(std::string_view bytes) {
  using err = predictor_load_error;
  byte_reader in{bytes};
  std::string_view head;
  if (!in.get_bytes(magic.size(), head))
    return err::truncated;
  if (std::memcmp(head.data(), magic.data(), magic.size()) != 0)
    return err::bad_magic;
  std::uint8_t version = 0;
  std::uint8_t bits = 0;
  std::uint32_t count = 0;
  if (!in.get(version))
    return err::truncated;
  if (version
      != (params_.shape_features ? shape_format_version : format_version))
    return err::unsupported_version;
  if (!in.get(bits))
    return err::truncated;
  if (bits != params_.hash_bits)
    return err::hash_bits_mismatch;
  if (!in.get(count))
    return err::truncated;
  auto buckets = std::size_t{1} << params_.hash_bits;
  // Decode everything before touching the state.
  std::vector<model_state> loaded(models_.size());
  for (std::size_t i = 0; i < models_.size(); ++i)
    loaded[i].id = models_[i].id;
  for (std::uint32_t k = 0; k < count; ++k) {
    std::uint16_t id_len = 0;
    std::string_view id;
    std::uint64_t updates = 0;
    std::uint32_t nonzero = 0;
    if (!in.get(id_len) || !in.get_bytes(id_len, id) || !in.get(updates)
        || !in.get(nonzero))
      return err::truncated;
    if (nonzero > buckets)
      return err::bad_value;
    model_state* target = nullptr;
    for (auto& m : loaded)
      if (m.id == id)
        target = &m;
    if (target != nullptr) {
      target->updates = updates;
      if (nonzero > 0 || updates > 0) {
        target->weights.assign(buckets, 0.0f);
        target->squared_gradients.assign(buckets, 0.0f);
      }
    }
    for (std::uint32_t j = 0; j < nonzero; ++j) {
      std::uint32_t index = 0;
      float weight = 0.0f;
      float squared = 0.0f;
      if (!in.get(index) || !in.get_f32(weight) || !in.get_f32(squared))
        return err::truncated;
      if (index >= buckets || !std::isfinite(weight) || !std::isfinite(squared)
          || squared < 0.0f)
        return err::bad_value;
      if (target != nullptr) {
        target->weights[index] = weight;
        target->squared_gradients[index] = squared;
      }
    }
  }
  if (!in.empty())
    return err::bad_value;
  models_ = std::move(loaded);
  ++loads_;
  return err::none;
}

} // namespace switchyard::engine
