#pragma once

// The model listings the simulator serves, in each API's real shape, and
// the bodies of its `/sim/models` admin endpoint.

#include "model_catalog.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim::detail {

/// Which listing a GET path asks for.
enum class listing_kind {
  /// `.../models` (OpenAI, LM Studio, vLLM, Anthropic, Cohere): they share
  /// `/v1/models` on one port, so one body carries each one's fields.
  shared,
  /// `.../v1beta/models`: Gemini.
  gemini,
  /// `.../api/tags`: Ollama.
  ollama,
};

/// The listing served at `path` (a GET, query string removed), if any.
/// `/sim/models` is the admin endpoint, not a listing.
[[nodiscard]] bool listing_route(std::string_view path, listing_kind& kind);

/// The listing of `names`, in the order given:
/// - shared: `{"object":"list","data":[{"id",...}],"has_more":false,
///   "first_id","last_id","models":[{"name","endpoints":["chat"]}]}`, which
///   OpenAI's and Anthropic's clients read by `data[].id` and Cohere's by
///   `models[].name`;
/// - gemini: `{"models":[{"name":"models/M",...}]}`;
/// - ollama: `{"models":[{"name","model","modified_at","size","digest"}]}`.
[[nodiscard]] std::string listing_body(listing_kind kind,
                                       const std::vector<std::string>& names);

/// The model a `POST /sim/models` body (`{"name": M}`) names; false with
/// `why` when the body is not that.
[[nodiscard]] bool read_model_to_list(std::string_view body, std::string& name,
                                      std::string& why);

/// The answer to `POST /sim/models` and `DELETE /sim/models/M`:
/// `{"name","listed","configured","added","changed"}`.
[[nodiscard]] std::string model_change_json(std::string_view name,
                                            const model_catalog::change& c);

/// `GET /sim/models`: `{"listed":[...],"unlisted":[...]}`, sorted.
[[nodiscard]] std::string models_json(const model_catalog& models);

/// `{"error":{"message": ...}}`, the admin endpoint's refusals.
[[nodiscard]] std::string admin_error(std::string_view message);

} // namespace switchyard::sim::detail
