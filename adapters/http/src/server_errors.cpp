#include "server_errors.hpp"

#include <boost/beast/http/status.hpp>
#include <exception>

namespace switchyard::http::detail {

namespace {

/// What the server answered before a renderer could be installed, kept for
/// owners that install none.
rendered_error plain(const server_error& e) {
  if (e.status == 503)
    return {"application/json",
            R"({"error":{"message":"The server has too many open connections; )"
            R"(retry shortly or on another node.","type":"server_error",)"
            R"("code":"too_many_connections"}})"};
  std::string body{e.message};
  body += '\n';
  return {"text/plain", std::move(body)};
}

/// The renderer's answer with CR and LF out of the content type, which
/// would otherwise split the head.
rendered_error render_or_plain(const error_renderer& render,
                               const server_error& e) {
  if (!render)
    return plain(e);
  try {
    auto r = render(e);
    for (auto& ch : r.content_type)
      if (ch == '\r' || ch == '\n')
        ch = ' ';
    if (r.content_type.empty())
      r.content_type = "application/octet-stream";
    return r;
  } catch (const std::exception&) {
    return plain(e);
  } catch (...) {
    return plain(e);
  }
}

} // namespace

std::string server_error_response(const error_renderer& render,
                                  const server_error& e,
                                  std::string_view extra_headers) {
  auto r = render_or_plain(render, e);
  std::string out = "HTTP/1.1 ";
  out += std::to_string(e.status);
  out += ' ';
  auto reason = boost::beast::http::obsolete_reason(
    static_cast<boost::beast::http::status>(e.status));
  out.append(reason.data(), reason.size());
  out += "\r\nContent-Type: ";
  out += r.content_type;
  out += "\r\n";
  out += extra_headers;
  out += "Connection: close\r\nContent-Length: ";
  out += std::to_string(r.body.size());
  out += "\r\n\r\n";
  out += r.body;
  return out;
}

} // namespace switchyard::http::detail
