#include "sim_stats.hpp"

#include "model_catalog.hpp"
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

std::string sim_stats::to_json(std::uint64_t seed,
                               const model_catalog& models) const {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("seed", seed);
  w.field("requests", requests.load());
  w.field("unknown_model", unknown_model.load());
  w.field("bad_request", bad_request.load());
  w.field("unlisted_model", unlisted_model.load());
  w.field("not_found", not_found.load());
  w.field("abandoned", abandoned.load());
  w.field("listings", listings.load());
  w.key("formats").begin_object();
  for (std::size_t i = 0; i < format_requests.size(); ++i)
    w.field(engine::provider_kind_names[i], format_requests[i].load());
  w.end_object();
  w.key("format_images").begin_object();
  for (std::size_t i = 0; i < format_images.size(); ++i)
    write_images(w, engine::provider_kind_names[i], format_images[i]);
  w.end_object();
  w.key("faults").begin_object();
  std::array<std::uint64_t, fault_count> totals{};
  models.for_each([&totals](std::string_view, const model_entry& e) {
    for (std::size_t f = 0; f < fault_count; ++f)
      totals[f] += e.counters.outcomes[f].load();
  });
  for (std::size_t f = 0; f < fault_count; ++f)
    w.field(f == 0 ? std::string_view{"ok"} : fault_names[f], totals[f]);
  w.end_object();
  // What the listings name now, sorted.
  w.key("listed").begin_array();
  models.for_each([&w](std::string_view name, const model_entry& e) {
    if (e.listed.load())
      w.value(name);
  });
  w.end_array();
  w.key("models").begin_object();
  models.for_each([&w](std::string_view name, const model_entry& e) {
    const auto* c = &e.counters;
    auto n = c->next.load();
    if (n == 0 && c->refused_tool_results.load() == 0)
      return;
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
  });
  w.end_object();
  w.end_object();
  return out;
}

} // namespace switchyard::sim::detail
