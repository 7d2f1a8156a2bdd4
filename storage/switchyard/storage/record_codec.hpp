#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/storage/api_key.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Keys and values of the store. Every value starts with a version byte;
/// decoding a version this build does not know is a `corrupt_data` error
/// that says so, never a guess. A value's layout is written down once, as a
/// field list that both its encoder and its decoder visit (field_list.hpp);
/// a layout only grows by a new version or an appended section, and
/// tests/storage/record_codec_golden_test.cpp pins the bytes. Keys hold
/// big-endian integers so that they sort numerically.
namespace switchyard::storage {

/// The value encoding this build writes, and the only one it reads, for
/// every record but decisions.
inline constexpr std::uint8_t encoding_version = 1;

/// Decisions: version 1 held the whole task and each round's evidence;
/// version 2 (written now) holds the inputs replay needs and the outcome,
/// and refers to the round's shared inputs (learned performance, breakers,
/// availability, provider shares), which are stored once per distinct
/// value in the `inputs` column. This build reads both.
inline constexpr std::uint8_t decision_encoding_version = 2;

// -- keys ---------------------------------------------------------------------

[[nodiscard]] std::string decision_key(std::uint64_t decision_id);
[[nodiscard]] std::optional<std::uint64_t>
decision_id_of_key(std::string_view key);

/// Feedback sorts by decision, then by arrival.
[[nodiscard]] std::string feedback_key(std::uint64_t decision_id,
                                       std::uint64_t sequence);
[[nodiscard]] std::string feedback_prefix(std::uint64_t decision_id);

/// "model\0task_type": ids and names, never registry indices.
[[nodiscard]] std::string learned_key(std::string_view model,
                                      engine::task_type type);

[[nodiscard]] std::string ledger_key(std::string_view scope, std::int64_t day);

[[nodiscard]] std::string registry_key(std::uint64_t config_hash);
/// Where the success predictor's state lives in the meta column.
inline constexpr std::string_view predictor_key = "predictor";
/// Where the prompt model's history lives in the meta column.
inline constexpr std::string_view prompt_history_key = "prompt_history";

/// API keys: the record under "id/" + id, and "sha256/" + digest -> id.
[[nodiscard]] std::string api_key_id_key(std::string_view id);
[[nodiscard]] std::string api_key_hash_key(const std::array<std::uint8_t, 32>& h);

// -- values -------------------------------------------------------------------

/// Version 1 (kept for tests of stores written by older builds).
[[nodiscard]] std::string encode_decision(const decision_record& r);

/// The part of a round's inputs that many decisions share: what the scorer
/// read from its latest learning snapshot and the breaker and availability
/// boards. Stored once per distinct content, keyed by its hash.
struct shared_inputs {
  std::uint64_t hash = 0;
  /// The encoded content (without the time written).
  std::string content;
};

[[nodiscard]] shared_inputs
encode_shared_inputs(const engine::routing_inputs& in);

/// The `inputs` column's value: when it was (last) written, for retention,
/// then the content.
[[nodiscard]] std::string shared_inputs_value(const shared_inputs& s,
                                              std::int64_t written_unix_ms);
[[nodiscard]] std::string shared_inputs_key(std::uint64_t hash);

/// When an `inputs` value was written (the retention filter's fast path).
[[nodiscard]] std::optional<std::int64_t>
shared_inputs_written_unix_ms(std::string_view value);

/// Calls `fn` on every routing round of `r`, in the order the decision
/// encoding keeps their shared inputs: the task's own rounds, then each
/// plan step's.
template <class Record, class Fn>
void for_each_round(Record& r, Fn&& fn) {
  for (auto& round : r.rounds)
    fn(round);
  for (auto& step : r.steps)
    for (auto& round : step.rounds)
      fn(round);
}

/// Version 2: `round_inputs[i]` is encode_shared_inputs() of the inputs of
/// the i-th round for_each_round() visits (0 for none). With `prompts` hash
/// or none the newest user turn is replaced by its SHA-256, or dropped.
[[nodiscard]] std::string
encode_decision(const decision_record& r, prompt_retention prompts,
                const std::vector<std::uint64_t>& round_inputs);

/// Finds a round's shared inputs by hash: the `inputs` column's value.
using shared_inputs_lookup
  = std::function<caf::expected<std::string>(std::uint64_t)>;

/// Reads version 1 or 2. A version 2 record's shared inputs come from
/// `lookup`; without one (or when it fails with not_found) the round's
/// inputs are marked not recorded.
[[nodiscard]] caf::expected<decision_record>
decode_decision(std::string_view value,
                const shared_inputs_lookup& lookup = {});

/// The admission time of an encoded decision, read from its fixed-size
/// header without decoding the rest (the retention filter's fast path).
[[nodiscard]] std::optional<std::int64_t>
decision_created_unix_ms(std::string_view value);

/// When an encoded feedback record was received, read from its first
/// fields only (the retention filter's fast path).
[[nodiscard]] std::optional<std::int64_t>
feedback_received_unix_ms(std::string_view value);

[[nodiscard]] std::string encode_learned(const engine::learned_cell& cell);
[[nodiscard]] caf::expected<engine::learned_entry>
decode_learned(std::string_view key, std::string_view value);

[[nodiscard]] std::string encode_feedback(const feedback_record& r);
[[nodiscard]] caf::expected<feedback_record>
decode_feedback(std::string_view value);

[[nodiscard]] std::string encode_ledger(std::int64_t spent_nanos);
[[nodiscard]] caf::expected<ledger_entry> decode_ledger(std::string_view key,
                                                        std::string_view value);

[[nodiscard]] std::string encode_experiment(const experiment_state& s);
[[nodiscard]] caf::expected<experiment_state>
decode_experiment(std::string_view value);

[[nodiscard]] std::string encode_registry(const engine::registry& reg);
[[nodiscard]] caf::expected<engine::registry>
decode_registry(std::string_view value);

[[nodiscard]] std::string encode_api_key(const api_key_record& k);
[[nodiscard]] caf::expected<api_key_record>
decode_api_key(std::string_view value);

} // namespace switchyard::storage
