#include "model_listings.hpp"

#include "format_replies.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/sim/request_plan.hpp"

#include <simdjson.h>

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;

/// `created_base` in RFC 3339, as Anthropic's `created_at` and Ollama's
/// `modified_at` write times.
constexpr std::string_view created_at = "2023-11-14T22:13:20Z";

/// Longest model name the admin endpoint takes: real names are far shorter.
constexpr std::size_t max_name_bytes = 256;

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size()
         && s.substr(s.size() - suffix.size()) == suffix;
}

void write_shared(json_writer& w, const std::vector<std::string>& names) {
  w.field("object", "list");
  w.key("data").begin_array();
  for (const auto& n : names) {
    w.begin_object();
    w.field("id", n);
    w.field("object", "model");
    w.field("type", "model");
    w.field("created", created_base);
    w.field("created_at", created_at);
    w.field("owned_by", "sim");
    w.field("display_name", n);
    w.end_object();
  }
  w.end_array();
  // Anthropic's paging fields: one page holds everything.
  w.field("has_more", false);
  for (auto key : {"first_id", "last_id"}) {
    w.key(key);
    if (names.empty())
      w.null();
    else
      w.value(key[0] == 'f' ? names.front() : names.back());
  }
  w.key("models").begin_array();
  for (const auto& n : names) {
    w.begin_object();
    w.field("name", n);
    w.key("endpoints").begin_array().value("chat").end_array();
    w.end_object();
  }
  w.end_array();
}

void write_gemini(json_writer& w, const std::vector<std::string>& names) {
  w.key("models").begin_array();
  for (const auto& n : names) {
    w.begin_object();
    w.field("name", "models/" + n);
    w.field("displayName", n);
    w.key("supportedGenerationMethods")
      .begin_array()
      .value("generateContent")
      .value("streamGenerateContent")
      .end_array();
    w.end_object();
  }
  w.end_array();
}

/// A sha256-looking digest and a plausible size, fixed per name.
void write_ollama(json_writer& w, const std::vector<std::string>& names) {
  constexpr std::string_view hex = "0123456789abcdef";
  w.key("models").begin_array();
  for (const auto& n : names) {
    split_mix rng{hash_name(n)};
    std::string digest;
    for (int i = 0; i < 4; ++i) {
      auto bits = rng.next();
      for (int j = 0; j < 16; ++j, bits >>= 4)
        digest += hex[bits & 0xF];
    }
    w.begin_object();
    w.field("name", n);
    w.field("model", n);
    w.field("modified_at", created_at);
    w.field("size", std::uint64_t{1'000'000'000} + rng.next() % 4'000'000'000);
    w.field("digest", digest);
    w.end_object();
  }
  w.end_array();
}

} // namespace

bool listing_route(std::string_view path, listing_kind& kind) {
  if (path == "/sim/models")
    return false;
  if (ends_with(path, "/api/tags")) {
    kind = listing_kind::ollama;
    return true;
  }
  if (ends_with(path, "/v1beta/models")) {
    kind = listing_kind::gemini;
    return true;
  }
  if (ends_with(path, "/models")) {
    kind = listing_kind::shared;
    return true;
  }
  return false;
}

std::string listing_body(listing_kind kind,
                         const std::vector<std::string>& names) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  switch (kind) {
    case listing_kind::shared: write_shared(w, names); break;
    case listing_kind::gemini: write_gemini(w, names); break;
    case listing_kind::ollama: write_ollama(w, names); break;
  }
  w.end_object();
  return out;
}

bool read_model_to_list(std::string_view body, std::string& name,
                        std::string& why) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object root;
  if (parser.parse(body.data(), body.size()).get(doc)
      || doc.get_object().get(root)) {
    why = R"(the body must be a JSON object: {"name": "MODEL"})";
    return false;
  }
  bool found = false;
  for (auto field : root) {
    if (field.key != "name") {
      why = "unknown field '" + std::string{field.key}
            + R"('; the body is {"name": "MODEL"})";
      return false;
    }
    std::string_view s;
    if (field.value.get(s) || s.empty()) {
      why = "'name' must be a non-empty string";
      return false;
    }
    name = std::string{s};
    found = true;
  }
  if (!found) {
    why = R"('name' is required: {"name": "MODEL"})";
    return false;
  }
  if (name.size() > max_name_bytes) {
    why = "'name' is longer than " + std::to_string(max_name_bytes) + " bytes";
    return false;
  }
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7F) {
      why = "'name' must not hold control characters";
      return false;
    }
  return true;
}

std::string model_change_json(std::string_view name,
                              const model_catalog::change& c) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("name", name);
  w.field("listed", c.entry->listed.load());
  w.field("configured", c.entry->configured);
  w.field("added", c.added);
  w.field("changed", c.changed);
  w.end_object();
  return out;
}

std::string models_json(const model_catalog& models) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  for (bool listed : {true, false}) {
    w.key(listed ? "listed" : "unlisted").begin_array();
    models.for_each([&](std::string_view name, const model_entry& e) {
      if (e.listed.load() == listed)
        w.value(name);
    });
    w.end_array();
  }
  w.end_object();
  return out;
}

std::string admin_error(std::string_view message) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.key("error").begin_object();
  w.field("message", message);
  w.end_object();
  w.end_object();
  return out;
}

} // namespace switchyard::sim::detail
