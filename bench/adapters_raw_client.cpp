// The one Beast translation unit of the benchmarks.
#include "adapters_raw_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace switchyard::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

class raw_http_client::impl {
 public:
  explicit impl(std::uint16_t port) : port_(port), socket_(ioc_) {}

  bool open(std::string& why) {
    boost::system::error_code ec;
    socket_ = tcp::socket{ioc_};
    socket_.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    if (!ec)
      socket_.set_option(tcp::no_delay(true), ec);
    if (ec) {
      why = "cannot connect to 127.0.0.1:" + std::to_string(port_) + ": "
            + ec.message();
      return false;
    }
    return true;
  }

  long long post(const std::string& target, const std::string& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::authorization, "Bearer bench");
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    bhttp::write(socket_, req, ec);
    if (ec)
      return fail();
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket_, buffer_, res, ec);
    if (ec || res.result_int() != 200)
      return fail();
    return static_cast<long long>(res.body().size());
  }

 private:
  long long fail() {
    std::string why;
    open(why);
    return -1;
  }

  std::uint16_t port_;
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::unique_ptr<raw_http_client> raw_http_client::connect(std::uint16_t port,
                                                          std::string& why) {
  try {
    auto p = std::make_unique<impl>(port);
    if (!p->open(why))
      return nullptr;
    return std::unique_ptr<raw_http_client>{new raw_http_client{std::move(p)}};
  } catch (const std::exception& e) {
    why = e.what();
    return nullptr;
  }
}

raw_http_client::raw_http_client(std::unique_ptr<impl> p) noexcept
    : impl_(std::move(p)) {}

raw_http_client::~raw_http_client() = default;

long long raw_http_client::post(const std::string& target,
                                const std::string& body) {
  return impl_->post(target, body);
}

} // namespace switchyard::bench
