#include "switchyard/config/fnv1a.hpp"
#include "switchyard/config/interpolation.hpp"
#include "switchyard/config/nearest_name.hpp"
#include "switchyard/config/provider_health.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/config/yaml_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace switchyard::config {

namespace {

using namespace std::literals;

// -- the schema ---------------------------------------------------------------

constexpr std::array top_keys{"version"sv, "providers"sv, "models"sv,
                              "task_preferences"sv, "policy"sv, "server"sv, "cluster"sv,
                              "storage"sv, "prompt_model"sv, "plans"sv,
                              "telemetry"sv};
constexpr std::array top_required{"providers"sv, "models"sv};

constexpr std::array provider_keys{"kind"sv,  "base_url"sv,
                                   "api_key_env"sv, "local"sv,
                                   "max_concurrency"sv, "max_queued"sv,
                                   "health"sv};
constexpr std::array provider_required{"kind"sv, "base_url"sv};

constexpr std::array model_keys{"id"sv,
                                "provider"sv,
                                "upstream"sv,
                                "quality"sv,
                                "cost_per_1k"sv,
                                "context_window"sv,
                                "p50_latency_ms"sv,
                                "tokens_per_second"sv,
                                "capabilities"sv,
                                "enabled"sv,
                                "experimental"sv};
constexpr std::array model_required{"id"sv,
                                    "provider"sv,
                                    "upstream"sv,
                                    "quality"sv,
                                    "cost_per_1k"sv,
                                    "context_window"sv,
                                    "p50_latency_ms"sv,
                                    "tokens_per_second"sv,
                                    "capabilities"sv};

constexpr std::array cost_keys{"input"sv, "output"sv};

constexpr std::array preference_keys{"preferred"sv, "budget"sv};

constexpr std::array server_keys{"max_connections"sv};
constexpr std::array prompt_model_keys{
  "enabled"sv, "max_prompts"sv, "max_terms_per_prompt"sv, "neighbours"sv,
  "clusters"sv, "blend"sv, "neighbour_shrinkage"sv, "similarity_power"sv,
  "cluster_prior_strength"sv, "confidence_half_outcomes"sv,
  "max_term_share"sv, "max_query_terms"sv};
constexpr std::array storage_keys{"prompts"sv, "max_bytes"sv,
                                  "decision_log_queue"sv};

constexpr std::array policy_keys{"prefer_local"sv,
                                 "max_cost_per_task_usd"sv,
                                 "max_latency_per_call_s"sv,
                                 "max_tokens_per_task"sv,
                                 "allow_cloud_fallback"sv,
                                 "allow_experimental"sv,
                                 "quality_by_tier"sv,
                                 "escalate_after_local_failures"sv,
                                 "parallel_quality_threshold"sv,
                                 "consensus"sv,
                                 "ensemble_quorum"sv,
                                 "ensemble_member_timeout_s"sv,
                                 "hedge_latency_factor"sv,
                                 "selection"sv,
                                 "success_value_usd"sv,
                                 "require_approval_for_critical"sv,
                                 "preferred_vendors"sv,
                                 "breaker"sv,
                                 "retry"sv};

constexpr std::array breaker_keys{"consecutive_failures"sv,
                                  "failure_rate"sv,
                                  "window"sv,
                                  "min_calls"sv,
                                  "cooldown_ms"sv,
                                  "max_cooldown_ms"sv,
                                  "half_open_successes"sv,
                                  "probe_timeout_ms"sv};

constexpr std::array retry_keys{"max_retries"sv, "initial_backoff_ms"sv,
                                "max_backoff_ms"sv, "jitter"sv,
                                "max_retry_after_ms"sv};

constexpr std::array plans_keys{"critic_threshold"sv, "max_revisions"sv,
                                "escalate_below_quality"sv, "roles"sv};

constexpr std::array plan_role_keys{"name"sv, "prompt"sv};
constexpr std::array plan_role_required{"name"sv, "prompt"sv};

/// A critic that may ask for more rounds than this only spends the budget.
constexpr std::int64_t max_plan_revisions = 5;

/// An ensemble has at most this many members (the router picks 3; a caller
/// may name more).
constexpr std::int64_t max_ensemble_quorum = 8;

constexpr std::array cluster_keys{"node_id"sv, "listen"sv, "seeds"sv,
                                  "tls"sv};

constexpr std::array cluster_tls_keys{"cert"sv, "key"sv, "ca"sv};

constexpr std::array telemetry_keys{"otlp_endpoint"sv, "service_name"sv,
                                    "sample_ratio"sv,
                                    "propagate_to_providers"sv,
                                    "capture_content"sv};

/// "HOST:PORT" with a port in [0, 65535] (0: any free port).
bool is_host_port(std::string_view text) noexcept {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return false;
  unsigned port = 0;
  auto digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(),
                                   digits.data() + digits.size(), port);
  return ec == std::errc{} && end == digits.data() + digits.size()
         && port <= 65535;
}

/// The only schema version this build reads.
constexpr std::int64_t schema_version = 1;

/// Model and provider indices are 16 bits wide (`model_spec::provider_index`,
/// `task_preference`).
constexpr std::size_t max_entries = std::numeric_limits<std::uint16_t>::max();

constexpr std::int64_t max_u32 = std::numeric_limits<std::uint32_t>::max();

/// Durations beyond a day are taken for a unit mistake (seconds written as
/// milliseconds twice over, say) rather than intent.
constexpr std::int64_t max_duration_ms = 24 * 60 * 60 * 1000;

/// Retrying (or failing locally) more often than this only delays the
/// fallback.
constexpr std::int64_t max_attempts = 100;

const map_entry* find(const std::vector<map_entry>& entries,
                      std::string_view key) noexcept {
  for (const auto& e : entries)
    if (e.key.text == key)
      return &e;
  return nullptr;
}

std::string quoted(std::string_view text) {
  return "'" + std::string{text} + "'";
}

// -- the parser ---------------------------------------------------------------

/// Turns one YAML document into an `engine::registry`, reporting every
/// problem it finds through a `yaml_reader`.
///
/// Sections are read in a fixed order (providers, models, task preferences,
/// policy) whatever their order in the file, so that references can be
/// checked against everything they may name.
class registry_parser {
 public:
  registry_parser(std::string_view text, std::string_view file_name,
                  const env_lookup& env)
      : text_(text), env_(env), reader_(std::string{file_name}, env) {
    // nop
  }

  registry_load_result run() {
    try {
      auto documents = YAML::LoadAll(std::string{text_});
      if (documents.empty()) {
        reader_.fail(1, {},
                     "the file holds no YAML document; expected a mapping "
                     "with 'providers' and 'models'");
      } else {
        if (documents.size() > 1)
          reader_.fail(yaml_reader::line_of(documents[1], 1), {},
                       "only one YAML document is allowed, found "
                         + std::to_string(documents.size()));
        parse_document(documents.front());
      }
    } catch (const YAML::Exception& e) {
      // ParserException and yaml-cpp's depth guard; marks are 0-based.
      reader_.fail(e.mark.is_null() ? 0 : e.mark.line + 1, {},
                   "invalid YAML: " + e.msg);
    } catch (const std::exception& e) {
      reader_.fail(0, {}, std::string{"cannot load: "} + e.what());
    }
    registry_load_result result;
    if (reader_.failed()) {
      result.errors = reader_.take_errors();
      return result;
    }
    resolve();
    result.registry = std::move(registry_);
    return result;
  }

 private:
  // -- sections ---------------------------------------------------------------

  void parse_document(const YAML::Node& root) {
    auto top = reader_.fields(root, {}, yaml_reader::line_of(root, 1),
                              top_keys);
    if (!root.IsMap())
      return;
    reader_.require(top, top_required, {}, yaml_reader::line_of(root, 1));
    if (auto e = find(top, "version"))
      parse_version(*e);
    if (auto e = find(top, "providers"))
      parse_providers(*e);
    if (auto e = find(top, "models"))
      parse_models(*e);
    if (auto e = find(top, "task_preferences"))
      parse_task_preferences(*e);
    if (auto e = find(top, "policy"))
      parse_policy(*e);
    if (auto e = find(top, "server"))
      parse_server(*e);
    if (auto e = find(top, "cluster"))
      parse_cluster(*e);
    if (auto e = find(top, "telemetry"))
      parse_telemetry(*e);
    if (auto e = find(top, "storage"))
      parse_storage(*e);
    if (auto e = find(top, "prompt_model"))
      parse_prompt_model(*e);
    if (auto e = find(top, "plans"))
      parse_plans(*e);
  }

  void parse_plans(const map_entry& e) {
    auto& plans = registry_.plans;
    auto fields = reader_.fields(e.value, e.field, e.line, plans_keys);
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "critic_threshold") {
        read_into(plans.critic_threshold, f, number_range::closed(0, 1));
      } else if (key == "max_revisions") {
        read_into(plans.max_revisions, f, 0, max_plan_revisions);
      } else if (key == "escalate_below_quality") {
        double threshold = 0;
        if (read_into(threshold, f, number_range::closed(0, 1)))
          plans.escalate_below_quality = threshold;
      } else if (key == "roles") {
        parse_plan_roles(f);
      }
    }
  }

  void parse_plan_roles(const map_entry& e) {
    auto tasks = reader_.fields(e.value, e.field, e.line,
                                engine::task_type_names, "task type");
    for (const auto& t : tasks) {
      auto type = static_cast<std::size_t>(*engine::parse_task_type(t.key.text));
      if (!reader_.expect_sequence(t.value, t.field, t.line,
                                   "a list of roles (name, prompt)"))
        continue;
      if (t.value.size() == 0) {
        reader_.fail(t.line, t.field,
                     "must list at least one role; leave the task type out "
                     "for the default roles");
        continue;
      }
      auto& roles = registry_.plans.roles[type];
      // Role name -> the line it was first given at.
      std::unordered_map<std::string, int> lines;
      std::size_t index = 0;
      for (auto it = t.value.begin(); it != t.value.end(); ++it, ++index) {
        auto path = field_path(t.field, index);
        auto line = yaml_reader::line_of(*it, t.line);
        auto fields = reader_.fields(*it, path, line, plan_role_keys);
        if (!it->IsMap())
          continue;
        reader_.require(fields, plan_role_required, path, line);
        engine::plan_role role;
        for (const auto& f : fields) {
          auto text = reader_.read_string(f.value, f.field, f.line);
          if (!text)
            continue;
          if (f.key.text == "prompt") {
            role.prompt = std::move(*text);
            continue;
          }
          auto [pos, added] = lines.emplace(*text, f.line);
          if (!added)
            reader_.fail(f.line, f.field,
                         "duplicate role " + quoted(*text)
                           + "; first given at line "
                           + std::to_string(pos->second));
          role.name = std::move(*text);
        }
        roles.push_back(std::move(role));
      }
    }
  }

  void parse_prompt_model(const map_entry& e) {
    auto& pm = registry_.prompt_model;
    auto& p = pm.params;
    auto fields = reader_.fields(e.value, e.field, e.line, prompt_model_keys);
    auto count = [&](std::size_t& into, const auto& f, std::uint32_t lo,
                     std::uint32_t hi) {
      std::uint32_t v = 0;
      if (read_into(v, f, lo, hi))
        into = v;
    };
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "enabled")
        read_into(pm.enabled, f);
      else if (key == "max_prompts")
        count(p.max_prompts, f, 1, 10'000'000);
      else if (key == "max_terms_per_prompt")
        count(p.max_terms_per_prompt, f, 1, 4096);
      else if (key == "neighbours")
        count(p.neighbours, f, 1, 4096);
      else if (key == "clusters")
        count(p.clusters, f, 1, 4096);
      else if (key == "blend")
        read_into(p.blend, f, number_range::closed(0, 1));
      else if (key == "neighbour_shrinkage")
        read_into(p.neighbour_shrinkage, f, number_range::closed(0, 1e6));
      else if (key == "similarity_power")
        read_into(p.similarity_power, f, number_range::closed(0, 16));
      else if (key == "cluster_prior_strength")
        read_into(p.cluster_prior_strength, f, number_range::closed(0, 1e6));
      else if (key == "confidence_half_outcomes")
        read_into(p.confidence_half_outcomes, f, number_range::above(0));
      else if (key == "max_term_share")
        read_into(p.max_term_share, f, number_range::closed(0, 1));
      else if (key == "max_query_terms")
        count(p.max_query_terms, f, 1, 4096);
    }
  }

  void parse_storage(const map_entry& e) {
    auto& storage = registry_.storage;
    auto fields = reader_.fields(e.value, e.field, e.line, storage_keys);
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "prompts") {
        auto text = reader_.read_string(f.value, f.field, f.line);
        if (!text)
          continue;
        if (*text != "full" && *text != "hash" && *text != "none")
          reader_.fail(f.line, f.field,
                       "must be full, hash or none, got " + quoted(*text));
        else
          storage.prompts = *text;
      } else if (key == "max_bytes") {
        double bytes = 0;
        if (read_into(bytes, f, number_range::closed(0, 1e18)))
          storage.max_bytes = static_cast<std::uint64_t>(bytes);
      } else if (key == "decision_log_queue") {
        std::uint32_t queue = 0;
        if (read_into(queue, f, 1, 10'000'000))
          storage.decision_log_queue = queue;
      }
    }
  }

  void parse_server(const map_entry& e) {
    auto fields = reader_.fields(e.value, e.field, e.line, server_keys);
    for (const auto& f : fields)
      if (f.key.text == "max_connections")
        read_into(registry_.server.max_connections, f, 0, 1'000'000);
  }

  void parse_telemetry(const map_entry& e) {
    auto& telemetry = registry_.telemetry;
    auto fields = reader_.fields(e.value, e.field, e.line, telemetry_keys);
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "otlp_endpoint") {
        if (auto url = read_otlp_endpoint(f))
          telemetry.otlp_endpoint = std::move(*url);
      } else if (key == "service_name") {
        if (auto name = reader_.read_string(f.value, f.field, f.line))
          telemetry.service_name = std::move(*name);
      } else if (key == "sample_ratio") {
        read_into(telemetry.sample_ratio, f, number_range::closed(0, 1));
      } else if (key == "propagate_to_providers") {
        read_into(telemetry.propagate_to_providers, f);
      } else if (key == "capture_content") {
        read_into(telemetry.capture_content, f);
      }
    }
  }

  /// An OTLP/HTTP URL, or "" (export off). The shape only; the exporter
  /// resolves it (a bare origin gets /v1/traces). A URL holding user info
  /// is never echoed: that part is a credential.
  std::optional<std::string> read_otlp_endpoint(const map_entry& f) {
    auto value = reader_.read_scalar(f.value, f.field, f.line, "a URL");
    if (!value)
      return std::nullopt;
    std::string_view url = value->text;
    if (url.empty())
      return std::string{};
    auto scheme_end = url.starts_with("https://")  ? 8u
                      : url.starts_with("http://") ? 7u
                                                   : 0u;
    auto authority = url.substr(scheme_end);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) {
      reader_.fail(f.line, f.field,
                   "must not hold user info (user:password@); give "
                   "credentials in OTEL_EXPORTER_OTLP_HEADERS");
      return std::nullopt;
    }
    if (scheme_end == 0 || authority.empty()) {
      reader_.fail(f.line, f.field,
                   "must start with http:// or https:// and name a host, got "
                     + value->shown()
                     + " (\"\" turns export off)");
      return std::nullopt;
    }
    if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
      reader_.fail(f.line, f.field,
                   "must not contain whitespace, got " + value->shown());
      return std::nullopt;
    }
    if (url.find_first_of("?#") != std::string_view::npos) {
      reader_.fail(f.line, f.field,
                   "must not have a query or fragment, got "
                     + value->shown());
      return std::nullopt;
    }
    return std::move(value->text);
  }

  void parse_cluster(const map_entry& e) {
    auto& cluster = registry_.cluster;
    auto fields = reader_.fields(e.value, e.field, e.line, cluster_keys);
    auto host_port = [this](const YAML::Node& node, const std::string& field,
                            int line) -> std::optional<std::string> {
      auto text = reader_.read_string(node, field, line);
      if (!text)
        return std::nullopt;
      if (!is_host_port(*text)) {
        reader_.fail(line, field,
                     "must be HOST:PORT (port 0-65535), got " + quoted(*text));
        return std::nullopt;
      }
      return text;
    };
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "node_id") {
        if (auto id = reader_.read_string(f.value, f.field, f.line)) {
          if (id->find_first_of("=,# ") != std::string::npos)
            reader_.fail(f.line, f.field,
                         "must be a name without '=', ',', '#' or spaces, "
                         "got "
                           + quoted(*id));
          else
            cluster.node_id = std::move(*id);
        }
      } else if (key == "listen") {
        if (auto address = host_port(f.value, f.field, f.line))
          cluster.listen = std::move(*address);
      } else if (key == "seeds") {
        if (!reader_.expect_sequence(f.value, f.field, f.line,
                                     "a list of HOST:PORT"))
          continue;
        std::size_t index = 0;
        for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index)
          if (auto seed = host_port(*it, field_path(f.field, index),
                                    yaml_reader::line_of(*it, f.line)))
            cluster.seeds.push_back(std::move(*seed));
      } else if (key == "tls") {
        parse_cluster_tls(f);
      }
    }
  }

  void parse_cluster_tls(const map_entry& e) {
    auto& cluster = registry_.cluster;
    auto errors_before = reader_.error_count();
    auto fields = reader_.fields(e.value, e.field, e.line, cluster_tls_keys);
    for (const auto& f : fields) {
      auto file = reader_.read_string(f.value, f.field, f.line);
      if (!file)
        return;
      const auto& key = f.key.text;
      (key == "cert"  ? cluster.tls_cert
       : key == "key" ? cluster.tls_key
                      : cluster.tls_ca)
        = std::move(*file);
    }
    // A misspelt key is reported already; a missing one would repeat it.
    if (e.value.IsMap() && reader_.error_count() == errors_before
        && (cluster.tls_cert.empty() || cluster.tls_key.empty()
            || cluster.tls_ca.empty()))
      reader_.fail(e.key_line, e.field,
                   "needs all of cert, key and ca (PEM files), or none");
  }

  void parse_version(const map_entry& e) {
    auto version = reader_.read_integer(e.value, e.field, e.line, 0,
                                        std::numeric_limits<int>::max());
    if (version && *version != schema_version)
      reader_.fail(e.line, e.field,
                   "unsupported version " + std::to_string(*version)
                     + "; this build reads version "
                     + std::to_string(schema_version));
  }

  void parse_providers(const map_entry& e) {
    auto providers = reader_.entries(e.value, e.field, e.line, "provider id");
    if (e.value.IsMap() && e.value.size() == 0)
      reader_.fail(e.line, e.field, "must define at least one provider");
    if (providers.size() > max_entries)
      reader_.fail(e.line, e.field,
                   "at most " + std::to_string(max_entries)
                     + " providers are supported, found "
                     + std::to_string(providers.size()));
    for (const auto& p : providers) {
      provider_indices_.emplace(p.key.text, registry_.providers.size());
      provider_ids_.push_back(p.key.text);
      registry_.providers.push_back(parse_provider(p));
    }
  }

  engine::provider_spec parse_provider(const map_entry& p) {
    engine::provider_spec spec;
    spec.id = p.key.text;
    auto fields = reader_.fields(p.value, p.field, p.line, provider_keys);
    if (!p.value.IsMap())
      return spec;
    reader_.require(fields, provider_required, p.field, p.key_line);
    bool concurrency_set = false;
    bool queue_set = false;
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "kind") {
        if (auto kind = reader_.read_choice(
              f.value, f.field, f.line, engine::provider_kind_names, "kind"))
          spec.kind = static_cast<engine::provider_kind>(*kind);
      } else if (key == "base_url") {
        if (auto url = read_base_url(f))
          spec.base_url = std::move(*url);
      } else if (key == "api_key_env") {
        if (auto name = reader_.read_string(f.value, f.field, f.line, false)) {
          // Never quote the value: a key pasted here by mistake is a secret.
          if (!name->empty() && !is_env_name(*name))
            reader_.fail(f.line, f.field,
                         "must be the name of the environment variable that "
                         "holds the key (letters, digits and '_'), not the "
                         "key itself");
          else
            spec.api_key_env = std::move(*name);
        }
      } else if (key == "local") {
        if (auto local = reader_.read_bool(f.value, f.field, f.line))
          spec.local = *local;
      } else if (key == "max_concurrency") {
        concurrency_set = true;
        if (auto n = reader_.read_integer(f.value, f.field, f.line, 1, max_u32))
          spec.max_concurrency = static_cast<std::uint32_t>(*n);
      } else if (key == "max_queued") {
        queue_set = true;
        if (auto n = reader_.read_integer(f.value, f.field, f.line, 0, max_u32))
          spec.max_queued = static_cast<std::uint32_t>(*n);
      } else if (key == "health") {
        // Validated here; the gateway reads it with read_provider_health.
        (void) parse_provider_health(reader_, f);
      }
    }
    // A model server's defaults are small, a commercial API's large (see
    // provider_spec): local ones, and Ollama wherever it runs (its own GPU
    // answers OLLAMA_NUM_PARALLEL calls at once). Keys may come in any
    // order, so the defaults apply last.
    bool small = spec.local || spec.kind == engine::provider_kind::ollama;
    if (small && !concurrency_set)
      spec.max_concurrency = engine::provider_spec::local_max_concurrency;
    if (small && !queue_set)
      spec.max_queued = engine::provider_spec::local_max_queued;
    return spec;
  }

  std::optional<std::string> read_base_url(const map_entry& f) {
    auto value = reader_.read_scalar(f.value, f.field, f.line, "a URL");
    if (!value)
      return std::nullopt;
    std::string_view url = value->text;
    auto scheme_end = url.starts_with("https://")  ? 8u
                      : url.starts_with("http://") ? 7u
                                                   : 0u;
    if (scheme_end == 0 || url.size() == scheme_end) {
      reader_.fail(f.line, f.field,
                   "must start with http:// or https:// and name a host, got "
                     + value->shown());
      return std::nullopt;
    }
    if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
      reader_.fail(f.line, f.field,
                   "must not contain whitespace, got " + value->shown());
      return std::nullopt;
    }
    return std::move(value->text);
  }

  void parse_models(const map_entry& e) {
    if (!reader_.expect_sequence(e.value, e.field, e.line, "a list of models"))
      return;
    if (e.value.size() == 0)
      reader_.fail(e.line, e.field, "must list at least one model");
    if (e.value.size() > max_entries)
      reader_.fail(e.line, e.field,
                   "at most " + std::to_string(max_entries)
                     + " models are supported, found "
                     + std::to_string(e.value.size()));
    std::size_t index = 0;
    for (auto it = e.value.begin(); it != e.value.end(); ++it, ++index) {
      const YAML::Node node = *it;
      auto line = node.IsNull() ? e.line : yaml_reader::line_of(node, e.line);
      registry_.models.push_back(
        parse_model(node, field_path(e.field, index), line));
    }
  }

  engine::model_spec parse_model(const YAML::Node& node,
                                 const std::string& path, int line) {
    engine::model_spec spec;
    reader_.set_context(model_context(node));
    auto fields = reader_.fields(node, path, line, model_keys);
    if (node.IsMap()) {
      reader_.require(fields, model_required, path, line);
      for (const auto& f : fields)
        parse_model_field(spec, f);
    }
    reader_.set_context({});
    return spec;
  }

  void parse_model_field(engine::model_spec& spec, const map_entry& f) {
    const auto& key = f.key.text;
    if (key == "id") {
      if (auto id = reader_.read_scalar(f.value, f.field, f.line, "a string")) {
        if (id->text.empty()) {
          reader_.fail(f.line, f.field, "must not be empty");
          return;
        }
        auto [pos, added] = model_lines_.emplace(id->text, f.line);
        if (!added) {
          reader_.fail(f.line, f.field,
                       "duplicate model id " + id->shown()
                         + "; first defined at line "
                         + std::to_string(pos->second));
        } else {
          model_ids_.push_back(id->text);
          model_indices_.emplace(id->text, registry_.models.size());
        }
        spec.id = std::move(id->text);
      }
    } else if (key == "provider") {
      if (auto provider = reader_.read_scalar(f.value, f.field, f.line,
                                              "a provider id")) {
        if (provider_indices_.count(provider->text) == 0)
          reader_.fail(f.line, f.field,
                       unknown_reference("provider", *provider, provider_ids_));
        spec.provider = std::move(provider->text);
      }
    } else if (key == "upstream") {
      if (auto upstream = reader_.read_string(f.value, f.field, f.line))
        spec.upstream = std::move(*upstream);
    } else if (key == "quality") {
      if (auto q = reader_.read_number(f.value, f.field, f.line,
                                       number_range::closed(0, 1)))
        spec.quality = *q;
    } else if (key == "cost_per_1k") {
      auto costs = reader_.fields(f.value, f.field, f.line, cost_keys);
      if (f.value.IsMap())
        reader_.require(costs, cost_keys, f.field, f.line);
      for (const auto& c : costs) {
        auto usd = reader_.read_number(c.value, c.field, c.line,
                                       number_range::at_least(0));
        if (usd)
          (c.key.text == "input" ? spec.cost_per_1k_input
                                 : spec.cost_per_1k_output)
            = *usd;
      }
    } else if (key == "context_window") {
      if (auto n = reader_.read_integer(f.value, f.field, f.line, 1, max_u32))
        spec.context_window = static_cast<std::uint32_t>(*n);
    } else if (key == "p50_latency_ms") {
      if (auto ms = reader_.read_number(f.value, f.field, f.line,
                                        number_range::at_least(0)))
        spec.p50_latency_ms = *ms;
    } else if (key == "tokens_per_second") {
      if (auto tps = reader_.read_number(f.value, f.field, f.line,
                                         number_range::above(0)))
        spec.tokens_per_second = *tps;
    } else if (key == "capabilities") {
      if (auto caps = read_capabilities(f))
        spec.capabilities = *caps;
    } else if (key == "enabled") {
      if (auto b = reader_.read_bool(f.value, f.field, f.line))
        spec.enabled = *b;
    } else if (key == "experimental") {
      if (auto b = reader_.read_bool(f.value, f.field, f.line))
        spec.experimental = *b;
    }
  }

  std::optional<engine::capability_set> read_capabilities(const map_entry& f) {
    if (!reader_.expect_sequence(f.value, f.field, f.line,
                                 "a list of capabilities ("
                                   + join_names(engine::capability_names)
                                   + ")"))
      return std::nullopt;
    engine::capability_set caps;
    bool ok = true;
    std::size_t index = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
      auto name = reader_.read_choice(*it, field_path(f.field, index),
                                      yaml_reader::line_of(*it, f.line),
                                      engine::capability_names, "capability");
      if (name)
        caps.add(static_cast<engine::capability>(1u << *name));
      else
        ok = false;
    }
    if (!ok)
      return std::nullopt;
    return caps;
  }

  void parse_task_preferences(const map_entry& e) {
    auto tasks = reader_.fields(e.value, e.field, e.line,
                                engine::task_type_names, "task type");
    for (const auto& t : tasks) {
      auto type = engine::parse_task_type(t.key.text);
      auto& preference = registry_.preferences[static_cast<std::size_t>(*type)];
      auto lists = reader_.fields(t.value, t.field, t.line, preference_keys);
      for (const auto& l : lists)
        (l.key.text == "preferred" ? preference.preferred : preference.budget)
          = model_references(l);
    }
  }

  /// A list of model ids as indices into `registry_.models`.
  std::vector<std::uint16_t> model_references(const map_entry& l) {
    std::vector<std::uint16_t> result;
    if (!reader_.expect_sequence(l.value, l.field, l.line,
                                 "a list of model ids"))
      return result;
    std::size_t index = 0;
    for (auto it = l.value.begin(); it != l.value.end(); ++it, ++index) {
      auto path = field_path(l.field, index);
      auto line = yaml_reader::line_of(*it, l.line);
      auto id = reader_.read_scalar(*it, path, line, "a model id");
      if (!id)
        continue;
      if (auto pos = model_indices_.find(id->text); pos != model_indices_.end())
        result.push_back(static_cast<std::uint16_t>(pos->second));
      else
        reader_.fail(line, path, unknown_reference("model", *id, model_ids_));
    }
    return result;
  }

  void parse_policy(const map_entry& e) {
    auto& policy = registry_.policy;
    auto fields = reader_.fields(e.value, e.field, e.line, policy_keys);
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "prefer_local") {
        read_into(policy.prefer_local, f);
      } else if (key == "max_cost_per_task_usd") {
        read_into(policy.max_cost_per_task_usd, f, number_range::above(0));
      } else if (key == "max_latency_per_call_s") {
        read_into(policy.max_latency_per_call_s, f, number_range::above(0));
      } else if (key == "max_tokens_per_task") {
        read_into(policy.max_tokens_per_task, f, 1, max_u32);
      } else if (key == "allow_cloud_fallback") {
        read_into(policy.allow_cloud_fallback, f);
      } else if (key == "allow_experimental") {
        read_into(policy.allow_experimental, f);
      } else if (key == "quality_by_tier") {
        parse_quality_by_tier(f);
      } else if (key == "escalate_after_local_failures") {
        read_into(policy.escalate_after_local_failures, f, 0, max_attempts);
      } else if (key == "parallel_quality_threshold") {
        read_into(policy.parallel_quality_threshold, f,
                  number_range::closed(0, 1));
      } else if (key == "consensus") {
        if (auto s = reader_.read_choice(f.value, f.field, f.line,
                                         engine::consensus_strategy_names,
                                         "consensus strategy"))
          policy.default_consensus
            = static_cast<engine::consensus_strategy>(*s);
      } else if (key == "ensemble_quorum") {
        read_into(policy.ensemble_quorum, f, 0, max_ensemble_quorum);
      } else if (key == "ensemble_member_timeout_s") {
        read_into(policy.ensemble_member_timeout_s, f,
                  number_range{0, true, max_duration_ms / 1000.0, false});
      } else if (key == "hedge_latency_factor") {
        read_into(policy.hedge_latency_factor, f, number_range::above(0));
      } else if (key == "selection") {
        if (auto s = reader_.read_choice(f.value, f.field, f.line,
                                         engine::selection_mode_names,
                                         "selection mode"))
          policy.selection = static_cast<engine::selection_mode>(*s);
      } else if (key == "success_value_usd") {
        read_into(policy.success_value_usd, f, number_range::above(0));
      } else if (key == "require_approval_for_critical") {
        read_into(policy.require_approval_for_critical, f);
      } else if (key == "preferred_vendors") {
        parse_preferred_vendors(f);
      } else if (key == "breaker") {
        parse_breaker(f);
      } else if (key == "retry") {
        parse_retry(f);
      }
    }
  }

  void parse_quality_by_tier(const map_entry& e) {
    auto& tiers = registry_.policy.quality_by_tier;
    std::array<int, engine::complexity_tier_count> lines{};
    lines.fill(e.line);
    auto fields = reader_.fields(e.value, e.field, e.line,
                                 engine::complexity_tier_names,
                                 "complexity tier");
    bool ok = true;
    for (const auto& f : fields) {
      auto tier
        = static_cast<std::size_t>(*engine::parse_complexity_tier(f.key.text));
      ok &= read_into(tiers[tier], f, number_range::closed(0, 1));
      lines[tier] = f.line;
    }
    // A harder task never asks for less quality than an easier one.
    for (std::size_t i = 1; ok && i < tiers.size(); ++i)
      if (tiers[i] < tiers[i - 1])
        reader_.fail(
          lines[i], field_path(e.field, engine::complexity_tier_names[i]),
          "must be >= " + std::string{engine::complexity_tier_names[i - 1]}
            + " (quality requirements must not fall as complexity "
              "rises)");
  }

  void parse_preferred_vendors(const map_entry& f) {
    auto& vendors = registry_.policy.preferred_vendors;
    vendors.clear();
    if (!reader_.expect_sequence(f.value, f.field, f.line,
                                 "a list of provider ids"))
      return;
    std::size_t index = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
      auto path = field_path(f.field, index);
      auto line = yaml_reader::line_of(*it, f.line);
      auto id = reader_.read_scalar(*it, path, line, "a provider id");
      if (!id)
        continue;
      if (provider_indices_.count(id->text) == 0)
        reader_.fail(line, path,
                     unknown_reference("provider", *id, provider_ids_));
      else
        vendors.push_back(std::move(id->text));
    }
  }

  void parse_breaker(const map_entry& e) {
    auto& cfg = registry_.policy.breaker;
    auto fields = reader_.fields(e.value, e.field, e.line, breaker_keys);
    bool ok = true;
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "consecutive_failures")
        ok &= read_into(cfg.consecutive_failures, f, 1, max_u32);
      else if (key == "failure_rate")
        ok &= read_into(cfg.failure_rate, f, number_range{0, true, 1, false});
      else if (key == "window")
        ok &= read_into(cfg.window, f, 1, max_u32);
      else if (key == "min_calls")
        ok &= read_into(cfg.min_calls, f, 1, max_u32);
      else if (key == "cooldown_ms")
        ok &= read_into(cfg.cooldown, f, 1);
      else if (key == "max_cooldown_ms")
        ok &= read_into(cfg.max_cooldown, f, 1);
      else if (key == "half_open_successes")
        ok &= read_into(cfg.half_open_successes, f, 1, max_u32);
      else if (key == "probe_timeout_ms")
        ok &= read_into(cfg.probe_timeout, f, 1);
    }
    if (!ok)
      return;
    if (cfg.window < cfg.min_calls)
      fail_pair(e, fields, "window", "min_calls",
                "window (" + std::to_string(cfg.window)
                  + ") must be >= min_calls (" + std::to_string(cfg.min_calls)
                  + "): a smaller window never holds enough calls to trip");
    if (cfg.cooldown > cfg.max_cooldown)
      fail_pair(e, fields, "max_cooldown_ms", "cooldown_ms",
                "max_cooldown_ms (" + std::to_string(cfg.max_cooldown.count())
                  + ") must be >= cooldown_ms ("
                  + std::to_string(cfg.cooldown.count()) + ")");
  }

  void parse_retry(const map_entry& e) {
    auto& cfg = registry_.policy.retry;
    auto fields = reader_.fields(e.value, e.field, e.line, retry_keys);
    bool ok = true;
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "max_retries")
        ok &= read_into(cfg.max_retries, f, 0, max_attempts);
      else if (key == "initial_backoff_ms")
        ok &= read_into(cfg.initial_backoff, f, 0);
      else if (key == "max_backoff_ms")
        ok &= read_into(cfg.max_backoff, f, 0);
      else if (key == "jitter")
        ok &= read_into(cfg.jitter, f, number_range{0, false, 1, true});
      else if (key == "max_retry_after_ms")
        ok &= read_into(cfg.max_retry_after, f, 0);
    }
    if (ok && cfg.initial_backoff > cfg.max_backoff)
      fail_pair(e, fields, "max_backoff_ms", "initial_backoff_ms",
                "max_backoff_ms (" + std::to_string(cfg.max_backoff.count())
                  + ") must be >= initial_backoff_ms ("
                  + std::to_string(cfg.initial_backoff.count()) + ")");
  }

  /// Reports two fields that disagree at `first` when the file sets it, else
  /// at `second`, else at their mapping (one of them may be a default).
  void fail_pair(const map_entry& parent, const std::vector<map_entry>& fields,
                 std::string_view first, std::string_view second,
                 std::string message) {
    const auto* at = find(fields, first);
    if (at == nullptr)
      at = find(fields, second);
    if (at != nullptr)
      reader_.fail(at->line, at->field, std::move(message));
    else
      reader_.fail(parent.key_line, parent.field, std::move(message));
  }

  // -- typed reads into the registry ------------------------------------------

  bool read_into(bool& out, const map_entry& f) {
    auto value = reader_.read_bool(f.value, f.field, f.line);
    if (value)
      out = *value;
    return value.has_value();
  }

  bool read_into(double& out, const map_entry& f, number_range range) {
    auto value = reader_.read_number(f.value, f.field, f.line, range);
    if (value)
      out = *value;
    return value.has_value();
  }

  bool read_into(std::uint32_t& out, const map_entry& f, std::int64_t min,
                 std::int64_t max) {
    auto value = reader_.read_integer(f.value, f.field, f.line, min, max);
    if (value)
      out = static_cast<std::uint32_t>(*value);
    return value.has_value();
  }

  /// A duration in whole milliseconds; the key ends in `_ms`.
  bool read_into(std::chrono::milliseconds& out, const map_entry& f,
                 std::int64_t min) {
    auto value = reader_.read_integer(f.value, f.field, f.line, min,
                                      max_duration_ms);
    if (value)
      out = std::chrono::milliseconds{*value};
    return value.has_value();
  }

  // -- helpers ----------------------------------------------------------------

  /// ` (model 'ID')` for messages about a model, found before the model's
  /// fields are read so that every message can carry it.
  std::string model_context(const YAML::Node& node) const {
    if (!node.IsMap())
      return {};
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar() || key.Scalar() != "id" || !value.IsScalar())
        continue;
      auto id = interpolate(value.Scalar(), env_);
      if (!id.problems.empty())
        return {};
      // Quote the text as written when it came from the environment.
      return " (model " + quoted(id.substituted ? value.Scalar() : id.value)
             + ")";
    }
    return {};
  }

  static std::string unknown_reference(std::string_view what,
                                       const scalar_value& value,
                                       const std::vector<std::string>& ids) {
    auto message = "unknown " + std::string{what} + " " + value.shown();
    if (auto hint = nearest_name(value.text, ids))
      message += "; did you mean " + quoted(*hint) + "?";
    else if (ids.empty())
      message += "; none are defined";
    else if (ids.size() <= 16)
      message += "; defined: " + join_names(ids);
    else
      message += "; it must be defined under " + std::string{what} + "s";
    return message;
  }

  /// Fills in what the engine looks up at routing time. Runs only on a
  /// document without errors, so every reference is known to resolve.
  void resolve() {
    for (auto& model : registry_.models) {
      auto index
        = static_cast<std::uint16_t>(provider_indices_.at(model.provider));
      model.provider_index = index;
      model.local = registry_.providers[index].local;
    }
    // The hash covers the text as the engine saw it: the same file with a
    // different *_BASE_URL routes to a different place.
    registry_.config_hash = fnv1a_64(interpolate(text_, env_).value);
  }

  // -- state ------------------------------------------------------------------

  std::string_view text_;
  const env_lookup& env_;
  yaml_reader reader_;
  engine::registry registry_;
  /// Every provider id defined, valid or not (so that one broken provider
  /// does not also fail every model that names it) -> index into
  /// `registry_.providers`; and the ids in order, for suggestions.
  std::unordered_map<std::string, std::size_t> provider_indices_;
  std::vector<std::string> provider_ids_;
  /// Model id -> line first defined, and -> index into `registry_.models`.
  std::unordered_map<std::string, int> model_lines_;
  std::unordered_map<std::string, std::size_t> model_indices_;
  std::vector<std::string> model_ids_;
};

} // namespace

registry_load_result parse_registry(std::string_view yaml_text,
                                    std::string_view file_name,
                                    const env_lookup& env) {
  try {
    return registry_parser{yaml_text, file_name, env}.run();
  } catch (const std::exception& e) {
    // Only allocation can fail outside the parser's own boundary.
    registry_load_result result;
    result.errors.push_back(config_error{
      std::string{file_name}, 0, {}, std::string{"cannot load: "} + e.what()});
    return result;
  }
}

} // namespace switchyard::config
