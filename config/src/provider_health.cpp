#include "switchyard/config/provider_health.hpp"

#include <yaml-cpp/yaml.h>

#include <array>

namespace switchyard::config {

namespace {

using namespace std::string_view_literals;

constexpr std::array health_keys{"probe"sv, "interval_s"sv, "timeout_s"sv};

} // namespace

provider_health parse_provider_health(yaml_reader& reader,
                                      const map_entry& entry) {
  provider_health out;
  auto fields = reader.fields(entry.value, entry.field, entry.line,
                              health_keys);
  for (const auto& f : fields) {
    const auto& key = f.key.text;
    if (key == "probe") {
      if (auto b = reader.read_bool(f.value, f.field, f.line))
        out.probe = *b;
    } else if (key == "interval_s") {
      // At least 0.1 s: a probe is an HTTP request to the provider.
      out.interval_s = reader.read_number(f.value, f.field, f.line,
                                          number_range::at_least(0.1));
    } else if (key == "timeout_s") {
      out.timeout_s = reader.read_number(f.value, f.field, f.line,
                                         number_range{0.0, true, 60.0, false});
    }
  }
  return out;
}

std::map<std::string, provider_health>
read_provider_health(std::string_view yaml_text, const env_lookup& env) {
  std::map<std::string, provider_health> out;
  yaml_reader reader{"", env};
  try {
    auto root = YAML::Load(std::string{yaml_text});
    auto providers = root["providers"];
    if (!providers || !providers.IsMap())
      return out;
    for (const auto& p : reader.entries(providers, "providers", 1,
                                        "provider id")) {
      if (!p.value.IsMap() || !p.value["health"])
        continue;
      map_entry health;
      health.key.text = "health";
      health.value = p.value["health"];
      health.field = p.field + ".health";
      health.line = yaml_reader::line_of(health.value, p.line);
      health.key_line = health.line;
      out[p.key.text] = parse_provider_health(reader, health);
    }
  } catch (const std::exception&) {
    // parse_registry reported it already.
  }
  return out;
}

} // namespace switchyard::config
