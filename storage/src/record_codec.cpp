#include "switchyard/storage/record_codec.hpp"

#include "switchyard/storage/byte_reader.hpp"
#include "switchyard/storage/byte_writer.hpp"
#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/messages/error_code.hpp"

#include <openssl/evp.h>

#include <array>
#include <cmath>

namespace switchyard::storage {

// -- keys ---------------------------------------------------------------------

namespace {

void append_big_endian(std::string& out, std::uint64_t v) {
  byte_writer{out}.big_endian64(v);
}

/// Days may be negative in principle; the offset keeps them sorting in order
/// as unsigned big-endian numbers.
constexpr std::uint64_t day_offset = 1ull << 63;

} // namespace

std::string decision_key(std::uint64_t decision_id) {
  std::string k;
  append_big_endian(k, decision_id);
  return k;
}

std::optional<std::uint64_t> decision_id_of_key(std::string_view key) {
  if (key.size() != 8)
    return std::nullopt;
  byte_reader r{key};
  return r.big_endian64();
}

std::string feedback_key(std::uint64_t decision_id, std::uint64_t sequence) {
  std::string k;
  append_big_endian(k, decision_id);
  append_big_endian(k, sequence);
  return k;
}

std::string feedback_prefix(std::uint64_t decision_id) {
  return decision_key(decision_id);
}

std::string learned_key(std::string_view model, engine::task_type type) {
  std::string k{model};
  k.push_back('\0');
  k.append(to_string(type));
  return k;
}

std::string ledger_key(std::string_view scope, std::int64_t day) {
  std::string k{scope};
  k.push_back('\0');
  append_big_endian(k, static_cast<std::uint64_t>(day) + day_offset);
  return k;
}

std::string registry_key(std::uint64_t config_hash) {
  std::string k = "registry/";
  append_big_endian(k, config_hash);
  return k;
}

std::string api_key_id_key(std::string_view id) {
  return "id/" + std::string{id};
}

std::string api_key_hash_key(const std::array<std::uint8_t, 32>& h) {
  std::string k = "sha256/";
  k.append(reinterpret_cast<const char*>(h.data()), h.size());
  return k;
}

// -- shared pieces ------------------------------------------------------------

namespace {

caf::error corrupt(std::string_view what, std::string detail) {
  return caf::make_error(error_code::corrupt_data,
                         "cannot decode " + std::string{what} + ": "
                           + std::move(detail));
}

/// Checks the version byte; on a mismatch says which version was found.
std::optional<caf::error> check_version(byte_reader& r, std::string_view what) {
  auto v = r.u8();
  if (!r.ok())
    return corrupt(what, "empty value");
  if (v != encoding_version)
    return corrupt(what, "encoding version " + std::to_string(v)
                           + " is unknown to this build (it reads version "
                           + std::to_string(encoding_version)
                           + "); was the store written by a newer switchyard?");
  return std::nullopt;
}

std::optional<caf::error> check_end(byte_reader& r, std::string_view what) {
  if (!r.ok())
    return corrupt(what, "truncated or malformed value");
  if (!r.at_end())
    return corrupt(what, "trailing bytes after the value");
  return std::nullopt;
}

void put_u16_list(byte_writer& w, const std::vector<std::uint16_t>& xs) {
  w.varint(xs.size());
  for (auto x : xs)
    w.varint(x);
}

std::vector<std::uint16_t> get_u16_list(byte_reader& r) {
  std::vector<std::uint16_t> xs(r.count());
  for (auto& x : xs)
    x = r.narrow<std::uint16_t>();
  return xs;
}

void put_opt_f64(byte_writer& w, const std::optional<double>& v) {
  w.optional(v, [&](double d) { w.f64(d); });
}

std::optional<double> get_opt_f64(byte_reader& r) {
  return r.optional<double>([&] { return r.f64(); });
}

// -- task_spec ----------------------------------------------------------------

void put_bytes(byte_writer& w, const std::vector<std::uint8_t>& v) {
  w.string({reinterpret_cast<const char*>(v.data()), v.size()});
}

std::vector<std::uint8_t> get_bytes(byte_reader& r) {
  auto s = r.string();
  return {s.begin(), s.end()};
}

// -- conversations ------------------------------------------------------------

void put(byte_writer& w, const engine::content_part& p) {
  w.enumeration(p.kind);
  w.string(p.text);
  w.string(p.url);
  w.string(p.media_type);
  w.string(p.data);
  w.string(p.detail);
  w.string(p.id);
  w.string(p.name);
  w.string(p.arguments);
  w.varint(p.content.size());
  for (const auto& c : p.content)
    put(w, c);
  w.boolean(p.is_error);
  w.string(p.signature);
  w.boolean(p.redacted);
  w.string(p.cache_control);
}

void get(byte_reader& r, engine::content_part& p, int depth = 0) {
  p.kind = r.enumeration<engine::part_kind>(std::size(engine::part_kind_names));
  p.text = r.string();
  p.url = r.string();
  p.media_type = r.string();
  p.data = r.string();
  p.detail = r.string();
  p.id = r.string();
  p.name = r.string();
  p.arguments = r.string();
  p.content.resize(r.count(10));
  // A tool result holds parts, which hold none: anything deeper is corrupt.
  if (!p.content.empty() && depth > 0)
    r.fail();
  for (auto& c : p.content) {
    if (!r.ok())
      break;
    get(r, c, depth + 1);
  }
  p.is_error = r.boolean();
  p.signature = r.string();
  p.redacted = r.boolean();
  p.cache_control = r.string();
}

void put(byte_writer& w, const engine::request_options& o) {
  w.varint(o.tools.size());
  for (const auto& t : o.tools) {
    w.string(t.name);
    w.string(t.description);
    w.string(t.parameters);
    w.optional(t.strict, [&](bool b) { w.boolean(b); });
    w.string(t.cache_control);
  }
  w.enumeration(o.choice.mode);
  w.string(o.choice.name);
  w.optional(o.parallel_tool_calls, [&](bool b) { w.boolean(b); });
  w.enumeration(o.format.kind);
  w.string(o.format.name);
  w.string(o.format.schema);
  w.optional(o.format.strict, [&](bool b) { w.boolean(b); });
  w.string(o.format.description);
  w.optional(o.seed, [&](std::int64_t v) { w.zigzag(v); });
  put_opt_f64(w, o.top_p);
  w.optional(o.top_k, [&](std::uint32_t v) { w.varint(v); });
  w.optional(o.logprobs, [&](bool b) { w.boolean(b); });
  w.optional(o.top_logprobs, [&](std::uint32_t v) { w.varint(v); });
  w.string(o.reasoning_effort);
  w.optional(o.thinking_budget, [&](std::uint32_t v) { w.varint(v); });
  w.string(o.user);
  w.string(o.system_cache_control);
}

void get(byte_reader& r, engine::request_options& o) {
  o.tools.resize(r.count(4));
  for (auto& t : o.tools) {
    t.name = r.string();
    t.description = r.string();
    t.parameters = r.string();
    t.strict = r.optional<bool>([&] { return r.boolean(); });
    t.cache_control = r.string();
  }
  o.choice.mode = r.enumeration<engine::tool_choice_mode>(
    std::size(engine::tool_choice_mode_names));
  o.choice.name = r.string();
  o.parallel_tool_calls = r.optional<bool>([&] { return r.boolean(); });
  o.format.kind = r.enumeration<engine::response_format_kind>(
    std::size(engine::response_format_kind_names));
  o.format.name = r.string();
  o.format.schema = r.string();
  o.format.strict = r.optional<bool>([&] { return r.boolean(); });
  o.format.description = r.string();
  o.seed = r.optional<std::int64_t>([&] { return r.zigzag(); });
  o.top_p = get_opt_f64(r);
  o.top_k = r.optional<std::uint32_t>([&] { return r.narrow<std::uint32_t>(); });
  o.logprobs = r.optional<bool>([&] { return r.boolean(); });
  o.top_logprobs
    = r.optional<std::uint32_t>([&] { return r.narrow<std::uint32_t>(); });
  o.reasoning_effort = r.string();
  o.thinking_budget
    = r.optional<std::uint32_t>([&] { return r.narrow<std::uint32_t>(); });
  o.user = r.string();
  o.system_cache_control = r.string();
}

/// The conversation: a trailing section of a decision record (records
/// written before it hold their messages as role and text in the task).
void put_conversation(byte_writer& w, const task_spec& t) {
  w.varint(t.messages.size());
  for (const auto& m : t.messages) {
    w.enumeration(m.role);
    w.string(m.name);
    w.varint(m.parts.size());
    for (const auto& p : m.parts)
      put(w, p);
  }
  put(w, t.options);
  w.string(t.sticky_model);
}

void get_conversation(byte_reader& r, task_spec& t) {
  t.messages.resize(r.count(3));
  for (auto& m : t.messages) {
    if (!r.ok())
      break;
    m.role = r.enumeration<engine::message_role>(
      std::size(engine::message_role_names));
    m.name = r.string();
    m.parts.resize(r.count(10));
    for (auto& p : m.parts) {
      if (!r.ok())
        break;
      get(r, p);
    }
  }
  get(r, t.options);
  t.sticky_model = r.string();
}

void put(byte_writer& w, const task_spec& t) {
  w.string(t.text);
  // The messages travel in the conversation section (put_conversation).
  w.varint(0);
  w.optional(t.type, [&](auto v) { w.enumeration(v); });
  w.optional(t.tier, [&](auto v) { w.enumeration(v); });
  w.optional(t.complexity_score, [&](int v) { w.zigzag(v); });
  put_opt_f64(w, t.budget_usd);
  put_opt_f64(w, t.min_quality);
  put_opt_f64(w, t.max_latency_s);
  w.varint(t.context_tokens);
  w.optional(t.max_output_tokens, [&](std::uint32_t v) { w.varint(v); });
  w.u8(t.required.bits());
  w.boolean(t.parallel);
  w.optional(t.strategy, [&](auto v) { w.enumeration(v); });
  w.string(t.force_model);
  w.string(t.budget_key);
  put_opt_f64(w, t.temperature);
  w.varint(t.stop.size());
  for (const auto& s : t.stop)
    w.string(s);
}

void get(byte_reader& r, task_spec& t) {
  t.text = r.string();
  // Records written before the conversation section: role and text.
  t.messages.resize(r.count(2));
  for (auto& m : t.messages) {
    auto role = r.string();
    auto text = r.string();
    m = engine::chat_message::make(
      engine::parse_message_role(role).value_or(engine::message_role::user),
      std::move(text));
  }
  t.type = r.optional<engine::task_type>([&] {
    return r.enumeration<engine::task_type>(engine::task_type_count);
  });
  t.tier = r.optional<engine::complexity_tier>([&] {
    return r.enumeration<engine::complexity_tier>(engine::complexity_tier_count);
  });
  t.complexity_score
    = r.optional<int>([&] { return static_cast<int>(r.zigzag()); });
  t.budget_usd = get_opt_f64(r);
  t.min_quality = get_opt_f64(r);
  t.max_latency_s = get_opt_f64(r);
  t.context_tokens = r.narrow<std::uint32_t>();
  t.max_output_tokens
    = r.optional<std::uint32_t>([&] { return r.narrow<std::uint32_t>(); });
  t.required = engine::capability_set{r.u8()};
  t.parallel = r.boolean();
  t.strategy = r.optional<engine::consensus_strategy>([&] {
    return r.enumeration<engine::consensus_strategy>(
      engine::consensus_strategy_names.size());
  });
  t.force_model = r.string();
  t.budget_key = r.string();
  t.temperature = get_opt_f64(r);
  t.stop.resize(r.count());
  for (auto& s : t.stop)
    s = r.string();
}

// -- decisions ----------------------------------------------------------------

void put(byte_writer& w, const route_context& c) {
  put_u16_list(w, c.exclude);
  w.varint(c.local_failures);
  w.optional(c.budget_remaining, [&](std::int64_t v) { w.zigzag(v); });
  w.string(c.force_model);
}

void get(byte_reader& r, route_context& c) {
  c.exclude = get_u16_list(r);
  c.local_failures = r.narrow<std::uint32_t>();
  c.budget_remaining
    = r.optional<std::int64_t>([&] { return r.zigzag(); });
  c.force_model = r.string();
}

void put(byte_writer& w, const engine::cost_range& c) {
  w.zigzag(c.min);
  w.zigzag(c.expected);
  w.zigzag(c.max);
}

void get(byte_reader& r, engine::cost_range& c) {
  c.min = r.zigzag();
  c.expected = r.zigzag();
  c.max = r.zigzag();
}

void put(byte_writer& w, const engine::model_performance& p) {
  w.f64(p.success);
  w.f64(p.latency_ms);
  w.f64(p.feedback_weight);
  w.f64(p.samples);
  w.f64(p.confidence);
}

void get(byte_reader& r, engine::model_performance& p) {
  p.success = r.f64();
  p.latency_ms = r.f64();
  p.feedback_weight = r.f64();
  p.samples = r.f64();
  p.confidence = r.f64();
}

void put_classification(byte_writer& w, const engine::classification& c);
void get_classification(byte_reader& r, engine::classification& c);

/// What a round chose: its rule, notes, model, fallbacks and ensemble.
void put_choice(byte_writer& w, const engine::decision& d) {
  w.enumeration(d.rule);
  w.varint(d.notes);
  w.varint(d.model);
  put_u16_list(w, d.fallbacks);
  w.boolean(d.parallel);
  put_u16_list(w, d.ensemble.members);
  w.boolean(d.ensemble.has_judge);
  w.varint(d.ensemble.judge);
  w.enumeration(d.ensemble.strategy);
  w.zigzag(d.ensemble.max_cost);
}

void get_choice(byte_reader& r, engine::decision& d) {
  d.rule = r.enumeration<engine::selection_rule>(
    engine::selection_rule_names.size());
  d.notes = r.narrow<std::uint16_t>();
  d.model = r.narrow<std::uint16_t>();
  d.fallbacks = get_u16_list(r);
  d.parallel = r.boolean();
  d.ensemble.members = get_u16_list(r);
  d.ensemble.has_judge = r.boolean();
  d.ensemble.judge = r.narrow<std::uint16_t>();
  d.ensemble.strategy = r.enumeration<engine::consensus_strategy>(
    engine::consensus_strategy_names.size());
  d.ensemble.max_cost = r.zigzag();
}

void put(byte_writer& w, const engine::decision& d) {
  put_classification(w, d.cls);
  w.varint(d.tokens.input);
  w.varint(d.tokens.output);
  w.f64(d.quality_required);
  w.zigzag(d.budget_cap);
  w.f64(d.latency_bound_s);
  put_choice(w, d);
  w.varint(d.candidates.size());
  for (const auto& x : d.candidates) {
    w.varint(x.model);
    const auto& p = x.points;
    for (double v : {p.quality, p.cost, p.history, p.learned, p.preference,
                     p.diversity, p.vendor})
      w.f64(v);
    w.f64(x.total);
    w.f64(x.predicted_quality);
    w.boolean(x.capable);
    put(w, x.cost);
    w.f64(x.latency_s);
  }
  w.varint(d.filtered_out.size());
  for (const auto& f : d.filtered_out) {
    w.varint(f.model);
    w.enumeration(f.reason);
    w.f64(f.value);
    w.f64(f.limit);
    w.u8(f.missing.bits());
  }
  w.varint(d.config_hash);
  const auto& in = d.inputs;
  w.boolean(in.recorded);
  w.varint(in.performance.size());
  for (const auto& p : in.performance)
    put(w, p);
  w.varint(in.breaker_open.size());
  for (auto b : in.breaker_open)
    w.u8(b);
  w.optional(in.budget_remaining, [&](std::int64_t v) { w.zigzag(v); });
  w.varint(in.provider_share.size());
  for (auto s : in.provider_share)
    w.f64(s);
  w.varint(in.predicted_success.size());
  for (const auto& p : in.predicted_success) {
    w.f64(p.probability);
    w.f64(p.weight);
  }
}

void get(byte_reader& r, engine::decision& d) {
  get_classification(r, d.cls);
  d.tokens.input = r.narrow<std::uint32_t>();
  d.tokens.output = r.narrow<std::uint32_t>();
  d.quality_required = r.f64();
  d.budget_cap = r.zigzag();
  d.latency_bound_s = r.f64();
  get_choice(r, d);
  d.candidates.resize(r.count(60));
  for (auto& x : d.candidates) {
    x.model = r.narrow<std::uint16_t>();
    auto& p = x.points;
    for (double* v : {&p.quality, &p.cost, &p.history, &p.learned,
                      &p.preference, &p.diversity, &p.vendor})
      *v = r.f64();
    x.total = r.f64();
    x.predicted_quality = r.f64();
    x.capable = r.boolean();
    get(r, x.cost);
    x.latency_s = r.f64();
  }
  d.filtered_out.resize(r.count(19));
  for (auto& f : d.filtered_out) {
    f.model = r.narrow<std::uint16_t>();
    f.reason = r.enumeration<engine::filter_reason>(
      engine::filter_reason_names.size());
    f.value = r.f64();
    f.limit = r.f64();
    f.missing = engine::capability_set{r.u8()};
  }
  d.config_hash = r.varint();
  auto& in = d.inputs;
  in.recorded = r.boolean();
  in.performance.resize(r.count(40));
  for (auto& p : in.performance)
    get(r, p);
  in.breaker_open.resize(r.count());
  for (auto& b : in.breaker_open)
    b = r.u8();
  in.budget_remaining = r.optional<std::int64_t>([&] { return r.zigzag(); });
  in.provider_share.resize(r.count(8));
  for (auto& s : in.provider_share)
    s = r.f64();
  in.predicted_success.resize(r.count(16));
  for (auto& p : in.predicted_success) {
    p.probability = r.f64();
    p.weight = r.f64();
  }
}

void put(byte_writer& w, const attempt_record& a) {
  w.varint(a.model);
  w.enumeration(a.error);
  w.f64(a.latency_ms);
  w.zigzag(a.cost_nanos);
}

void get(byte_reader& r, attempt_record& a) {
  a.model = r.narrow<std::uint16_t>();
  a.error = r.enumeration<engine::call_error>(engine::call_error_names.size());
  a.latency_ms = r.f64();
  a.cost_nanos = r.zigzag();
}

// -- version 2 decisions: inputs and outcome, no evidence ---------------------

/// Whether any round read the prompt model: only then does a record carry
/// the trailer below.
bool read_prompt_model(const decision_record& rec) {
  for (const auto& round : rec.rounds) {
    const auto& in = round.decision.inputs;
    if (in.prompt.used())
      return true;
    for (const auto& p : in.predicted_success)
      if (!std::isnan(p.cost_usd))
        return true;
  }
  return false;
}

/// Per round, what the prompt model gave: its evidence and each model's
/// learned cost (the rest of its estimates are in the round's
/// predicted_success). Appended after version 2's fields; absent when no
/// round read the prompt model.
void put_prompt_model_trailer(byte_writer& w, const decision_record& rec) {
  if (!read_prompt_model(rec))
    return;
  w.u8(1); // the trailer's own version
  for (const auto& round : rec.rounds) {
    const auto& in = round.decision.inputs;
    w.varint(in.prompt.cluster);
    w.varint(in.prompt.neighbours);
    w.f64(in.prompt.mean_similarity);
    // Written for every round, recorded or not: the reader needs no flag.
    w.varint(in.recorded ? in.predicted_success.size() : 0);
    if (in.recorded)
      for (const auto& p : in.predicted_success)
        w.f64(p.cost_usd);
  }
}

void get_prompt_model_trailer(byte_reader& r, decision_record& rec) {
  if (r.u8() != 1) {
    r.fail();
    return;
  }
  for (auto& round : rec.rounds) {
    auto& in = round.decision.inputs;
    in.prompt.cluster = r.narrow<std::uint16_t>();
    in.prompt.neighbours = r.narrow<std::uint16_t>();
    in.prompt.mean_similarity = static_cast<float>(r.f64());
    auto n = r.count(8);
    if (n != 0 && n != in.predicted_success.size()) {
      r.fail();
      return;
    }
    for (std::size_t m = 0; m < n; ++m)
      in.predicted_success[m].cost_usd = r.f64();
  }
}

void put_classification(byte_writer& w, const engine::classification& c) {
  w.enumeration(c.tier);
  w.zigzag(c.score);
  w.enumeration(c.type);
  w.boolean(c.tier_given);
  w.boolean(c.type_given);
  w.u8(c.matched_count);
  for (std::size_t i = 0; i < c.matched_count && i < c.matched.size(); ++i)
    w.varint(c.matched[i]);
  w.varint(c.word_count);
}

void get_classification(byte_reader& r, engine::classification& c) {
  c.tier = r.enumeration<engine::complexity_tier>(engine::complexity_tier_count);
  c.score = static_cast<int>(r.zigzag());
  c.type = r.enumeration<engine::task_type>(engine::task_type_count);
  c.tier_given = r.boolean();
  c.type_given = r.boolean();
  c.matched_count = r.u8();
  if (c.matched_count > c.matched.size())
    r.fail();
  for (std::size_t i = 0; i < c.matched_count && i < c.matched.size(); ++i)
    c.matched[i] = r.narrow<std::uint16_t>();
  c.word_count = r.narrow<std::uint32_t>();
}

/// A round's decision without its evidence; the shared inputs by hash.
void put_compact(byte_writer& w, const engine::decision& d,
                 std::uint64_t inputs_hash) {
  put_classification(w, d.cls);
  w.varint(d.tokens.input);
  w.varint(d.tokens.output);
  w.f64(d.quality_required);
  w.zigzag(d.budget_cap);
  w.f64(d.latency_bound_s);
  // The evidence itself is recomputed on demand; its digest says whether
  // it came out the same.
  w.big_endian64(engine::evidence_hash(d));
  put_choice(w, d);
  w.varint(d.config_hash);
  const auto& in = d.inputs;
  w.boolean(in.recorded);
  if (!in.recorded)
    return;
  w.big_endian64(inputs_hash);
  w.optional(in.budget_remaining, [&](std::int64_t v) { w.zigzag(v); });
  w.varint(in.predicted_success.size());
  for (const auto& p : in.predicted_success) {
    w.f64(p.probability);
    w.f64(p.weight);
  }
}

/// Reads put_compact(); returns the shared inputs' hash (0: none).
std::uint64_t get_compact(byte_reader& r, engine::decision& d,
                          std::uint64_t& evidence) {
  get_classification(r, d.cls);
  d.tokens.input = r.narrow<std::uint32_t>();
  d.tokens.output = r.narrow<std::uint32_t>();
  d.quality_required = r.f64();
  d.budget_cap = r.zigzag();
  d.latency_bound_s = r.f64();
  evidence = r.big_endian64();
  get_choice(r, d);
  d.config_hash = r.varint();
  auto& in = d.inputs;
  in.recorded = r.boolean();
  if (!in.recorded)
    return 0;
  auto hash = r.big_endian64();
  in.budget_remaining = r.optional<std::int64_t>([&] { return r.zigzag(); });
  in.predicted_success.resize(r.count(16));
  for (auto& p : in.predicted_success) {
    p.probability = r.f64();
    p.weight = r.f64();
  }
  return hash;
}

void get_shared(byte_reader& r, engine::routing_inputs& in) {
  in.performance.resize(r.count(40));
  for (auto& p : in.performance)
    get(r, p);
  in.breaker_open = get_bytes(r);
  in.provider_share.resize(r.count(8));
  for (auto& s : in.provider_share)
    s = r.f64();
  in.provider_unavailable = get_bytes(r);
  in.model_unavailable = get_bytes(r);
}

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

void put_shape(byte_writer& w, const task_shape& s) {
  w.varint(s.text_bytes);
  w.varint(s.fields);
  w.varint(s.messages);
  w.varint(s.tool_names.size());
  for (const auto& n : s.tool_names)
    w.string(n);
}

void get_shape(byte_reader& r, task_shape& s) {
  s.text_bytes = r.varint();
  s.fields = r.narrow<std::uint32_t>();
  s.messages = r.narrow<std::uint32_t>();
  s.tool_names.resize(r.count(1));
  for (auto& n : s.tool_names)
    n = r.string();
  s.recorded = true;
}

caf::expected<decision_record> decode_decision_v1(std::string_view value);
caf::expected<decision_record>
decode_decision_v2(std::string_view value, const shared_inputs_lookup& lookup);

/// error_code has no names array; its last value bounds the range.
constexpr std::size_t error_code_count
  = static_cast<std::size_t>(error_code::overloaded) + 1;

// What a run did, in the order both decision encodings write it: the
// experiment and the error first, then the answer's usage (version 1 puts
// `answered` between the two), then the attempts.

void put_run_head(byte_writer& w, const decision_record& rec) {
  w.varint(rec.seed);
  w.string(rec.experiment);
  w.varint(rec.experiment_arm);
  w.enumeration(rec.error);
  w.string(rec.error_message);
}

void get_run_head(byte_reader& r, decision_record& rec) {
  rec.seed = r.varint();
  rec.experiment = r.string();
  rec.experiment_arm = r.narrow<std::uint32_t>();
  rec.error = r.enumeration<error_code>(error_code_count);
  rec.error_message = r.string();
}

void put_usage(byte_writer& w, const decision_record& rec) {
  w.varint(rec.answered_by);
  w.varint(rec.input_tokens);
  w.varint(rec.output_tokens);
  w.zigzag(rec.cost_nanos);
  w.f64(rec.latency_ms);
}

void get_usage(byte_reader& r, decision_record& rec) {
  rec.answered_by = r.narrow<std::uint16_t>();
  rec.input_tokens = r.narrow<std::uint32_t>();
  rec.output_tokens = r.narrow<std::uint32_t>();
  rec.cost_nanos = r.zigzag();
  rec.latency_ms = r.f64();
}

void put_attempts(byte_writer& w, const decision_record& rec) {
  w.varint(rec.attempts.size());
  for (const auto& a : rec.attempts)
    put(w, a);
}

void get_attempts(byte_reader& r, decision_record& rec) {
  rec.attempts.resize(r.count(11));
  for (auto& a : rec.attempts)
    get(r, a);
}


} // namespace

// -- decision records ---------------------------------------------------------

std::string encode_decision(const decision_record& rec) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  // Fixed position and width: the retention filter reads only this.
  w.big_endian64(static_cast<std::uint64_t>(rec.created_unix_ms));
  w.varint(rec.decision_id);
  w.boolean(rec.execute);
  put(w, rec.task);
  w.varint(rec.rounds.size());
  for (const auto& round : rec.rounds) {
    put(w, round.context);
    put(w, round.decision);
  }
  put_run_head(w, rec);
  w.boolean(rec.answered);
  put_usage(w, rec);
  w.boolean(rec.parallel);
  put_attempts(w, rec);
  // Added after version 1 shipped: the conversation, in full, then each
  // round's provider and model availability.
  put_conversation(w, rec.task);
  for (const auto& round : rec.rounds) {
    put_bytes(w, round.decision.inputs.provider_unavailable);
    put_bytes(w, round.decision.inputs.model_unavailable);
  }
  return out;
}

std::optional<std::int64_t> decision_created_unix_ms(std::string_view value) {
  if (value.size() < 9
      || (static_cast<std::uint8_t>(value[0]) != 1
          && static_cast<std::uint8_t>(value[0]) != decision_encoding_version))
    return std::nullopt;
  byte_reader r{value.substr(1, 8)};
  return static_cast<std::int64_t>(r.big_endian64());
}

caf::expected<decision_record>
decode_decision(std::string_view value, const shared_inputs_lookup& lookup) {
  if (!value.empty()
      && static_cast<std::uint8_t>(value[0]) == decision_encoding_version)
    return decode_decision_v2(value, lookup);
  return decode_decision_v1(value);
}

namespace {

caf::expected<decision_record> decode_decision_v1(std::string_view value) {
  constexpr std::string_view what = "decision record";
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  decision_record rec;
  rec.created_unix_ms = static_cast<std::int64_t>(r.big_endian64());
  rec.decision_id = r.varint();
  rec.execute = r.boolean();
  get(r, rec.task);
  rec.rounds.resize(r.count(40));
  for (auto& round : rec.rounds) {
    get(r, round.context);
    get(r, round.decision);
  }
  get_run_head(r, rec);
  rec.answered = r.boolean();
  get_usage(r, rec);
  rec.parallel = r.boolean();
  get_attempts(r, rec);
  if (r.ok() && !r.at_end())
    get_conversation(r, rec.task);
  if (r.ok() && !r.at_end())
    for (auto& round : rec.rounds) {
      round.decision.inputs.provider_unavailable = get_bytes(r);
      round.decision.inputs.model_unavailable = get_bytes(r);
    }
  if (auto err = check_end(r, what))
    return std::move(*err);
  return rec;
}

caf::expected<decision_record>
decode_decision_v2(std::string_view value, const shared_inputs_lookup& lookup) {
  constexpr std::string_view what = "decision record";
  byte_reader r{value};
  r.u8(); // the version, checked by the caller
  decision_record rec;
  rec.evidence_stored = false;
  rec.created_unix_ms = static_cast<std::int64_t>(r.big_endian64());
  rec.decision_id = r.varint();
  auto flags = r.u8();
  rec.execute = (flags & 1) != 0;
  rec.answered = (flags & 2) != 0;
  rec.parallel = (flags & 4) != 0;
  rec.prompts = r.enumeration<prompt_retention>(prompt_retention_names.size());
  get(r, rec.task);
  if (rec.prompts == prompt_retention::hash) {
    rec.prompt_sha256 = std::move(rec.task.text);
    rec.task.text.clear();
  }
  rec.task.sticky_model = r.string();
  get_shape(r, rec.shape);
  rec.rounds.resize(r.count(40));
  std::vector<std::uint64_t> hashes;
  for (auto& round : rec.rounds) {
    get(r, round.context);
    hashes.push_back(get_compact(r, round.decision, round.evidence_hash));
  }
  get_run_head(r, rec);
  get_usage(r, rec);
  get_attempts(r, rec);
  // Added after version 2 shipped: a trailing section older records lack.
  if (r.ok() && !r.at_end())
    get_prompt_model_trailer(r, rec);
  if (auto err = check_end(r, what))
    return std::move(*err);
  for (std::size_t i = 0; i < rec.rounds.size(); ++i) {
    auto& in = rec.rounds[i].decision.inputs;
    if (!in.recorded)
      continue;
    if (!lookup) {
      in.recorded = false;
      continue;
    }
    auto shared = lookup(hashes[i]);
    if (!shared) {
      if (error_code_of(shared.error()) != error_code::not_found)
        return std::move(shared.error());
      in.recorded = false; // pruned: replay says it cannot be exact
      continue;
    }
    if (shared->size() < 9 || static_cast<std::uint8_t>((*shared)[0]) != 1)
      return corrupt("shared routing inputs", "unknown encoding version");
    byte_reader sr{std::string_view{*shared}.substr(9)};
    get_shared(sr, in);
    if (auto err = check_end(sr, "shared routing inputs"))
      return std::move(*err);
  }
  return rec;
}

} // namespace

std::string encode_decision(const decision_record& rec,
                            prompt_retention prompts,
                            const std::vector<std::uint64_t>& round_inputs) {
  std::string out;
  out.reserve(256);
  byte_writer w{out};
  w.u8(decision_encoding_version);
  // Fixed position and width: the retention filter reads only this.
  w.big_endian64(static_cast<std::uint64_t>(rec.created_unix_ms));
  w.varint(rec.decision_id);
  w.u8(static_cast<std::uint8_t>((rec.execute ? 1 : 0) | (rec.answered ? 2 : 0)
                                 | (rec.parallel ? 4 : 0)));
  w.enumeration(prompts);
  // The task without its transcript (the coordinator logs it that way);
  // its text per the retention policy.
  if (prompts == prompt_retention::full && rec.task.messages.empty()) {
    put(w, rec.task);
  } else {
    auto task = rec.task;
    task.messages.clear();
    if (prompts == prompt_retention::hash)
      task.text = sha256_hex(rec.task.text);
    else if (prompts == prompt_retention::none)
      task.text.clear();
    put(w, task);
  }
  w.string(rec.task.sticky_model);
  put_shape(w, rec.shape.recorded ? rec.shape : task_shape{});
  w.varint(rec.rounds.size());
  for (std::size_t i = 0; i < rec.rounds.size(); ++i) {
    put(w, rec.rounds[i].context);
    put_compact(w, rec.rounds[i].decision,
                i < round_inputs.size() ? round_inputs[i] : 0);
  }
  put_run_head(w, rec);
  put_usage(w, rec);
  put_attempts(w, rec);
  put_prompt_model_trailer(w, rec);
  return out;
}

shared_inputs encode_shared_inputs(const engine::routing_inputs& in) {
  shared_inputs s;
  byte_writer w{s.content};
  w.varint(in.performance.size());
  for (const auto& p : in.performance)
    put(w, p);
  put_bytes(w, in.breaker_open);
  w.varint(in.provider_share.size());
  for (auto v : in.provider_share)
    w.f64(v);
  put_bytes(w, in.provider_unavailable);
  put_bytes(w, in.model_unavailable);
  // FNV-1a: a content address, not a defence (the store is the node's own).
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s.content) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  s.hash = h;
  return s;
}

std::string shared_inputs_value(const shared_inputs& s,
                                std::int64_t written_unix_ms) {
  std::string out;
  out.reserve(9 + s.content.size());
  byte_writer w{out};
  w.u8(1);
  w.big_endian64(static_cast<std::uint64_t>(written_unix_ms));
  out += s.content;
  return out;
}

std::string shared_inputs_key(std::uint64_t hash) {
  std::string k;
  append_big_endian(k, hash);
  return k;
}

std::optional<std::int64_t>
shared_inputs_written_unix_ms(std::string_view value) {
  if (value.size() < 9 || static_cast<std::uint8_t>(value[0]) != 1)
    return std::nullopt;
  byte_reader r{value.substr(1, 8)};
  return static_cast<std::int64_t>(r.big_endian64());
}

// -- learned cells ------------------------------------------------------------

std::string encode_learned(const engine::learned_cell& cell) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  for (const auto* e : {&cell.success, &cell.latency_ms, &cell.cost_nanos,
                        &cell.feedback}) {
    w.f64(e->value);
    w.boolean(e->initialized);
  }
  for (const auto* c : {&cell.calls, &cell.successes, &cell.feedback_count}) {
    w.f64(c->count);
    w.f64(c->as_of_s);
  }
  return out;
}

caf::expected<engine::learned_entry> decode_learned(std::string_view key,
                                                    std::string_view value) {
  constexpr std::string_view what = "learned cell";
  auto sep = key.find('\0');
  if (sep == std::string_view::npos)
    return corrupt(what, "key without a task type");
  engine::learned_entry e;
  e.model = std::string{key.substr(0, sep)};
  auto type = engine::parse_task_type(key.substr(sep + 1));
  if (!type)
    return corrupt(what, "unknown task type '"
                           + std::string{key.substr(sep + 1)} + "' in its key");
  e.type = *type;
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  auto& cell = e.cell;
  for (auto* m : {&cell.success, &cell.latency_ms, &cell.cost_nanos,
                  &cell.feedback}) {
    m->value = r.f64();
    m->initialized = r.boolean();
  }
  for (auto* c : {&cell.calls, &cell.successes, &cell.feedback_count}) {
    c->count = r.f64();
    c->as_of_s = r.f64();
  }
  if (auto err = check_end(r, what))
    return std::move(*err);
  return e;
}

// -- feedback -----------------------------------------------------------------

std::string encode_feedback(const feedback_record& rec) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  w.varint(rec.decision_id);
  w.zigzag(rec.received_unix_ms);
  const auto& f = rec.report;
  w.enumeration(f.outcome);
  put_opt_f64(w, f.quality);
  w.optional(f.pr_merged, [&](bool b) { w.boolean(b); });
  w.optional(f.pr_reverted, [&](bool b) { w.boolean(b); });
  w.optional(f.rating, [&](int v) { w.zigzag(v); });
  w.string(rec.model);
  w.enumeration(rec.type);
  return out;
}

std::optional<std::int64_t>
feedback_received_unix_ms(std::string_view value) {
  if (value.empty() || static_cast<std::uint8_t>(value[0]) != encoding_version)
    return std::nullopt;
  byte_reader r{value.substr(1)};
  r.varint(); // decision id
  auto received = r.zigzag();
  if (!r.ok())
    return std::nullopt;
  return received;
}

caf::expected<feedback_record> decode_feedback(std::string_view value) {
  constexpr std::string_view what = "feedback record";
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  feedback_record rec;
  rec.decision_id = r.varint();
  rec.received_unix_ms = r.zigzag();
  auto& f = rec.report;
  f.outcome = r.enumeration<engine::feedback_report::verdict>(4);
  f.quality = get_opt_f64(r);
  f.pr_merged = r.optional<bool>([&] { return r.boolean(); });
  f.pr_reverted = r.optional<bool>([&] { return r.boolean(); });
  f.rating = r.optional<int>([&] { return static_cast<int>(r.zigzag()); });
  rec.model = r.string();
  rec.type = r.enumeration<engine::task_type>(engine::task_type_count);
  if (auto err = check_end(r, what))
    return std::move(*err);
  return rec;
}

// -- ledger -------------------------------------------------------------------

std::string encode_ledger(std::int64_t spent_nanos) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  w.zigzag(spent_nanos);
  return out;
}

caf::expected<ledger_entry> decode_ledger(std::string_view key,
                                          std::string_view value) {
  constexpr std::string_view what = "ledger entry";
  if (key.size() < 9 || key[key.size() - 9] != '\0')
    return corrupt(what, "malformed key");
  ledger_entry e;
  e.scope = std::string{key.substr(0, key.size() - 9)};
  byte_reader kr{key.substr(key.size() - 8)};
  e.day = static_cast<std::int64_t>(kr.big_endian64() - day_offset);
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  e.spent_nanos = r.zigzag();
  if (auto err = check_end(r, what))
    return std::move(*err);
  return e;
}

// -- experiments --------------------------------------------------------------

std::string encode_experiment(const experiment_state& s) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  const auto& spec = s.spec;
  w.string(spec.id);
  w.enumeration(spec.type);
  w.varint(spec.arms.size());
  for (const auto& a : spec.arms) {
    w.string(a.name);
    w.string(a.model);
  }
  w.f64(spec.traffic_share);
  w.varint(spec.seed);
  w.enumeration(spec.metric);
  w.varint(spec.min_samples_per_arm);
  w.f64(spec.significance);
  w.boolean(s.running);
  w.zigzag(s.started_unix_s);
  w.zigzag(s.stopped_unix_s);
  w.varint(s.arms.size());
  for (const auto& t : s.arms) {
    w.varint(t.n);
    w.f64(t.sum);
    w.f64(t.sum_squares);
  }
  return out;
}

caf::expected<experiment_state> decode_experiment(std::string_view value) {
  constexpr std::string_view what = "experiment";
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  experiment_state s;
  auto& spec = s.spec;
  spec.id = r.string();
  spec.type = r.enumeration<engine::task_type>(engine::task_type_count);
  spec.arms.resize(r.count(2));
  for (auto& a : spec.arms) {
    a.name = r.string();
    a.model = r.string();
  }
  spec.traffic_share = r.f64();
  spec.seed = r.varint();
  spec.metric = r.enumeration<engine::experiment_metric>(
    engine::experiment_metric_names.size());
  spec.min_samples_per_arm = r.narrow<std::uint32_t>();
  spec.significance = r.f64();
  s.running = r.boolean();
  s.started_unix_s = r.zigzag();
  s.stopped_unix_s = r.zigzag();
  s.arms.resize(r.count(17));
  for (auto& t : s.arms) {
    t.n = r.varint();
    t.sum = r.f64();
    t.sum_squares = r.f64();
  }
  if (auto err = check_end(r, what))
    return std::move(*err);
  return s;
}

// -- registries ---------------------------------------------------------------

namespace {

void put_ms(byte_writer& w, std::chrono::milliseconds ms) {
  w.zigzag(ms.count());
}

std::chrono::milliseconds get_ms(byte_reader& r) {
  return std::chrono::milliseconds{r.zigzag()};
}

} // namespace

std::string encode_registry(const engine::registry& reg) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  w.varint(reg.providers.size());
  for (const auto& p : reg.providers) {
    w.string(p.id);
    w.enumeration(p.kind);
    w.string(p.base_url);
    w.string(p.api_key_env);
    w.boolean(p.local);
    w.varint(p.max_concurrency);
  }
  w.varint(reg.models.size());
  for (const auto& m : reg.models) {
    w.string(m.id);
    w.string(m.provider);
    w.string(m.upstream);
    w.varint(m.provider_index);
    w.f64(m.quality);
    w.f64(m.cost_per_1k_input);
    w.f64(m.cost_per_1k_output);
    w.varint(m.context_window);
    w.f64(m.p50_latency_ms);
    w.f64(m.tokens_per_second);
    w.u8(m.capabilities.bits());
    w.boolean(m.enabled);
    w.boolean(m.experimental);
    w.boolean(m.local);
  }
  for (const auto& pref : reg.preferences) {
    put_u16_list(w, pref.preferred);
    put_u16_list(w, pref.budget);
  }
  const auto& p = reg.policy;
  w.boolean(p.prefer_local);
  w.f64(p.max_cost_per_task_usd);
  w.f64(p.max_latency_per_call_s);
  w.varint(p.max_tokens_per_task);
  w.boolean(p.allow_cloud_fallback);
  w.boolean(p.allow_experimental);
  for (double q : p.quality_by_tier)
    w.f64(q);
  w.varint(p.escalate_after_local_failures);
  w.f64(p.parallel_quality_threshold);
  w.enumeration(p.default_consensus);
  w.boolean(p.require_approval_for_critical);
  w.varint(p.preferred_vendors.size());
  for (const auto& v : p.preferred_vendors)
    w.string(v);
  const auto& b = p.breaker;
  w.varint(b.consecutive_failures);
  w.f64(b.failure_rate);
  w.varint(b.window);
  w.varint(b.min_calls);
  put_ms(w, b.cooldown);
  put_ms(w, b.max_cooldown);
  w.varint(b.half_open_successes);
  put_ms(w, b.probe_timeout);
  const auto& rt = p.retry;
  w.varint(rt.max_retries);
  put_ms(w, rt.initial_backoff);
  put_ms(w, rt.max_backoff);
  w.f64(rt.jitter);
  put_ms(w, rt.max_retry_after);
  w.varint(reg.config_hash);
  // Added after version 1 shipped: a trailing section older records lack.
  w.enumeration(p.selection);
  w.f64(p.success_value_usd);
  return out;
}

caf::expected<engine::registry> decode_registry(std::string_view value) {
  constexpr std::string_view what = "registry";
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  engine::registry reg;
  reg.providers.resize(r.count(6));
  for (auto& p : reg.providers) {
    p.id = r.string();
    p.kind = r.enumeration<engine::provider_kind>(
      engine::provider_kind_names.size());
    p.base_url = r.string();
    p.api_key_env = r.string();
    p.local = r.boolean();
    p.max_concurrency = r.narrow<std::uint32_t>();
  }
  reg.models.resize(r.count(49));
  for (auto& m : reg.models) {
    m.id = r.string();
    m.provider = r.string();
    m.upstream = r.string();
    m.provider_index = r.narrow<std::uint16_t>();
    if (m.provider_index >= reg.providers.size())
      r.fail();
    m.quality = r.f64();
    m.cost_per_1k_input = r.f64();
    m.cost_per_1k_output = r.f64();
    m.context_window = r.narrow<std::uint32_t>();
    m.p50_latency_ms = r.f64();
    m.tokens_per_second = r.f64();
    m.capabilities = engine::capability_set{r.u8()};
    m.enabled = r.boolean();
    m.experimental = r.boolean();
    m.local = r.boolean();
  }
  for (auto& pref : reg.preferences) {
    pref.preferred = get_u16_list(r);
    pref.budget = get_u16_list(r);
    for (auto m : pref.preferred)
      if (m >= reg.models.size())
        r.fail();
    for (auto m : pref.budget)
      if (m >= reg.models.size())
        r.fail();
  }
  auto& p = reg.policy;
  p.prefer_local = r.boolean();
  p.max_cost_per_task_usd = r.f64();
  p.max_latency_per_call_s = r.f64();
  p.max_tokens_per_task = r.narrow<std::uint32_t>();
  p.allow_cloud_fallback = r.boolean();
  p.allow_experimental = r.boolean();
  for (double& q : p.quality_by_tier)
    q = r.f64();
  p.escalate_after_local_failures = r.narrow<std::uint32_t>();
  p.parallel_quality_threshold = r.f64();
  p.default_consensus = r.enumeration<engine::consensus_strategy>(
    engine::consensus_strategy_names.size());
  p.require_approval_for_critical = r.boolean();
  p.preferred_vendors.resize(r.count());
  for (auto& v : p.preferred_vendors)
    v = r.string();
  auto& b = p.breaker;
  b.consecutive_failures = r.narrow<std::uint32_t>();
  b.failure_rate = r.f64();
  b.window = r.narrow<std::uint32_t>();
  b.min_calls = r.narrow<std::uint32_t>();
  b.cooldown = get_ms(r);
  b.max_cooldown = get_ms(r);
  b.half_open_successes = r.narrow<std::uint32_t>();
  b.probe_timeout = get_ms(r);
  auto& rt = p.retry;
  rt.max_retries = r.narrow<std::uint32_t>();
  rt.initial_backoff = get_ms(r);
  rt.max_backoff = get_ms(r);
  rt.jitter = r.f64();
  rt.max_retry_after = get_ms(r);
  reg.config_hash = r.varint();
  // Records written before the selection mode existed end here: they were
  // routed smallest-capable.
  if (r.ok() && !r.at_end()) {
    p.selection = r.enumeration<engine::selection_mode>(
      engine::selection_mode_names.size());
    p.success_value_usd = r.f64();
  }
  if (auto err = check_end(r, what))
    return std::move(*err);
  return reg;
}

// -- API keys -----------------------------------------------------------------

std::string encode_api_key(const api_key_record& k) {
  std::string out;
  byte_writer w{out};
  w.u8(encoding_version);
  w.string(k.id);
  w.string(std::string_view{reinterpret_cast<const char*>(k.secret_sha256.data()),
                            k.secret_sha256.size()});
  w.string(k.name);
  put_opt_f64(w, k.budget_usd);
  w.optional(k.requests_per_minute, [&](std::uint32_t v) { w.varint(v); });
  w.zigzag(k.created_unix_s);
  w.boolean(k.revoked);
  w.zigzag(k.revoked_unix_s);
  w.boolean(k.admin);
  return out;
}

caf::expected<api_key_record> decode_api_key(std::string_view value) {
  constexpr std::string_view what = "API key";
  byte_reader r{value};
  if (auto err = check_version(r, what))
    return std::move(*err);
  api_key_record k;
  k.id = r.string();
  auto digest = r.string();
  if (digest.size() != k.secret_sha256.size())
    r.fail();
  else
    std::copy(digest.begin(), digest.end(), k.secret_sha256.begin());
  k.name = r.string();
  k.budget_usd = get_opt_f64(r);
  k.requests_per_minute
    = r.optional<std::uint32_t>([&] { return r.narrow<std::uint32_t>(); });
  k.created_unix_s = r.zigzag();
  k.revoked = r.boolean();
  k.revoked_unix_s = r.zigzag();
  k.admin = r.boolean();
  if (auto err = check_end(r, what))
    return std::move(*err);
  return k;
}

} // namespace switchyard::storage
