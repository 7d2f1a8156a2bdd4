#include "switchyard/telemetry/server_span.hpp"

#include "server_attributes.hpp"
#include "span_attributes.hpp"

#include <string>
#include <utility>

namespace switchyard::telemetry {

span make_server_span(const server_request& r) {
  std::string name;
  detail::server_span_name(r, name);
  auto s = make_span(std::move(name), span_kind::server, r.context,
                     r.remote_parent, r.start_unix_nanos);
  s.end_unix_nanos = r.end_unix_nanos;
  detail::span_attributes out{s};
  detail::describe_server(r, out);
  return s;
}

} // namespace switchyard::telemetry
