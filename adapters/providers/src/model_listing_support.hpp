#pragma once

// What the wire formats share to ask for and read a model listing: a JSON
// GET, and a list of objects each naming a model. Errors are values.

#include "switchyard/engine/provider_client.hpp"
#include "switchyard/http/client_request.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace switchyard::providers::detail {

/// Starts a GET of `target` that wants JSON back: method, Accept, no body.
void begin_json_get(http::client_request& out, std::string target);

/// The field names a listing is read by, e.g. `{"data", {"id"}, ""}` for
/// OpenAI's `{"data": [{"id": ...}]}`.
struct listing_shape {
  /// The top-level array of models.
  std::string_view list_key;
  /// The string fields naming a model, by preference: the first one an item
  /// holds is its name. An item holding none is skipped.
  std::initializer_list<std::string_view> name_keys;
  /// Removed from the front of each name that starts with it (Gemini's
  /// `models/`).
  std::string_view strip_prefix;
};

/// Appends the names in `body`, an object holding the array
/// `shape.list_key` (null counts as empty: some servers write that when
/// they serve nothing), to `out.models`. Returns false, with "malformed
/// model listing: ..." in `out.error_message`, when the body is not that
/// shape; `out.models` is then left as it was. Pads `body` in place for the
/// parser.
bool read_model_names(std::string& body, const listing_shape& shape,
                      engine::model_listing& out);

} // namespace switchyard::providers::detail
