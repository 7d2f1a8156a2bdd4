#include "switchyard/sim/sim_config.hpp"

#include "switchyard/config/yaml_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace switchyard::sim {

void sim_config::zero_delay() {
  time_scale = 0.0;
  auto calm = [](model_profile& p) {
    p.fault_rates.fill(0.0);
    p.tokens_per_second = 0.0;
  };
  for (auto& [name, profile] : models)
    calm(profile);
  // Models added at run time start from the defaults.
  calm(defaults);
}

namespace {

using namespace std::literals;
using config::map_entry;
using config::number_range;
using config::yaml_reader;

constexpr std::array top_keys{"version"sv, "seed"sv,     "time_scale"sv,
                              "hang_ms"sv, "defaults"sv, "models"sv};
constexpr std::array profile_keys{
  "latency_ms"sv, "ttft_ms"sv,       "tokens_per_second"sv, "output_tokens"sv,
  "faults"sv,     "retry_after_s"sv, "tool_call_rate"sv,    "listed"sv};
constexpr std::array delay_keys{"p50"sv, "p99"sv};
constexpr std::array range_keys{"min"sv, "max"sv};
// fault_names without "none".
constexpr std::array fault_keys{"http_500"sv, "http_503"sv, "http_429"sv,
                                "hang"sv,     "reset"sv,    "truncate"sv,
                                "malformed"sv};

constexpr std::int64_t max_tokens = 10'000'000;

class sim_config_parser {
 public:
  sim_config_parser(std::string_view text, std::string_view file,
                    const config::env_lookup& env)
      : text_(text), reader_(std::string{file}, env) {}

  sim_config_result run() {
    try {
      auto root = YAML::Load(std::string{text_});
      parse(root);
    } catch (const YAML::Exception& e) {
      reader_.fail(e.mark.is_null() ? 0 : e.mark.line + 1, {},
                   "invalid YAML: " + e.msg);
    } catch (const std::exception& e) {
      reader_.fail(0, {}, std::string{"cannot load: "} + e.what());
    }
    sim_config_result result;
    if (reader_.failed())
      result.errors = reader_.take_errors();
    else
      result.config = std::move(cfg_);
    return result;
  }

 private:
  void parse(const YAML::Node& root) {
    auto line = yaml_reader::line_of(root, 1);
    auto top = reader_.fields(root, {}, line, top_keys);
    if (!root.IsMap())
      return;
    reader_.require(top, std::array{"models"sv}, {}, line);
    model_profile defaults;
    // Defaults first, whatever their place in the file.
    for (const auto& e : top)
      if (e.key.text == "defaults")
        parse_profile(e, defaults);
    cfg_.defaults = defaults;
    for (const auto& e : top) {
      const auto& key = e.key.text;
      if (key == "version") {
        if (auto v = reader_.read_integer(e.value, e.field, e.line, 1, 1000);
            v && *v != 1)
          reader_.fail(e.line, e.field,
                       "unsupported version " + std::to_string(*v)
                         + "; this build reads version 1");
      } else if (key == "seed") {
        if (auto v
            = reader_.read_integer(e.value, e.field, e.line, 0,
                                   std::numeric_limits<std::int64_t>::max()))
          cfg_.seed = static_cast<std::uint64_t>(*v);
      } else if (key == "time_scale") {
        if (auto v = reader_.read_number(e.value, e.field, e.line,
                                         number_range::closed(0, 1000)))
          cfg_.time_scale = *v;
      } else if (key == "hang_ms") {
        if (auto v = reader_.read_integer(e.value, e.field, e.line, 0,
                                          24 * 3600 * 1000))
          cfg_.hang_ms = static_cast<std::uint32_t>(*v);
      } else if (key == "models") {
        auto models = reader_.entries(e.value, e.field, e.line, "model name");
        if (e.value.IsMap() && e.value.size() == 0)
          reader_.fail(e.line, e.field, "must define at least one model");
        for (const auto& m : models) {
          auto profile = defaults;
          reader_.set_context(" (model '" + m.key.text + "')");
          if (!m.value.IsNull())
            parse_profile(m, profile);
          reader_.set_context({});
          cfg_.models.emplace(m.key.text, profile);
        }
      }
    }
  }

  void parse_profile(const map_entry& e, model_profile& p) {
    auto fields = reader_.fields(e.value, e.field, e.line, profile_keys);
    for (const auto& f : fields) {
      const auto& key = f.key.text;
      if (key == "latency_ms") {
        parse_delay(f, p.latency);
      } else if (key == "ttft_ms") {
        parse_delay(f, p.ttft);
      } else if (key == "tokens_per_second") {
        if (auto v = reader_.read_number(f.value, f.field, f.line,
                                         number_range::at_least(0)))
          p.tokens_per_second = *v;
      } else if (key == "output_tokens") {
        parse_tokens(f, p);
      } else if (key == "retry_after_s") {
        if (auto v = reader_.read_integer(f.value, f.field, f.line, 0, 86'400))
          p.retry_after_s = static_cast<std::uint32_t>(*v);
      } else if (key == "faults") {
        parse_faults(f, p);
      } else if (key == "tool_call_rate") {
        if (auto v = reader_.read_number(f.value, f.field, f.line,
                                         number_range::closed(0, 1)))
          p.tool_call_rate = *v;
      } else if (key == "listed") {
        if (auto v = reader_.read_bool(f.value, f.field, f.line))
          p.listed = *v;
      }
    }
  }

  /// `{p50: X, p99: Y}` or a single number for a constant.
  void parse_delay(const map_entry& f, delay_spec& d) {
    if (!f.value.IsMap()) {
      if (auto v = reader_.read_number(f.value, f.field, f.line,
                                       number_range::at_least(0)))
        d = {*v, *v};
      return;
    }
    auto fields = reader_.fields(f.value, f.field, f.line, delay_keys);
    reader_.require(fields, std::array{"p50"sv}, f.field, f.line);
    delay_spec out = d;
    bool has_p99 = false;
    for (const auto& x : fields) {
      auto v = reader_.read_number(x.value, x.field, x.line,
                                   number_range::at_least(0));
      if (!v)
        continue;
      if (x.key.text == "p50") {
        out.p50_ms = *v;
      } else {
        out.p99_ms = *v;
        has_p99 = true;
      }
    }
    if (!has_p99)
      out.p99_ms = out.p50_ms;
    if (out.p99_ms < out.p50_ms)
      reader_.fail(f.line, f.field, "p99 must be >= p50");
    d = out;
  }

  /// `{min: A, max: B}` or a single number.
  void parse_tokens(const map_entry& f, model_profile& p) {
    if (!f.value.IsMap()) {
      if (auto v = reader_.read_integer(f.value, f.field, f.line, 1,
                                        max_tokens))
        p.output_tokens_min = p.output_tokens_max
          = static_cast<std::uint32_t>(*v);
      return;
    }
    auto fields = reader_.fields(f.value, f.field, f.line, range_keys);
    reader_.require(fields, range_keys, f.field, f.line);
    for (const auto& x : fields) {
      auto v = reader_.read_integer(x.value, x.field, x.line, 1, max_tokens);
      if (!v)
        continue;
      if (x.key.text == "min")
        p.output_tokens_min = static_cast<std::uint32_t>(*v);
      else
        p.output_tokens_max = static_cast<std::uint32_t>(*v);
    }
    if (p.output_tokens_max < p.output_tokens_min)
      reader_.fail(f.line, f.field, "max must be >= min");
  }

  void parse_faults(const map_entry& f, model_profile& p) {
    auto fields = reader_.fields(f.value, f.field, f.line, fault_keys);
    for (const auto& x : fields) {
      auto v = reader_.read_number(x.value, x.field, x.line,
                                   number_range::closed(0, 1));
      if (!v)
        continue;
      for (std::size_t i = 1; i < fault_count; ++i)
        if (fault_names[i] == x.key.text)
          p.fault_rates[i] = *v;
    }
    double sum = 0.0;
    for (std::size_t i = 1; i < fault_count; ++i)
      sum += p.fault_rates[i];
    if (sum > 1.0 + 1e-9)
      reader_.fail(f.line, f.field,
                   "fault rates add up to " + std::to_string(sum)
                     + "; they must add up to at most 1");
  }

  std::string_view text_;
  yaml_reader reader_;
  sim_config cfg_;
};

} // namespace

sim_config_result parse_sim_config(std::string_view yaml,
                                   std::string_view file_name,
                                   const config::env_lookup& env) {
  return sim_config_parser{yaml, file_name, env}.run();
}

sim_config_result load_sim_config(const std::string& path,
                                  const config::env_lookup& env) {
  errno = 0;
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    sim_config_result result;
    result.errors.push_back(
      {path,
       0,
       {},
       std::string{"cannot open: "}
         + (errno != 0 ? std::strerror(errno) : "unknown error")});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sim_config(text.str(), path, env);
}

} // namespace switchyard::sim
