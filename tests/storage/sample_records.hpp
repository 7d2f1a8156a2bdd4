#pragma once

// Records the storage tests write: small, valid, and told apart by id. The
// `full_*` samples set every field their encodings hold, by hand (no router,
// no registry file), so that their bytes depend on the codec alone.

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/storage/api_key.hpp"
#include "switchyard/storage/learned_sample.hpp"
#include "switchyard/storage/spend_rollup.hpp"

#include <cstdint>
#include <string>

namespace switchyard::test {

/// An executed task's decision, one round, under config hash 42; its text
/// names its id.
inline decision_record sample_decision(std::uint64_t id,
                                       std::int64_t created_unix_ms) {
  decision_record r;
  r.decision_id = id;
  r.created_unix_ms = created_unix_ms;
  r.execute = true;
  r.task.text = "task " + std::to_string(id);
  decision_round round;
  round.decision.config_hash = 42;
  r.rounds.push_back(round);
  return r;
}

// -- every field set ----------------------------------------------------------

/// An agent's turn: a system prompt, an image, reasoning, a tool call and
/// its (nested) result, and every request option and task field.
inline task_spec full_task() {
  using engine::chat_message;
  using engine::content_part;
  using engine::message_role;
  task_spec t;
  t.text = "Review this pull request diff for bugs \xe2\x9c\x93";
  t.messages = {chat_message::make(message_role::system, "be brief"),
                chat_message::make(message_role::user, t.text)};
  t.messages.front().parts.front().cache_control = "ephemeral";
  content_part image;
  image.kind = engine::part_kind::image;
  image.url = "https://example.com/a.png";
  image.media_type = "image/png";
  image.data = "iVBORw0KGgo=";
  image.detail = "low";
  t.messages.back().parts.push_back(image);
  auto assistant = chat_message::make(message_role::assistant, "Looking.");
  assistant.name = "reviewer";
  content_part thinking;
  thinking.kind = engine::part_kind::reasoning;
  thinking.text = "read the diff first";
  thinking.signature = "sig-abc";
  thinking.redacted = true;
  assistant.parts.insert(assistant.parts.begin(), thinking);
  assistant.parts.push_back(content_part::make_tool_call(
    "toolu_1", "read_file", R"({"path":"a.cpp"})"));
  t.messages.push_back(assistant);
  chat_message tool;
  tool.role = message_role::tool;
  content_part result;
  result.kind = engine::part_kind::tool_result;
  result.id = "toolu_1";
  result.is_error = true;
  result.content.push_back(content_part::make_text("no such file"));
  tool.parts.push_back(result);
  t.messages.push_back(tool);
  auto& o = t.options;
  o.tools.push_back(
    {"read_file", "Reads a file", R"({"type":"object"})", true, "ephemeral"});
  o.tools.push_back({"ls", "", "{}", std::nullopt, ""});
  o.choice = {engine::tool_choice_mode::named, "read_file"};
  o.parallel_tool_calls = false;
  o.format.kind = engine::response_format_kind::json_schema;
  o.format.name = "review";
  o.format.schema = R"({"type":"object"})";
  o.format.strict = true;
  o.format.description = "findings";
  o.seed = -7;
  o.top_p = 0.9;
  o.top_k = 40;
  o.logprobs = true;
  o.top_logprobs = 3;
  o.reasoning_effort = "high";
  o.thinking_budget = 2048;
  o.user = "user-17";
  o.system_cache_control = "ephemeral";
  t.sticky_model = "claude-sonnet-4";
  t.type = engine::task_type::code_review;
  t.tier = engine::complexity_tier::moderate;
  t.complexity_score = 5;
  t.budget_usd = 0.25;
  t.min_quality = 0.8;
  t.max_latency_s = 12.5;
  t.context_tokens = 1200;
  t.max_output_tokens = 900;
  t.required.add(engine::capability::tools);
  t.parallel = true;
  t.strategy = engine::consensus_strategy::voting;
  t.force_model = "gpt-4o";
  t.budget_key = "key_0123456789abcdef";
  t.temperature = 0.2;
  t.stop = {"###", "END"};
  return t;
}

/// A round with evidence (candidates, filtered models, an ensemble) and
/// every input recorded, the prompt model's included.
inline engine::decision full_round_decision() {
  engine::decision d;
  auto& c = d.cls;
  c.tier = engine::complexity_tier::complex;
  c.score = 7;
  c.type = engine::task_type::code_review;
  c.tier_given = true;
  c.matched = {3, 17, 250};
  c.matched_count = 3;
  c.word_count = 42;
  d.tokens = {1'200, 900};
  d.quality_required = 0.85;
  d.budget_cap = 250'000'000;
  d.latency_bound_s = 30.0;
  d.rule = engine::selection_rule::smallest_capable;
  d.add_note(engine::decision_note::quality_relaxed);
  d.add_note(engine::decision_note::escalated);
  d.model = 4;
  d.fallbacks = {5, 2};
  d.ensemble.members = {1, 4, 6};
  d.ensemble.has_judge = true;
  d.ensemble.judge = 3;
  d.ensemble.strategy = engine::consensus_strategy::voting;
  d.ensemble.max_cost = 9'000'000;
  engine::candidate a;
  a.model = 4;
  a.points = {40.0, 15.5, 7.25, 3.0, 5.0, 1.5, 2.0};
  a.total = a.points.total();
  a.predicted_quality = 0.87;
  a.capable = true;
  a.cost = {700'000, 1'000'000, 1'300'000};
  a.latency_s = 4.5;
  engine::candidate b;
  b.model = 5;
  b.points = {30.0, 20.0, 0.0, 0.0, 0.0, 3.0, 0.0};
  b.total = b.points.total();
  b.predicted_quality = 0.61;
  b.cost = {70'000, 100'000, 130'000};
  b.latency_s = 1.25;
  d.candidates = {a, b};
  engine::filtered_model open;
  open.model = 1;
  open.reason = engine::filter_reason::breaker_open;
  engine::filtered_model blind;
  blind.model = 2;
  blind.reason = engine::filter_reason::missing_capability;
  blind.value = 1.0;
  blind.limit = 2.0;
  blind.missing.add(engine::capability::vision);
  d.filtered_out = {open, blind};
  d.config_hash = 0x03ab7fb284e54b43;
  auto& in = d.inputs;
  in.recorded = true;
  in.performance = {{0.5, 0.0, 0.5, 0.0, 0.0},
                    {0.7, 420.0, 0.6, 33.0, 0.62},
                    {0.9, 1'800.5, 0.75, 4.0, 0.1}};
  in.breaker_open = {0, 1};
  in.budget_remaining = 123'456'789;
  in.provider_share = {0.75, 0.25};
  in.predicted_success = {{0.3, 0.7, 0.004}, {0.5, 0.0, 0.02}, {0.8, 0.1, 0.5}};
  in.prompt = {2, 5, 0.625f};
  in.provider_unavailable = {0, 2};
  in.model_unavailable = {0, 0, 1};
  return d;
}

/// Two rounds (the second found no model and recorded no inputs), an
/// experiment arm, two attempts and the conversation's shape.
inline decision_record full_decision() {
  decision_record r;
  r.decision_id = 0x1234567890;
  r.created_unix_ms = 1'700'000'000'123;
  r.execute = true;
  r.task = full_task();
  route_context ctx;
  ctx.exclude = {2, 7};
  ctx.local_failures = 1;
  ctx.budget_remaining = -5;
  ctx.force_model = "gpt-4o-mini";
  r.rounds.push_back({ctx, full_round_decision(), 0});
  engine::decision none;
  none.rule = engine::selection_rule::none;
  none.add_note(engine::decision_note::no_candidates);
  none.config_hash = 0x03ab7fb284e54b43;
  r.rounds.push_back({route_context{}, none, 0});
  r.seed = 0x5eed;
  r.experiment = "review-ab";
  r.experiment_arm = 1;
  r.error = error_code::budget_exhausted;
  r.error_message = "key budget spent";
  r.answered = true;
  r.answered_by = 4;
  r.input_tokens = 1'500;
  r.output_tokens = 640;
  r.cost_nanos = 4'200'000;
  r.latency_ms = 812.5;
  r.parallel = true;
  r.attempts = {{3, engine::call_error::server_error, 30.0, 0, 0},
                {4, engine::call_error::none, 780.0, 4'200'000, 1}};
  r.shape = {123, 5, 4, {"read_file", "ls"}, true};
  return r;
}

/// A critic plan that full_decision()'s round chose: a specialist that
/// answered, one that failed, a synthesis whose ensemble was hedged and a
/// critic that asked for a revision; the budget dropped a third role. The
/// first step's round reads the same shared inputs as the task's first.
inline decision_record full_plan_decision() {
  auto r = full_decision();
  r.plan = engine::plan_kind::critic;
  r.plan_dropped = {"review"};
  engine::step_outcome research;
  research.role = "research";
  research.route_as = engine::complexity_tier::complex;
  research.ran = true;
  research.ok = true;
  research.has_model = true;
  research.model = 4;
  research.worst_cost_nanos = 3'000'000;
  research.cost_nanos = 1'200'000;
  research.started_ms = 0.5;
  research.latency_ms = 812.25;
  research.input_tokens = 300;
  research.output_tokens = 420;
  route_context avoid;
  avoid.exclude = {5};
  avoid.budget_remaining = 9'000'000;
  r.steps.push_back({research,
                     {{avoid, full_round_decision(), 0}},
                     {{4, engine::call_error::none, 800.0, 1'200'000, 0}}});
  auto implementation = research;
  implementation.role = "implementation";
  implementation.ok = false;
  implementation.model = 2;
  implementation.cost_nanos = 0;
  implementation.latency_ms = 30.0;
  implementation.input_tokens = 0;
  implementation.output_tokens = 0;
  implementation.error = error_code::model_unavailable;
  implementation.note = "upstream 503";
  engine::decision hedged;
  hedged.rule = engine::selection_rule::ensemble;
  hedged.parallel = true;
  hedged.model = 4;
  hedged.ensemble.members = {4, 5};
  hedged.ensemble.quorum = 2;
  hedged.ensemble.deadline_ms = 4'500;
  hedged.config_hash = 0x03ab7fb284e54b43;
  r.steps.push_back({implementation,
                     {},
                     {{2, engine::call_error::server_error, 30.0, 0, 0}}});
  engine::step_outcome synthesis;
  synthesis.role = "synthesis";
  synthesis.route_as = engine::complexity_tier::complex;
  synthesis.ran = true;
  synthesis.ok = true;
  synthesis.final = true;
  synthesis.has_model = true;
  synthesis.model = 5;
  synthesis.worst_cost_nanos = 2'000'000;
  synthesis.cost_nanos = 900'000;
  synthesis.started_ms = 813.0;
  synthesis.latency_ms = 640.5;
  synthesis.input_tokens = 900;
  synthesis.output_tokens = 500;
  r.steps.push_back({synthesis, {{route_context{}, hedged, 0}}, {}});
  engine::step_outcome critic;
  critic.role = "critic";
  critic.route_as = engine::complexity_tier::complex;
  critic.ran = true;
  critic.ok = true;
  critic.has_model = true;
  critic.model = 3;
  critic.worst_cost_nanos = 500'000;
  critic.cost_nanos = 100'000;
  critic.started_ms = 1'453.5;
  critic.latency_ms = 210.0;
  critic.input_tokens = 700;
  critic.output_tokens = 40;
  critic.score = 0.55;
  critic.note = "a revision was due; the budget left ($0.0001) cannot cover it";
  engine::decision none;
  none.rule = engine::selection_rule::none;
  none.add_note(engine::decision_note::no_candidates);
  none.config_hash = 0x03ab7fb284e54b43;
  r.steps.push_back({critic, {{route_context{}, none, 0}}, {}});
  return r;
}

inline feedback_record full_feedback() {
  feedback_record f;
  f.decision_id = 77;
  f.received_unix_ms = 1'700'000'000'000;
  f.report.outcome = engine::feedback_report::verdict::partial;
  f.report.quality = 0.4;
  f.report.pr_merged = true;
  f.report.pr_reverted = false;
  f.report.rating = 4;
  f.model = "gpt-4o";
  f.type = engine::task_type::testing;
  return f;
}

inline engine::learned_cell full_learned_cell() {
  engine::learned_cell c;
  c.success = {0.75, true};
  c.latency_ms = {420.5, true};
  c.cost_nanos = {1'000.0, true};
  c.feedback = {0.0, false};
  c.calls = {12.5, 1'700'000'000.5};
  c.successes = {9.25, 1'700'000'000.5};
  c.feedback_count = {1.0, 1'700'000'100.0};
  return c;
}

inline experiment_state full_experiment() {
  experiment_state s;
  s.spec.id = "review-ab";
  s.spec.type = engine::task_type::code_review;
  s.spec.arms = {{"mini", "gpt-4o-mini"}, {"control", ""}};
  s.spec.traffic_share = 0.5;
  s.spec.seed = 99;
  s.spec.metric = engine::experiment_metric::success;
  s.spec.min_samples_per_arm = 50;
  s.spec.significance = 0.01;
  s.running = false;
  s.started_unix_s = 1'700'000'000;
  s.stopped_unix_s = 1'700'086'400;
  s.arms.resize(2);
  s.arms[0].add(1.0);
  s.arms[0].add(0.0);
  s.arms[0].add(1.0);
  s.arms[1].add(0.5);
  return s;
}

/// Two providers, three models, two task types' preferences and a policy
/// with no default left.
inline engine::registry full_registry() {
  engine::registry reg;
  engine::provider_spec cloud;
  cloud.id = "openai";
  cloud.base_url = "https://api.openai.com/v1";
  cloud.api_key_env = "OPENAI_API_KEY";
  engine::provider_spec local;
  local.id = "ollama";
  local.kind = engine::provider_kind::ollama;
  local.base_url = "http://127.0.0.1:11434";
  local.local = true;
  local.max_concurrency = 4;
  reg.providers = {cloud, local};
  engine::model_spec mini;
  mini.id = "gpt-4o-mini";
  mini.provider = "openai";
  mini.upstream = "gpt-4o-mini-2024-07-18";
  mini.quality = 0.78;
  mini.cost_per_1k_input = 0.00015;
  mini.cost_per_1k_output = 0.0006;
  mini.context_window = 128'000;
  mini.p50_latency_ms = 450.0;
  mini.tokens_per_second = 90.0;
  mini.capabilities.add(engine::capability::tools).add(
    engine::capability::vision);
  auto big = mini;
  big.id = "gpt-4o";
  big.upstream = "gpt-4o";
  big.quality = 0.9;
  big.experimental = true;
  engine::model_spec qwen;
  qwen.id = "qwen3:1.7b";
  qwen.provider = "ollama";
  qwen.upstream = "qwen3:1.7b";
  qwen.provider_index = 1;
  qwen.quality = 0.55;
  qwen.context_window = 32'768;
  qwen.p50_latency_ms = 120.0;
  qwen.tokens_per_second = 40.0;
  qwen.enabled = false;
  qwen.local = true;
  reg.models = {mini, big, qwen};
  reg.preferences[static_cast<std::size_t>(engine::task_type::code_review)]
    = {{1, 0}, {2}};
  reg.preferences[static_cast<std::size_t>(engine::task_type::general)]
    = {{2}, {}};
  auto& p = reg.policy;
  p.prefer_local = false;
  p.max_cost_per_task_usd = 0.5;
  p.max_latency_per_call_s = 45.0;
  p.max_tokens_per_task = 20'000;
  p.allow_cloud_fallback = false;
  p.allow_experimental = true;
  p.quality_by_tier = {0.4, 0.6, 0.8, 0.95};
  p.escalate_after_local_failures = 3;
  p.parallel_quality_threshold = 0.97;
  p.default_consensus = engine::consensus_strategy::quality_weighted;
  p.selection = engine::selection_mode::gain_per_cost;
  p.success_value_usd = 0.03;
  p.require_approval_for_critical = true;
  p.preferred_vendors = {"anthropic", "openai"};
  p.breaker.consecutive_failures = 7;
  p.breaker.failure_rate = 0.4;
  p.breaker.window = 30;
  p.breaker.min_calls = 12;
  p.breaker.cooldown = std::chrono::milliseconds{45'000};
  p.breaker.max_cooldown = std::chrono::milliseconds{600'000};
  p.breaker.half_open_successes = 2;
  p.breaker.probe_timeout = std::chrono::milliseconds{15'000};
  p.retry.max_retries = 4;
  p.retry.initial_backoff = std::chrono::milliseconds{250};
  p.retry.max_backoff = std::chrono::milliseconds{8'000};
  p.retry.jitter = 0.1;
  p.retry.max_retry_after = std::chrono::milliseconds{30'000};
  reg.config_hash = 0xfeedfacecafebeef;
  return reg;
}

/// full_registry() with a plan policy that sets every field: a role list
/// for code reviews, none for the other types.
inline engine::registry plans_registry() {
  auto reg = full_registry();
  reg.plans.critic_threshold = 0.6;
  reg.plans.max_revisions = 2;
  reg.plans.escalate_below_quality = 0.5;
  reg.plans.roles[static_cast<std::size_t>(engine::task_type::code_review)]
    = {{"security", "Look for vulnerabilities."}, {"style", ""}};
  return reg;
}

inline storage::api_key_record full_api_key() {
  storage::api_key_record k;
  k.id = "key_0123456789abcdef";
  k.secret_sha256 = storage::sha256("sy-golden-secret");
  k.name = "ci";
  k.budget_usd = 12.5;
  k.requests_per_minute = 600;
  k.created_unix_s = 1'700'000'000;
  k.revoked = true;
  k.revoked_unix_s = 1'700'000'100;
  k.admin = true;
  return k;
}

inline storage::learned_sample_record full_learned_sample() {
  storage::learned_sample_record s;
  s.unix_ms = 1'700'000'000'250;
  s.cells = {{"gpt-4o-mini", engine::task_type::code_review, 0.8, 420.0, 0.6,
              33.5, 0.62},
             {"qwen3:1.7b", engine::task_type::general, 0.5, 90.0, 0.5, 1.0,
              0.01}};
  return s;
}

inline storage::spend_rollup full_spend_rollup() {
  storage::spend_rollup r;
  storage::spend_rollup::group answered;
  answered.budget_key = "key_0123456789abcdef";
  answered.answered = true;
  answered.tasks = 3;
  answered.input_tokens = 4'500;
  answered.output_tokens = 1'200;
  answered.models = {{0x03ab7fb284e54b43, 4, 4'200'000},
                     {0x03ab7fb284e54b43, 5, 70'000}};
  storage::spend_rollup::group failed;
  failed.tasks = 1;
  r.groups = {answered, failed};
  return r;
}

} // namespace switchyard::test
