// Keys: sent the way each API wants them, never in an error message.
#include "provider_fixture.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/providers/anthropic/anthropic_format.hpp"

#include <mutex>

using namespace switchyard;
using namespace switchyard::testing;
using engine::call_error;
using engine::provider_kind;

namespace {

/// Answers 401 echoing every credential header it got back in the message,
/// as some APIs do with a (masked or not) key.
struct echo_server {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> seen;
  std::unique_ptr<http::http_server> server;

  echo_server() {
    server = serve([this](const http::server_request& req,
                          std::shared_ptr<http::response_writer> w) {
      std::string echoed;
      {
        std::lock_guard guard{mutex};
        for (const auto& h : req.headers) {
          seen.emplace_back(std::string{h.name}, std::string{h.value});
          if (http::iequals(h.name, "authorization")
              || http::iequals(h.name, "x-api-key")
              || http::iequals(h.name, "x-goog-api-key"))
            echoed += std::string{h.value} + " ";
        }
      }
      w->respond(401, {{"Content-Type", "application/json"}},
                 "{\"error\":{\"message\":\"Incorrect API key provided: "
                   + echoed + "\",\"type\":\"invalid_request_error\"}}");
    });
  }

  std::optional<std::string> header(std::string_view name) {
    std::lock_guard guard{mutex};
    for (const auto& [n, v] : seen)
      if (http::iequals(n, name))
        return v;
    return std::nullopt;
  }
};

engine::call_result call_once(providers::provider_client& client,
                              engine::call_request req, bool stream) {
  auto promise = std::make_shared<std::promise<engine::call_result>>();
  auto future = promise->get_future();
  auto done = [promise](engine::call_result r) {
    promise->set_value(std::move(r));
  };
  if (stream)
    client.stream(std::move(req), {}, done);
  else
    client.call(std::move(req), done);
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  return future.get();
}

} // namespace

TEST_CASE("keys go in each API's header and never into an error",
          "[providers][keys]") {
  echo_server echo;
  auto http = make_client();
  auto reg = sim_registry(echo.server->port());
  for (auto kind : {provider_kind::openai, provider_kind::anthropic,
                    provider_kind::gemini, provider_kind::cohere}) {
    auto name = std::string{engine::to_string(kind)};
    INFO(name);
    const auto& spec = reg.providers[static_cast<std::size_t>(kind)];
    auto key = *test_keys(spec.api_key_env);
    auto client = providers::make_provider_client(spec, reg, *http, test_keys);
    REQUIRE(client);
    for (bool stream : {false, true}) {
      auto r = call_once(**client, provider_fixture::request(kind, "ok"),
                         stream);
      CHECK(r.error == call_error::client_error);
      CHECK(r.http_status == 401);
      CHECK(r.error_message.find("Incorrect API key provided")
            != std::string::npos);
      CHECK(r.error_message.find("[redacted]") != std::string::npos);
      CHECK(r.error_message.find(key) == std::string::npos);
      CHECK(r.error_message.find("0123456789abcdef") == std::string::npos);
    }
    switch (kind) {
      case provider_kind::openai:
      case provider_kind::cohere:
        // Double parentheses: a failure must not print the key.
        CHECK((echo.header("authorization") == "Bearer " + key));
        break;
      case provider_kind::anthropic:
        CHECK((echo.header("x-api-key") == key));
        CHECK(echo.header("anthropic-version")
              == std::string{providers::anthropic_format::api_version});
        break;
      case provider_kind::gemini:
        CHECK((echo.header("x-goog-api-key") == key));
        break;
      default: break;
    }
    std::lock_guard guard{echo.mutex};
    echo.seen.clear();
  }
}

TEST_CASE("a missing key fails every call, naming the variable only",
          "[providers][keys]") {
  provider_fixture f;
  auto spec = f.reg.providers[0];
  auto client = providers::make_provider_client(spec, f.reg, *f.http,
                                                [](std::string_view) {
                                                  return std::nullopt;
                                                });
  REQUIRE(client);
  auto r = call_once(**client, provider_fixture::request(spec.kind, "ok"),
                     false);
  CHECK(r.error == call_error::client_error);
  CHECK(r.http_status == 0);
  CHECK(r.error_message.find("TEST_KEY_openai is not set")
        != std::string::npos);
  CHECK(f.sim->stats_json().find("\"requests\":0") != std::string::npos);
}

TEST_CASE("a model of another provider is refused without a request",
          "[providers][keys]") {
  provider_fixture f;
  auto req = provider_fixture::request(provider_kind::anthropic, "ok");
  auto r = call_once(f.client(provider_kind::openai), req, false);
  CHECK(r.error == call_error::client_error);
  CHECK(r.error_message.find("not a model of this provider")
        != std::string::npos);
}

TEST_CASE("a base URL that is not http(s) is a config error",
          "[providers][keys]") {
  auto http = make_client();
  engine::registry reg;
  engine::provider_spec p;
  p.id = "bad";
  p.base_url = "ftp://example.com";
  auto client = providers::make_provider_client(p, reg, *http, {});
  REQUIRE_FALSE(client);
  CHECK(
    switchyard::error_message(client.error()).find("provider 'bad': base_url")
    != std::string::npos);
}
