#include "json_object_parser.hpp"

namespace switchyard::providers::detail {

error_code json_object_parser::parse(std::string_view text, od::object& root) {
  return parse_padded(copy_.load(text), root);
}

error_code json_object_parser::parse_in_place(std::string& text,
                                              od::object& root) {
  return parse_padded(pad_in_place(text), root);
}

json_object_parser& json_object_parser::for_this_thread() {
  thread_local json_object_parser parser;
  return parser;
}

error_code json_object_parser::parse_padded(simdjson::padded_string_view text,
                                            od::object& root) {
  if (auto e = parser_.iterate(text).get(doc_))
    return e;
  return doc_.get_object().get(root);
}

} // namespace switchyard::providers::detail
