#include "sim_stats.hpp"

#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

namespace {

/// `{"inline": N, "inline_bytes": B, "urls": U}`: base64 images and their
/// decoded size, and images sent by URL.
void write_images(engine::json_writer& w, std::string_view key,
                  const image_counters& c) {
  w.key(key).begin_object();
  w.field("inline", c.inline_images.load());
  w.field("inline_bytes", c.inline_bytes.load());
  w.field("urls", c.url_images.load());
  w.end_object();
}

} // namespace

sim_stats::sim_stats(const sim_config& cfg) {
  for (const auto& [name, profile] : cfg.models)
    models_.emplace(name, std::make_unique<model_counters>());
}

model_counters* sim_stats::model(std::string_view name) noexcept {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : it->second.get();
}

std::string sim_stats::to_json(std::uint64_t seed) const {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("seed", seed);
  w.field("requests", requests.load());
  w.field("unknown_model", unknown_model.load());
  w.field("bad_request", bad_request.load());
  w.field("not_found", not_found.load());
  w.key("formats").begin_object();
  for (std::size_t i = 0; i < format_requests.size(); ++i)
    w.field(engine::provider_kind_names[i], format_requests[i].load());
  w.end_object();
  w.key("format_images").begin_object();
  for (std::size_t i = 0; i < format_images.size(); ++i)
    write_images(w, engine::provider_kind_names[i], format_images[i]);
  w.end_object();
  w.key("faults").begin_object();
  for (std::size_t f = 0; f < fault_count; ++f) {
    std::uint64_t total = 0;
    for (const auto& [name, c] : models_)
      total += c->outcomes[f].load();
    w.field(f == 0 ? std::string_view{"ok"} : fault_names[f], total);
  }
  w.end_object();
  w.key("models").begin_object();
  for (const auto& [name, c] : models_) {
    auto n = c->next.load();
    if (n == 0 && c->refused_tool_results.load() == 0)
      continue;
    w.key(name).begin_object();
    w.field("requests", n);
    for (std::size_t f = 0; f < fault_count; ++f)
      w.field(f == 0 ? std::string_view{"ok"} : fault_names[f],
              c->outcomes[f].load());
    w.field("tool_calls", c->tool_calls.load());
    w.field("json_answers", c->json_answers.load());
    w.field("tool_results", c->tool_results.load());
    w.field("refused_tool_results", c->refused_tool_results.load());
    write_images(w, "images", c->images);
    w.end_object();
  }
  w.end_object();
  w.end_object();
  return out;
}

} // namespace switchyard::sim::detail
