#include "otlp_span_writer.hpp"
#include "server_attributes.hpp"

#include "switchyard/telemetry/otlp_json.hpp"

#include <string>

namespace switchyard::telemetry {

namespace detail {

std::string_view write_server_span(text_buffer& buf, const server_request& r) {
  thread_local std::string name;
  server_span_name(r, name);
  span_text out{buf,
                r.context,
                r.remote_parent,
                name,
                span_kind::server,
                r.start_unix_nanos,
                r.end_unix_nanos};
  describe_server(r, out);
  return out.finish();
}

} // namespace detail

void append_otlp_json_server_span(std::string& out, const server_request& r) {
  detail::text_buffer buf;
  out.append(detail::write_server_span(buf, r));
}

} // namespace switchyard::telemetry
