#include "model_listing_support.hpp"

#include "json_object_parser.hpp"
#include "json_support.hpp"

#include <cstddef>
#include <vector>

namespace switchyard::providers::detail {

void begin_json_get(http::client_request& out, std::string target) {
  out.method = "GET";
  out.target = std::move(target);
  out.headers.push_back({"Accept", "application/json"});
  out.body.clear();
}

namespace {

/// The name of one listed model: the value of the most preferred name key
/// it holds. Views into the document.
error_code read_item(od::value& v, const listing_shape& shape,
                     std::string_view& name) {
  std::size_t best = shape.name_keys.size();
  return for_each_field(v, [&](std::string_view key, od::value& f) {
    std::size_t rank = 0;
    for (auto k : shape.name_keys) {
      if (k == key)
        break;
      ++rank;
    }
    if (rank >= best)
      return simdjson::SUCCESS;
    std::string_view s;
    if (auto e = read_string(f, s))
      return e;
    if (!s.empty()) {
      name = s;
      best = rank;
    }
    return simdjson::SUCCESS;
  });
}

} // namespace

bool read_model_names(std::string& body, const listing_shape& shape,
                      engine::model_listing& out) {
  constexpr std::string_view subject = "model listing";
  od::object root;
  auto e = json_object_parser::for_this_thread().parse_in_place(body, root);
  if (e) {
    out.error_message = malformed("not a JSON object", e, subject);
    return false;
  }
  std::vector<std::string> names;
  bool saw_list = false;
  e = for_each_field(root, [&](std::string_view key, od::value& v) {
    if (key != shape.list_key)
      return simdjson::SUCCESS;
    saw_list = true;
    if (is_null(v))
      return simdjson::SUCCESS;
    return for_each_element(v, [&](od::value& item) {
      std::string_view name;
      if (auto ie = read_item(item, shape, name))
        return ie;
      if (name.starts_with(shape.strip_prefix))
        name.remove_prefix(shape.strip_prefix.size());
      if (!name.empty())
        names.emplace_back(name);
      return simdjson::SUCCESS;
    });
  });
  if (e) {
    out.error_message = malformed("unexpected JSON", e, subject);
    return false;
  }
  if (!saw_list) {
    out.error_message
      = malformed("no '" + std::string{shape.list_key} + "' array",
                  simdjson::SUCCESS, subject);
    return false;
  }
  for (auto& n : names)
    out.models.push_back(std::move(n));
  return true;
}

} // namespace switchyard::providers::detail
