#include "switchyard/engine/prompt_history.hpp"

#include "switchyard/engine/byte_codec.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace switchyard::engine {

namespace {

constexpr std::array<char, 4> magic{'S', 'Y', 'P', 'H'};

/// Decays an outcome's sums to `now_s`.
void decay_to(prompt_outcome& o, double now_s, double half_life_s) noexcept {
  auto f = static_cast<float>(decay_factor(now_s - o.as_of_s, half_life_s));
  o.weight *= f;
  o.score_sum *= f;
  o.cost_weight *= f;
  o.cost_sum_usd *= f;
  if (now_s > o.as_of_s)
    o.as_of_s = now_s;
}

} // namespace

std::string_view to_string(prompt_history_load_error e) noexcept {
  constexpr std::array<std::string_view, 5> names{
    "none", "bad_magic", "unsupported_version", "truncated", "bad_value"};
  return names[static_cast<std::size_t>(e)];
}

prompt_history::prompt_history(prompt_model_params params)
    : params_(params),
      document_frequency_(std::size_t{1} << frequency_bits, 0) {
  params_.max_prompts = std::max<std::size_t>(params_.max_prompts, 1);
  params_.max_terms_per_prompt
    = std::max<std::size_t>(params_.max_terms_per_prompt, 1);
}

void prompt_history::count_terms(const prompt_history_entry& e, int delta) {
  for (const auto& t : e.terms) {
    auto& n = document_frequency_[frequency_bucket(t.id)];
    if (delta > 0)
      ++n;
    else if (n > 0)
      --n;
  }
}

void prompt_history::forget_oldest() {
  const auto& e = entries_.front();
  count_terms(e, -1);
  by_key_.erase(e.key);
  entries_.pop_front();
  ++first_seq_;
}

void prompt_history::add(std::span<const prompt_term> terms,
                         std::uint16_t model, double score, double cost_usd,
                         double now_s) {
  if (terms.empty() || !std::isfinite(score))
    return;
  score = std::clamp(score, 0.0, 1.0);
  ++version_;
  auto key = prompt_terms_key(terms);
  prompt_history_entry* entry = nullptr;
  if (auto i = by_key_.find(key); i != by_key_.end()) {
    entry = &entries_[i->second - first_seq_];
  } else {
    prompt_history_entry e;
    e.key = key;
    e.terms.assign(terms.begin(), terms.end());
    if (e.terms.size() > params_.max_terms_per_prompt) {
      // Keep the terms that say most about this prompt: frequent here, rare
      // in the history (ties by id, so the choice is deterministic).
      auto n = static_cast<double>(entries_.size());
      auto weight = [&](const prompt_term& t) {
        auto df = static_cast<double>(document_frequency(t.id));
        return static_cast<double>(t.count) * std::log((1.0 + n) / (1.0 + df));
      };
      std::vector<std::pair<double, prompt_term>> ranked;
      ranked.reserve(e.terms.size());
      for (const auto& t : e.terms)
        ranked.emplace_back(weight(t), t);
      std::partial_sort(ranked.begin(),
                        ranked.begin()
                          + static_cast<std::ptrdiff_t>(params_.max_terms_per_prompt),
                        ranked.end(), [](const auto& a, const auto& b) {
                          if (a.first != b.first)
                            return a.first > b.first;
                          return a.second.id < b.second.id;
                        });
      e.terms.clear();
      for (std::size_t k = 0; k < params_.max_terms_per_prompt; ++k)
        e.terms.push_back(ranked[k].second);
      std::sort(e.terms.begin(), e.terms.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    if (entries_.size() >= params_.max_prompts)
      forget_oldest();
    count_terms(e, +1);
    by_key_.emplace(key, first_seq_ + entries_.size());
    entries_.push_back(std::move(e));
    entry = &entries_.back();
  }
  auto& outs = entry->outcomes;
  auto at = std::lower_bound(outs.begin(), outs.end(), model,
                             [](const prompt_outcome& o, std::uint16_t m) {
                               return o.model < m;
                             });
  if (at == outs.end() || at->model != model)
    at = outs.insert(at, prompt_outcome{model, 0.0f, 0.0f, 0.0f, 0.0f, now_s});
  decay_to(*at, now_s, params_.half_life_s);
  at->weight += 1.0f;
  at->score_sum += static_cast<float>(score);
  if (std::isfinite(cost_usd)) {
    at->cost_weight += 1.0f;
    at->cost_sum_usd += static_cast<float>(std::max(cost_usd, 0.0));
  }
}

std::size_t prompt_history::memory_bytes() const noexcept {
  std::size_t bytes = entries_.size() * sizeof(prompt_history_entry);
  for (const auto& e : entries_)
    bytes += e.terms.capacity() * sizeof(prompt_term)
             + e.outcomes.capacity() * sizeof(prompt_outcome);
  // Hash nodes: key, value, next pointer and the bucket slot, roughly.
  bytes += by_key_.size() * 32
           + document_frequency_.capacity() * sizeof(std::uint32_t);
  return bytes;
}

// -- persistence --------------------------------------------------------------

void prompt_history::save(std::span<const std::string> model_ids,
                          std::string& out) const {
  out.append(magic.data(), magic.size());
  put_u8(out, format_version);
  put_le<std::uint32_t>(out, static_cast<std::uint32_t>(model_ids.size()));
  for (const auto& id : model_ids) {
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(id.size()));
    out.append(id);
  }
  put_le<std::uint64_t>(out, entries_.size());
  for (const auto& e : entries_) {
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(e.terms.size()));
    for (const auto& t : e.terms) {
      put_le<std::uint32_t>(out, t.id);
      put_le<std::uint16_t>(out, t.count);
    }
    put_le<std::uint32_t>(out, static_cast<std::uint32_t>(e.outcomes.size()));
    for (const auto& o : e.outcomes) {
      put_le<std::uint16_t>(out, o.model);
      put_f32(out, o.weight);
      put_f32(out, o.score_sum);
      put_f32(out, o.cost_weight);
      put_f32(out, o.cost_sum_usd);
      put_f64(out, o.as_of_s);
    }
  }
}

prompt_history_load_error
prompt_history::load(std::string_view bytes,
                     std::span<const std::string> model_ids) {
  using err = prompt_history_load_error;
  byte_reader in{bytes};
  std::string_view head;
  if (!in.get_bytes(magic.size(), head))
    return err::truncated;
  if (head != std::string_view{magic.data(), magic.size()})
    return err::bad_magic;
  std::uint8_t version = 0;
  if (!in.get(version))
    return err::truncated;
  if (version != format_version)
    return err::unsupported_version;
  std::uint32_t models = 0;
  if (!in.get(models))
    return err::truncated;
  // Saved model index -> this registry's index (or none).
  std::vector<int> remap;
  for (std::uint32_t i = 0; i < models; ++i) {
    std::uint32_t len = 0;
    std::string_view id;
    if (!in.get(len) || !in.get_bytes(len, id))
      return err::truncated;
    auto at = std::find(model_ids.begin(), model_ids.end(), id);
    remap.push_back(at == model_ids.end()
                      ? -1
                      : static_cast<int>(at - model_ids.begin()));
  }
  std::uint64_t count = 0;
  if (!in.get(count))
    return err::truncated;
  prompt_history next{params_};
  next.version_ = version_ + 1;
  for (std::uint64_t k = 0; k < count; ++k) {
    prompt_history_entry e;
    std::uint32_t terms = 0;
    if (!in.get(terms))
      return err::truncated;
    if (terms == 0 || terms > (1u << 20))
      return err::bad_value;
    e.terms.resize(terms);
    for (auto& t : e.terms)
      if (!in.get(t.id) || !in.get(t.count))
        return err::truncated;
    if (!std::is_sorted(e.terms.begin(), e.terms.end(),
                        [](const auto& a, const auto& b) { return a.id < b.id; }))
      return err::bad_value;
    std::uint32_t outcomes = 0;
    if (!in.get(outcomes))
      return err::truncated;
    for (std::uint32_t j = 0; j < outcomes; ++j) {
      prompt_outcome o;
      std::uint16_t saved = 0;
      if (!in.get(saved) || !in.get_f32(o.weight) || !in.get_f32(o.score_sum)
          || !in.get_f32(o.cost_weight) || !in.get_f32(o.cost_sum_usd)
          || !in.get_f64(o.as_of_s))
        return err::truncated;
      if (saved >= remap.size() || !std::isfinite(o.weight)
          || !std::isfinite(o.score_sum) || !std::isfinite(o.cost_weight)
          || !std::isfinite(o.cost_sum_usd) || !std::isfinite(o.as_of_s)
          || o.weight < 0.0f || o.cost_weight < 0.0f)
        return err::bad_value;
      if (remap[saved] < 0)
        continue;
      o.model = static_cast<std::uint16_t>(remap[saved]);
      e.outcomes.push_back(o);
    }
    std::sort(e.outcomes.begin(), e.outcomes.end(),
              [](const auto& a, const auto& b) { return a.model < b.model; });
    if (e.outcomes.empty())
      continue;
    e.key = prompt_terms_key(e.terms);
    if (next.by_key_.count(e.key) != 0)
      return err::bad_value;
    if (next.entries_.size() >= next.params_.max_prompts)
      next.forget_oldest();
    next.count_terms(e, +1);
    next.by_key_.emplace(e.key, next.first_seq_ + next.entries_.size());
    next.entries_.push_back(std::move(e));
  }
  if (!in.empty())
    return err::bad_value;
  *this = std::move(next);
  return err::none;
}

} // namespace switchyard::engine
