// Model listings (the health probe's and local discovery's question "which
// models do you serve?"): each format's endpoint and real answer shape, the
// key sent as the API wants it and never reported, a refused key, a dead
// port and a silent server, over loopback.
#include "switchyard/http/header.hpp"
#include "switchyard/providers/anthropic/anthropic_format.hpp"
#include "switchyard/providers/cohere/cohere_format.hpp"
#include "switchyard/providers/gemini/gemini_format.hpp"
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/providers/ollama/ollama_format.hpp"
#include "switchyard/providers/openai/openai_format.hpp"
#include "test_support.hpp"

#include <map>
#include <mutex>
#include <vector>

using namespace switchyard;
using namespace switchyard::testing;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using engine::provider_kind;

namespace {

using names = std::vector<std::string>;

// -- the APIs' answers, as their references show them -------------------------

constexpr std::string_view openai_body = R"({"object":"list","data":[
  {"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},
  {"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"}]})";

/// vLLM's variant: nested permission objects to skip.
constexpr std::string_view vllm_body = R"({"object":"list","data":[
  {"id":"Qwen/Qwen2.5-7B-Instruct","object":"model","created":1700000000,
   "owned_by":"vllm","root":"Qwen/Qwen2.5-7B-Instruct","parent":null,
   "max_model_len":32768,"permission":[{"id":"modelperm-1",
   "object":"model_permission","allow_sampling":true,"group":null}]}]})";

constexpr std::string_view anthropic_body = R"({"data":[
  {"type":"model","id":"claude-sonnet-4-20250514",
   "display_name":"Claude Sonnet 4","created_at":"2025-05-22T00:00:00Z"},
  {"type":"model","id":"claude-3-5-haiku-20241022",
   "display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],
  "has_more":false,"first_id":"claude-sonnet-4-20250514",
  "last_id":"claude-3-5-haiku-20241022"})";

constexpr std::string_view gemini_body = R"({"models":[
  {"name":"models/gemini-2.5-flash","version":"001",
   "displayName":"Gemini 2.5 Flash","description":"Fast and versatile",
   "inputTokenLimit":1048576,"outputTokenLimit":65536,
   "supportedGenerationMethods":["generateContent","countTokens"],
   "temperature":1,"topP":0.95,"topK":64,"thinking":true},
  {"name":"models/text-embedding-004","version":"004",
   "supportedGenerationMethods":["embedContent"]}],
  "nextPageToken":"Ch1tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA=="})";

constexpr std::string_view cohere_body = R"({"models":[
  {"name":"command-a-03-2025","endpoints":["generate","chat","summarize"],
   "finetuned":false,"context_length":256000,
   "tokenizer_url":"https://storage.googleapis.com/cohere-public/tokenizers/command-a-03-2025.json",
   "default_endpoints":["chat"],"features":["json_mode","tools"]},
  {"name":"command-r7b-12-2024","endpoints":["chat"],"finetuned":false,
   "context_length":128000,"default_endpoints":[]}],"next_page_token":""})";

/// The second entry is from a server that sends only `model`.
constexpr std::string_view ollama_body = R"({"models":[
  {"name":"llama3.2:latest","model":"llama3.2:latest",
   "modified_at":"2025-01-01T10:00:00.000000-08:00","size":2019393189,
   "digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
   "details":{"parent_model":"","format":"gguf","family":"llama",
   "families":["llama"],"parameter_size":"3.2B",
   "quantization_level":"Q4_K_M"}},
  {"model":"qwen2.5:7b","size":4683087332}]})";

names parsed(const providers::wire_format& f, std::string_view body) {
  std::string copy{body};
  engine::model_listing out;
  bool ok = f.parse_models(copy, out);
  INFO(out.error_message);
  REQUIRE(ok);
  CHECK(out.error_message.empty());
  return out.models;
}

std::string refusal(const providers::wire_format& f, std::string_view body) {
  std::string copy{body};
  engine::model_listing out;
  CHECK_FALSE(f.parse_models(copy, out));
  CHECK(out.models.empty());
  return out.error_message;
}

http::client_request models_request(const providers::wire_format& f,
                                    std::string_view base) {
  http::client_request r;
  f.build_models_request(base, r);
  return r;
}

// -- a loopback upstream ------------------------------------------------------

/// One request as the upstream saw it.
struct seen_request {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers; // lower-case names
};

/// Serves every format's listing under its own prefix (`/openai/v1/models`,
/// `/anthropic/v1/models`, ...), or answers everything with `status` and
/// `body` when set. Records what it got.
struct listing_upstream {
  std::mutex mutex;
  std::vector<seen_request> seen;
  int status = 200;
  std::string fixed_body;
  std::unique_ptr<http::http_server> server;

  listing_upstream() {
    server = serve([this](const http::server_request& req,
                          std::shared_ptr<http::response_writer> w) {
      seen_request s{std::string{req.method}, std::string{req.target}, {}};
      for (const auto& h : req.headers) {
        std::string name{h.name};
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        s.headers[name] = h.value;
      }
      std::lock_guard guard{mutex};
      seen.push_back(s);
      w->respond(status, {{"Content-Type", "application/json"}},
                 fixed_body.empty() ? body_for(req.path()) : fixed_body);
    });
  }

  static std::string body_for(std::string_view path) {
    if (path == "/openai/v1/models")
      return std::string{openai_body};
    if (path == "/anthropic/v1/models")
      return std::string{anthropic_body};
    if (path == "/gemini/v1beta/models")
      return std::string{gemini_body};
    if (path == "/cohere/v1/models")
      return std::string{cohere_body};
    if (path == "/ollama/api/tags")
      return std::string{ollama_body};
    return R"({"error":{"message":"no such path"}})";
  }

  seen_request last() {
    std::lock_guard guard{mutex};
    REQUIRE_FALSE(seen.empty());
    return seen.back();
  }

  std::size_t count() {
    std::lock_guard guard{mutex};
    return seen.size();
  }
};

constexpr std::string_view the_key = "sk-listing-0123456789abcdef";

/// The key the test variables hold: distinctive, to look for in messages.
/// Any other variable is unset.
std::optional<std::string> keys(std::string_view name) {
  if (name == "LISTING_KEY" || name == "OLLAMA_PROXY_KEY")
    return std::string{the_key};
  return std::nullopt;
}

/// A provider of `kind` under `prefix` at `port`, as config/models.yaml
/// writes its base (`/v1` for OpenAI, `/v1beta` for Gemini, `/v2` for
/// Cohere). Ollama has no key unless `key_env` says otherwise.
engine::provider_spec provider(provider_kind kind, std::uint16_t port,
                               std::string key_env = "LISTING_KEY") {
  engine::provider_spec p;
  p.kind = kind;
  p.id = std::string{engine::to_string(kind)} + "-test";
  auto base = "http://127.0.0.1:" + std::to_string(port) + "/"
              + std::string{engine::to_string(kind)};
  switch (kind) {
    case provider_kind::openai: p.base_url = base + "/v1"; break;
    case provider_kind::gemini: p.base_url = base + "/v1beta"; break;
    case provider_kind::cohere: p.base_url = base + "/v2"; break;
    default: p.base_url = base; break;
  }
  p.api_key_env = kind == provider_kind::ollama && key_env == "LISTING_KEY"
                    ? std::string{}
                    : std::move(key_env);
  return p;
}

/// Asks `p` for its listing and waits (with a deadline) for the answer.
engine::model_listing list(http::http_client& http,
                           const engine::provider_spec& p,
                           std::chrono::milliseconds timeout = 5s) {
  engine::registry reg;
  reg.providers.push_back(p);
  auto client = providers::make_provider_client(p, reg, http, keys);
  REQUIRE(client);
  auto promise = std::make_shared<std::promise<engine::model_listing>>();
  auto future = promise->get_future();
  (*client)->list_models(timeout, [promise](engine::model_listing r) {
    promise->set_value(std::move(r));
  });
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  return future.get();
}

} // namespace

// -- each format's request and answer -----------------------------------------

TEST_CASE("listing: OpenAI-compatible servers answer data[].id", "[listing]") {
  providers::openai_format f;
  auto r = models_request(f, "/v1");
  CHECK(r.method == "GET");
  CHECK(r.target == "/v1/models");
  CHECK(r.body.empty());
  CHECK(parsed(f, openai_body) == names{"gpt-4o-mini", "gpt-4o"});
  CHECK(parsed(f, vllm_body) == names{"Qwen/Qwen2.5-7B-Instruct"});
  CHECK(parsed(f, R"({"object":"list","data":[]})").empty());
}

TEST_CASE("listing: Anthropic answers data[].id, with its version header",
          "[listing]") {
  providers::anthropic_format f;
  auto r = models_request(f, "");
  CHECK(r.method == "GET");
  CHECK(r.target == "/v1/models?limit=1000");
  CHECK(http::find_header(r.headers, "anthropic-version").value_or("")
        == "2023-06-01");
  CHECK(parsed(f, anthropic_body)
        == names{"claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"});
}

TEST_CASE("listing: Gemini answers models[].name, without models/",
          "[listing]") {
  providers::gemini_format f;
  // The same base as generateContent: {base}/models/{model}:generateContent.
  auto r = models_request(f, "/v1beta");
  CHECK(r.method == "GET");
  CHECK(r.target == "/v1beta/models?pageSize=1000");
  CHECK(parsed(f, gemini_body)
        == names{"gemini-2.5-flash", "text-embedding-004"});
}

TEST_CASE("listing: Cohere's is on v1 even for v2 chat", "[listing]") {
  providers::cohere_format f;
  auto r = models_request(f, "/v2");
  CHECK(r.method == "GET");
  CHECK(r.target == "/v1/models?endpoint=chat&page_size=1000");
  CHECK(models_request(f, "/cohere/v2").target
        == "/cohere/v1/models?endpoint=chat&page_size=1000");
  CHECK(parsed(f, cohere_body)
        == names{"command-a-03-2025", "command-r7b-12-2024"});
}

TEST_CASE("listing: Ollama answers /api/tags with models[].name", "[listing]") {
  providers::ollama_format f;
  auto r = models_request(f, "");
  CHECK(r.method == "GET");
  CHECK(r.target == "/api/tags");
  CHECK(parsed(f, ollama_body) == names{"llama3.2:latest", "qwen2.5:7b"});
  // An Ollama with nothing pulled.
  CHECK(parsed(f, R"({"models":[]})").empty());
  CHECK(parsed(f, R"({"models":null})").empty());
}

TEST_CASE("listing: a body that is not a listing is refused, not empty",
          "[listing]") {
  providers::openai_format openai;
  providers::ollama_format ollama;
  CHECK_THAT(refusal(openai, "<html>Bad gateway</html>"),
             Contains("malformed model listing"));
  CHECK_THAT(refusal(openai, R"({"object":"list"})"), Contains("'data'"));
  CHECK_THAT(refusal(openai, R"({"data":{"id":"gpt-4o"}})"),
             Contains("malformed model listing"));
  CHECK_THAT(refusal(ollama, R"({"models":[{"name":7}]})"),
             Contains("malformed model listing"));
  // Another format's shape is not this one's.
  CHECK_THAT(refusal(ollama, openai_body), Contains("'models'"));
}

// -- through the provider client, over loopback -------------------------------

TEST_CASE("listing: each format asks with its key and reads the answer",
          "[listing]") {
  listing_upstream up;
  auto http = make_client();
  auto port = up.server->port();
  struct expectation {
    provider_kind kind;
    std::string target;
    std::string key_header;
    std::string key_value;
    names models;
  };
  std::string bearer = "Bearer " + std::string{the_key};
  std::string key{the_key};
  std::vector<expectation> expected{
    {provider_kind::openai,
     "/openai/v1/models",
     "authorization",
     bearer,
     {"gpt-4o-mini", "gpt-4o"}},
    {provider_kind::anthropic,
     "/anthropic/v1/models?limit=1000",
     "x-api-key",
     key,
     {"claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"}},
    {provider_kind::gemini,
     "/gemini/v1beta/models?pageSize=1000",
     "x-goog-api-key",
     key,
     {"gemini-2.5-flash", "text-embedding-004"}},
    {provider_kind::cohere,
     "/cohere/v1/models?endpoint=chat&page_size=1000",
     "authorization",
     bearer,
     {"command-a-03-2025", "command-r7b-12-2024"}},
    {provider_kind::ollama,
     "/ollama/api/tags",
     "",
     "",
     {"llama3.2:latest", "qwen2.5:7b"}}};
  for (const auto& e : expected) {
    INFO(engine::to_string(e.kind));
    auto listing = list(*http, provider(e.kind, port));
    INFO(listing.error_message);
    CHECK(listing.reached);
    CHECK(listing.http_status == 200);
    CHECK(listing.error_message.empty());
    CHECK(listing.models == e.models);
    auto seen = up.last();
    CHECK(seen.method == "GET");
    CHECK(seen.target == e.target);
    CHECK(seen.headers["accept"] == "application/json");
    if (e.key_header.empty()) {
      CHECK(seen.headers.count("authorization") == 0);
    } else {
      CHECK(seen.headers[e.key_header] == e.key_value);
    }
    if (e.kind == provider_kind::anthropic)
      CHECK(seen.headers["anthropic-version"] == "2023-06-01");
    // The key goes in a header, never in the URL.
    CHECK(seen.target.find(the_key) == std::string::npos);
  }
  // Ollama behind a proxy that wants a key gets it as a Bearer token.
  auto proxied
    = list(*http, provider(provider_kind::ollama, port, "OLLAMA_PROXY_KEY"));
  CHECK(proxied.reached);
  CHECK(proxied.models == names{"llama3.2:latest", "qwen2.5:7b"});
  CHECK(up.last().headers["authorization"] == bearer);
  CHECK(up.count() == expected.size() + 1);
}

TEST_CASE("listing: a refused key is reported as such, never quoted",
          "[listing]") {
  listing_upstream up;
  up.status = 401;
  // As some APIs do, the answer quotes the key it refused.
  up.fixed_body = R"({"error":{"message":"Incorrect API key provided: )"
                  + std::string{the_key}
                  + R"(","type":"invalid_request_error"}})";
  auto http = make_client();
  for (auto kind : {provider_kind::openai, provider_kind::anthropic,
                    provider_kind::gemini, provider_kind::cohere}) {
    INFO(engine::to_string(kind));
    auto listing = list(*http, provider(kind, up.server->port()));
    CHECK(listing.reached);
    CHECK(listing.http_status == 401);
    CHECK(listing.models.empty());
    CHECK_THAT(listing.error_message, Contains("HTTP 401"));
    CHECK_THAT(listing.error_message,
               Contains("the key in LISTING_KEY was refused"));
    CHECK_THAT(listing.error_message, Contains("Incorrect API key provided"));
    CHECK(listing.error_message.find(the_key) == std::string::npos);
    CHECK_THAT(
      listing.error_message,
      Contains("provider '" + std::string{engine::to_string(kind)} + "-test'"));
  }
  // Any other status is reached too, with the status.
  up.status = 503;
  up.fixed_body = R"({"error":{"message":"overloaded"}})";
  auto listing = list(*http,
                      provider(provider_kind::openai, up.server->port()));
  CHECK(listing.reached);
  CHECK(listing.http_status == 503);
  CHECK_THAT(listing.error_message, Contains("HTTP 503: overloaded"));
}

TEST_CASE("listing: a 200 that is not a listing is reached but not usable",
          "[listing]") {
  listing_upstream up;
  up.fixed_body = "<html>captive portal</html>";
  auto http = make_client();
  auto listing = list(*http,
                      provider(provider_kind::ollama, up.server->port()));
  CHECK(listing.reached);
  CHECK(listing.http_status == 200);
  CHECK(listing.models.empty());
  CHECK_THAT(listing.error_message, Contains("malformed model listing"));
}

TEST_CASE("listing: without its key nothing is sent", "[listing]") {
  listing_upstream up;
  auto http = make_client();
  auto listing = list(*http, provider(provider_kind::anthropic,
                                      up.server->port(), "LISTING_KEY_UNSET"));
  CHECK_FALSE(listing.reached);
  CHECK_THAT(listing.error_message,
             Contains("the environment variable LISTING_KEY_UNSET is not "
                      "set"));
  CHECK(up.count() == 0);
}

TEST_CASE("listing: a closed port is not reached, at once", "[listing]") {
  std::uint16_t port = 0;
  {
    listing_upstream gone;
    port = gone.server->port();
  } // nothing listens there any more
  auto http = make_client();
  auto start = std::chrono::steady_clock::now();
  auto listing = list(*http, provider(provider_kind::ollama, port), 3s);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(listing.reached);
  CHECK(listing.http_status == 0);
  CHECK(listing.models.empty());
  CHECK_THAT(listing.error_message, Contains("GET /ollama/api/tags failed"));
  CHECK_THAT(listing.error_message, Contains("connect"));
  // Refused, not waited out: well under the 3 s allowed.
  CHECK(took < 1s);
}

TEST_CASE("listing: a server that never answers is given up on in time",
          "[listing]") {
  std::mutex mutex;
  std::vector<std::shared_ptr<http::response_writer>> held;
  auto server = serve(
    [&](const http::server_request&, std::shared_ptr<http::response_writer> w) {
      std::lock_guard guard{mutex};
      held.push_back(std::move(w)); // no answer
    });
  auto http = make_client();
  auto start = std::chrono::steady_clock::now();
  auto listing = list(*http, provider(provider_kind::openai, server->port()),
                      200ms);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(listing.reached);
  CHECK_THAT(listing.error_message, Contains("timeout"));
  CHECK(took >= 200ms);
  CHECK(took < 2s);
  http.reset();
  server.reset();
  held.clear();
}
