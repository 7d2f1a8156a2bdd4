#include "switchyard/storage/store_batch.hpp"

#include "switchyard/storage/record_codec.hpp"
#include "switchyard/storage/spend_rollup.hpp"

#include <algorithm>

namespace switchyard::storage {

void store_batch::add(column c, std::string key, std::string value,
                      bool merge, bool content_addressed) {
  operations_.push_back(
    {c, std::move(key), std::move(value), merge, content_addressed});
  columns_ |= 1u << static_cast<unsigned>(c);
}

void store_batch::put_learned(const engine::learned_entry& e) {
  add(column::performance, learned_key(e.model, e.type), encode_learned(e.cell));
}

void store_batch::put_feedback(const feedback_record& r,
                               std::uint64_t sequence) {
  add(column::feedback, feedback_key(r.decision_id, sequence),
      encode_feedback(r));
}

void store_batch::put_decision(const decision_record& r,
                               prompt_retention prompts) {
  std::vector<std::uint64_t> hashes;
  hashes.reserve(r.rounds.size());
  for_each_round(r, [&](const decision_round& round) {
    if (!round.decision.inputs.recorded) {
      hashes.push_back(0);
      return;
    }
    auto shared = encode_shared_inputs(round.decision.inputs);
    hashes.push_back(shared.hash);
    add(column::inputs, shared_inputs_key(shared.hash),
        shared_inputs_value(shared, r.created_unix_ms), false, true);
  });
  add(column::decisions, decision_key(r.decision_id),
      encode_decision(r, prompts, hashes));
  add_spend(r);
}

void store_batch::add_spend(const decision_record& r) {
  auto rollup = rollup_of(r);
  if (!rollup)
    return;
  auto s = r.created_unix_ms / 1000;
  for (auto w : {rollup_width::minute, rollup_width::hour}) {
    auto width = seconds_of(w);
    auto start = s - ((s % width) + width) % width;
    auto key = spend_rollup_key(w, start);
    // A batch spans a few ms: its decisions share one or two buckets.
    auto same = std::find_if(spend_.begin(), spend_.end(),
                             [&](const spend_merge& m) { return m.key == key; });
    if (same != spend_.end())
      same->rollup.add(*rollup);
    else
      spend_.push_back({std::move(key), *rollup});
  }
  columns_ |= 1u << static_cast<unsigned>(column::spend);
}

void store_batch::put_ledger(const ledger_entry& e) {
  add(column::ledger, ledger_key(e.scope, e.day), encode_ledger(e.spent_nanos));
}

void store_batch::put_experiment(const experiment_state& s) {
  add(column::experiments, s.spec.id, encode_experiment(s));
}

void store_batch::put_registry(const engine::registry& reg) {
  add(column::meta, registry_key(reg.config_hash), encode_registry(reg));
}

void store_batch::put_predictor(std::string bytes) {
  add(column::meta, std::string{predictor_key}, std::move(bytes));
}

void store_batch::put_prompt_history(std::string bytes) {
  add(column::meta, std::string{prompt_history_key}, std::move(bytes));
}

} // namespace switchyard::storage
