#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/storage/api_key.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Keys and values of the store. Every value starts with a version byte;
/// decoding a version this build does not know is a `corrupt_data` error
/// that says so, never a guess. Keys hold big-endian integers so that they
/// sort numerically.
namespace switchyard::storage {

/// The value encoding this build writes, and the only one it reads.
inline constexpr std::uint8_t encoding_version = 1;

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

/// API keys: the record under "id/" + id, and "sha256/" + digest -> id.
[[nodiscard]] std::string api_key_id_key(std::string_view id);
[[nodiscard]] std::string api_key_hash_key(const std::array<std::uint8_t, 32>& h);

// -- values -------------------------------------------------------------------

[[nodiscard]] std::string encode_decision(const decision_record& r);
[[nodiscard]] caf::expected<decision_record>
decode_decision(std::string_view value);

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
