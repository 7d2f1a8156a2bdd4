#include "switchyard/storage/spend_rollup.hpp"

#include "switchyard/storage/byte_reader.hpp"
#include "switchyard/storage/byte_writer.hpp"
#include "switchyard/storage/field_list.hpp"
#include "switchyard/storage/field_reader.hpp"
#include "switchyard/storage/field_writer.hpp"

#include <algorithm>

namespace switchyard::storage {

namespace {

constexpr std::uint8_t rollup_version = 1;

template <class F, visited<spend_rollup> T>
void fields(F& f, T& r) {
  f.list(r.groups, 6, [&](auto& g) {
    f.string(g.budget_key);
    f.boolean(g.answered);
    f.varint(g.tasks);
    f.varint(g.input_tokens);
    f.varint(g.output_tokens);
    f.list(g.models, 3, [&](auto& m) {
      f.varint(m.config_hash);
      f.varint(m.model);
      f.zigzag(m.nanos);
    });
  });
}

} // namespace

void spend_rollup::add(const spend_rollup& other) {
  for (const auto& og : other.groups) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const group& x) {
      return x.budget_key == og.budget_key && x.answered == og.answered;
    });
    if (g == groups.end()) {
      groups.push_back(og);
      continue;
    }
    g->tasks += og.tasks;
    g->input_tokens += og.input_tokens;
    g->output_tokens += og.output_tokens;
    for (const auto& om : og.models) {
      auto m = std::find_if(g->models.begin(), g->models.end(),
                            [&](const model_cost& x) {
                              return x.config_hash == om.config_hash
                                     && x.model == om.model;
                            });
      if (m == g->models.end())
        g->models.push_back(om);
      else
        m->nanos += om.nanos;
    }
  }
}

std::optional<spend_rollup> rollup_of(const decision_record& rec) {
  if (!rec.execute || rec.rounds.empty())
    return std::nullopt;
  auto hash = rec.rounds.front().decision.config_hash;
  spend_rollup::group g;
  g.budget_key = rec.task.budget_key;
  g.answered = rec.answered;
  g.tasks = 1;
  if (rec.answered) {
    g.input_tokens = rec.input_tokens;
    g.output_tokens = rec.output_tokens;
  }
  for (const auto& a : rec.attempts) {
    if (a.error == engine::call_error::cancelled
        || a.error == engine::call_error::breaker_open)
      continue;
    auto m = std::find_if(g.models.begin(), g.models.end(),
                          [&](const auto& x) { return x.model == a.model; });
    if (m == g.models.end())
      g.models.push_back({hash, a.model, a.cost_nanos});
    else
      m->nanos += a.cost_nanos;
  }
  spend_rollup r;
  r.groups.push_back(std::move(g));
  return r;
}

std::string spend_rollup_key(rollup_width w, std::int64_t bucket_start_s) {
  std::string out;
  byte_writer bw{out};
  bw.u8(static_cast<std::uint8_t>(w));
  // Offset so that times before 1970 still sort below later ones.
  bw.big_endian64(static_cast<std::uint64_t>(bucket_start_s)
                  ^ (std::uint64_t{1} << 63));
  return out;
}

std::optional<std::int64_t> spend_rollup_start(std::string_view key) {
  if (key.size() != 9)
    return std::nullopt;
  byte_reader r{key.substr(1)};
  auto v = r.big_endian64();
  if (!r.ok())
    return std::nullopt;
  return static_cast<std::int64_t>(v ^ (std::uint64_t{1} << 63));
}

std::string encode_spend_rollup(const spend_rollup& r) {
  std::string out;
  field_writer f{out};
  f.u8(rollup_version);
  fields(f, r);
  return out;
}

std::optional<spend_rollup> decode_spend_rollup(std::string_view value) {
  field_reader f{value};
  std::uint8_t version = 0;
  f.u8(version);
  if (version != rollup_version)
    return std::nullopt;
  spend_rollup r;
  fields(f, r);
  if (!f.ok() || !f.at_end())
    return std::nullopt;
  return r;
}

} // namespace switchyard::storage
