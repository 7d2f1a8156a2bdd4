#pragma once

#include "json_support.hpp"

#include <string>
#include <string_view>

namespace switchyard::providers::detail {

/// Parses JSON texts that must each be one object (a body, a stream event),
/// reusing its parser and buffer: no allocation once they have grown to the
/// largest text. The object of one parse stays readable until the next
/// parse; one document at a time, as simdjson On-Demand requires.
class json_object_parser {
 public:
  /// Parses a padded copy of `text`.
  error_code parse(std::string_view text, od::object& root);

  /// Parses `text` itself, padding it in place (a body the caller owns).
  error_code parse_in_place(std::string& text, od::object& root);

  /// The parser of whole bodies on this thread (they are read one at a
  /// time, start to end, on the thread that received them).
  static json_object_parser& for_this_thread();

 private:
  error_code parse_padded(simdjson::padded_string_view text, od::object& root);

  od::parser parser_;
  od::document doc_;
  padded_copy copy_;
};

/// Reads a whole 2xx body: parses it (padded in place) as one JSON object
/// and calls `read(root)`, which returns simdjson's error for what it
/// cannot read and may fail `result` itself with a clearer reason (see
/// settle_read). A body that is not an object, or that `read` cannot read,
/// fails `result` as malformed, naming `what`. Returns whether `result` is
/// still ok.
template<class Read>
bool read_body(std::string& body, std::string_view what,
               engine::call_result& result, Read&& read) {
  auto& parser = json_object_parser::for_this_thread();
  od::object root;
  if (auto e = parser.parse_in_place(body, root))
    return fail_malformed(result, malformed("not a JSON object", e));
  return settle_read(read(root), what, result);
}

} // namespace switchyard::providers::detail
