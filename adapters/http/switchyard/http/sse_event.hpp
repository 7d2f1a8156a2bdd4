#pragma once

#include <string_view>

namespace switchyard::http {

/// One server-sent event (WHATWG HTML, "Server-sent events"). The views point
/// into the parser that produced it and stay valid until its next `feed` or
/// `next`.
struct sse_event {
  /// The `event:` field; empty when the event had none (the spec's
  /// "message").
  std::string_view type;
  /// The `data:` lines joined with '\n'.
  std::string_view data;
  /// The last `id:` seen on the stream, empty for none.
  std::string_view id;
};

} // namespace switchyard::http
