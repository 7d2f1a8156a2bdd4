#include "model_listing_support.hpp"

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
  od::object item;
  if (auto e = v.get_object().get(item))
    return e;
  std::size_t best = shape.name_keys.size();
  return for_each_field(item, [&](std::string_view key, od::value& f) {
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

std::string malformed_listing(std::string_view what, error_code e) {
  std::string message = "malformed model listing: ";
  message += what;
  if (e != simdjson::SUCCESS) {
    message += " (";
    message += simdjson::error_message(e);
    message += ")";
  }
  return message;
}

} // namespace

bool read_model_names(std::string& body, const listing_shape& shape,
                      engine::model_listing& out) {
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  auto e = parser.iterate(pad_in_place(body)).get(doc);
  if (!e)
    e = doc.get_object().get(root);
  if (e) {
    out.error_message = malformed_listing("not a JSON object", e);
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
    od::array items;
    if (auto ae = v.get_array().get(items))
      return ae;
    return for_each_element(items, [&](od::value& item) {
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
    out.error_message = malformed_listing("unexpected JSON", e);
    return false;
  }
  if (!saw_list) {
    out.error_message = malformed_listing(
      "no '" + std::string{shape.list_key} + "' array", simdjson::SUCCESS);
    return false;
  }
  for (auto& n : names)
    out.models.push_back(std::move(n));
  return true;
}

} // namespace switchyard::providers::detail
