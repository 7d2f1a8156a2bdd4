#include "otlp_span_writer.hpp"
#include "upstream_attributes.hpp"

#include "switchyard/telemetry/otlp_json.hpp"

#include <string>

namespace switchyard::telemetry {

namespace detail {

std::string_view write_upstream_span(text_buffer& buf,
                                     const upstream_attempt& a) {
  // The name's memory is kept per thread: `chat {model}` often passes the
  // 15 characters a string holds without allocating.
  thread_local std::string name;
  upstream_span_name(upstream_model(a), name);
  span_text out{buf,
                attempt_context(a.parent.context, a.call_id, a.attempt),
                a.parent.context.span_id,
                name,
                span_kind::client,
                a.start_unix_nanos,
                a.end_unix_nanos};
  describe_upstream(a, out);
  return out.finish();
}

} // namespace detail

void append_otlp_json_upstream_span(std::string& out,
                                    const upstream_attempt& a) {
  detail::text_buffer buf;
  out.append(detail::write_upstream_span(buf, a));
}

} // namespace switchyard::telemetry
