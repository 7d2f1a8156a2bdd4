// The simulated upstream's model listings, read by the real provider
// clients; a configured subset that a local server would serve; and the
// admin endpoint that lists and unlists models at run time, so that "a
// model that appears later" is a step of a test, not a wait.
#include "sim_wire_client.hpp"
#include "switchyard/providers/make_provider_client.hpp"

#include <algorithm>

using namespace switchyard;
using namespace switchyard::testing;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using engine::provider_kind;

namespace {

using names = std::vector<std::string>;

/// Five configured models, two of them unlisted (one per way of saying
/// so), with answer lengths to tell their settings from the defaults'.
const std::string subset_yaml = R"(version: 1
seed: 3
time_scale: 0
defaults:
  output_tokens: 3
models:
  gpt-4o-mini: {}
  claude-3-haiku-20240307: {}
  "qwen3:1.7b":
    output_tokens: 5
  meta-llama/llama-3.1-70b-instruct:
    listed: false
  gemini-1.5-flash:
    listed: false
    output_tokens: 7
)";

const names listed_at_start{"claude-3-haiku-20240307", "gpt-4o-mini",
                            "qwen3:1.7b"};

/// The base URL config/models.yaml gives each format, at the simulator.
engine::provider_spec provider(provider_kind kind, std::uint16_t port) {
  engine::provider_spec p;
  p.kind = kind;
  p.id = kind_text(kind) + "-sim";
  auto base = "http://127.0.0.1:" + std::to_string(port);
  switch (kind) {
    case provider_kind::openai: p.base_url = base + "/v1"; break;
    case provider_kind::gemini: p.base_url = base + "/v1beta"; break;
    case provider_kind::cohere: p.base_url = base + "/v2"; break;
    default: p.base_url = base; break;
  }
  // Ollama is local and keyless; the others send a key, which the
  // simulator takes whatever it is.
  if (kind != provider_kind::ollama)
    p.api_key_env = "SIM_KEY";
  return p;
}

std::optional<std::string> keys(std::string_view name) {
  if (name == "SIM_KEY")
    return std::string{"sk-sim-listing"};
  return std::nullopt;
}

/// The models `kind`'s real client reads from the simulator's listing.
names listed_by(sim_server& s, provider_kind kind) {
  auto p = provider(kind, s.sim->port());
  engine::registry reg;
  reg.providers.push_back(p);
  auto client = providers::make_provider_client(p, reg, *s.http, keys);
  REQUIRE(client);
  auto promise = std::make_shared<std::promise<engine::model_listing>>();
  auto future = promise->get_future();
  (*client)->list_models(5s, [promise](engine::model_listing r) {
    promise->set_value(std::move(r));
  });
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  auto listing = future.get();
  INFO(listing.error_message);
  REQUIRE(listing.reached);
  REQUIRE(listing.http_status == 200);
  REQUIRE(listing.error_message.empty());
  auto out = listing.models;
  std::sort(out.begin(), out.end());
  return out;
}

/// A one-turn chat with `model` in `kind`'s format.
http::client_response chat(sim_server& s, provider_kind kind,
                           const std::string& model, bool stream = false) {
  wire_request r;
  r.model = model;
  r.stream = stream;
  r.messages = kind == provider_kind::gemini
                 ? R"([{"role":"user","parts":[{"text":"Hello?"}]}])"
                 : R"([{"role":"user","content":"Hello?"}])";
  auto [target, body] = build(kind, r);
  return s.send("POST", target, body);
}

/// How many words an answer's text holds (each word ends in a space).
std::size_t words_in(provider_kind kind, const http::client_response& r,
                     bool stream = false) {
  auto a = decode(kind, stream, r.body);
  CHECK(a.well_formed);
  return static_cast<std::size_t>(
    std::count(a.text.begin(), a.text.end(), ' '));
}

/// Checks `r` is the 404 `kind`'s API answers for a model it does not
/// have, in that API's error shape.
void check_not_found(provider_kind kind, const http::client_response& r,
                     const std::string& model) {
  CHECK(r.status == 404);
  json_doc doc{r.body};
  INFO(r.body);
  REQUIRE(doc.ok);
  auto& e = doc.root;
  switch (kind) {
    case provider_kind::openai:
      CHECK(str(e["error"]["code"]) == "model_not_found");
      CHECK(str(e["error"]["type"]) == "invalid_request_error");
      CHECK_THAT(str(e["error"]["message"]), Contains(model));
      break;
    case provider_kind::anthropic:
      CHECK(str(e["type"]) == "error");
      CHECK(str(e["error"]["type"]) == "not_found_error");
      CHECK_THAT(str(e["error"]["message"]), Contains(model));
      break;
    case provider_kind::gemini:
      CHECK(u64(e["error"]["code"]) == 404);
      CHECK(str(e["error"]["status"]) == "NOT_FOUND");
      CHECK_THAT(str(e["error"]["message"]), Contains(model));
      break;
    case provider_kind::cohere:
      CHECK_THAT(str(e["message"]), Contains(model));
      break;
    case provider_kind::ollama:
      CHECK_THAT(str(e["error"]), Contains(model));
      break;
  }
}

/// `GET /sim/stats`'s `listed` array.
names stats_listed(sim_server& s) {
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  names out;
  simdjson::dom::array listed;
  REQUIRE(stats.root["listed"].get(listed) == simdjson::SUCCESS);
  for (auto item : listed) {
    std::string_view name;
    CHECK(item.get(name) == simdjson::SUCCESS);
    out.emplace_back(name);
  }
  return out;
}

} // namespace

// -- listings -----------------------------------------------------------------

TEST_CASE("sim listings: each format's client reads the listed models",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    CHECK(listed_by(s, kind) == listed_at_start);
  }
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  CHECK(u64(stats.root["listings"]) == wire_kinds.size());
  // Listings are not chat requests.
  CHECK(u64(stats.root["requests"]) == 0);
  CHECK(stats_listed(s) == listed_at_start);
}

TEST_CASE("sim listings: each body carries its API's own fields",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  // OpenAI, LM Studio, vLLM, Anthropic and Cohere share the path; the query
  // string is ignored, and Cohere's v2 path answers the same.
  auto shared = s.send("GET", "/v1/models?limit=1000");
  REQUIRE(shared.status == 200);
  CHECK(http::find_header(shared.headers, "Content-Type").value_or("")
        == "application/json");
  CHECK(s.send("GET", "/v1/models").body == shared.body);
  CHECK(s.send("GET", "/v1/models?endpoint=chat&page_size=1000").body
        == shared.body);
  CHECK(s.send("GET", "/v2/models").body == shared.body);
  {
    json_doc doc{shared.body};
    REQUIRE(doc.ok);
    auto& r = doc.root;
    CHECK(str(r["object"]) == "list");
    auto first = r["data"].at(0);
    CHECK(str(first["id"]) == "claude-3-haiku-20240307");
    CHECK(str(first["object"]) == "model");
    CHECK(str(first["type"]) == "model");
    CHECK(str(first["owned_by"]) == "sim");
    CHECK(str(first["display_name"]) == "claude-3-haiku-20240307");
    CHECK(str(first["created_at"]) == "2023-11-14T22:13:20Z");
    CHECK(u64(first["created"]) == 1'700'000'000);
    bool more = true;
    CHECK(r["has_more"].get(more) == simdjson::SUCCESS);
    CHECK_FALSE(more);
    CHECK(str(r["first_id"]) == "claude-3-haiku-20240307");
    CHECK(str(r["last_id"]) == "qwen3:1.7b");
    auto cohere = r["models"].at(2);
    CHECK(str(cohere["name"]) == "qwen3:1.7b");
    CHECK(str(cohere["endpoints"].at(0)) == "chat");
  }
  {
    auto gemini = s.send("GET", "/v1beta/models?pageSize=1000");
    REQUIRE(gemini.status == 200);
    json_doc doc{gemini.body};
    REQUIRE(doc.ok);
    auto m = doc.root["models"].at(1);
    CHECK(str(m["name"]) == "models/gpt-4o-mini");
    CHECK(str(m["supportedGenerationMethods"].at(0)) == "generateContent");
    CHECK(str(m["supportedGenerationMethods"].at(1))
          == "streamGenerateContent");
  }
  {
    auto ollama = s.send("GET", "/api/tags");
    REQUIRE(ollama.status == 200);
    json_doc doc{ollama.body};
    REQUIRE(doc.ok);
    auto m = doc.root["models"].at(2);
    CHECK(str(m["name"]) == "qwen3:1.7b");
    CHECK(str(m["model"]) == "qwen3:1.7b");
    CHECK(str(m["modified_at"]) == "2023-11-14T22:13:20Z");
    CHECK(u64(m["size"]) >= 1'000'000'000);
    auto digest = str(m["digest"]);
    CHECK(digest.size() == 64);
    CHECK(digest.find_first_not_of("0123456789abcdef") == std::string::npos);
    // Fixed per name: the same on every run.
    CHECK(s.send("GET", "/api/tags").body == ollama.body);
  }
}

TEST_CASE("sim listings: with nothing listed, every listing is empty",
          "[sim][listing]") {
  sim_server s{"version: 1\ntime_scale: 0\ndefaults: {listed: false}\n"
               "models:\n  a: {}\n  b: {}\n"};
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    CHECK(listed_by(s, kind).empty());
  }
  json_doc doc{s.send("GET", "/v1/models").body};
  REQUIRE(doc.ok);
  CHECK(doc.root["first_id"].is_null());
  CHECK(doc.root["last_id"].is_null());
  CHECK(stats_listed(s).empty());
}

// -- a subset -----------------------------------------------------------------

TEST_CASE("sim listings: a chat for a model not listed gets the format's 404",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  for (auto kind : wire_kinds) {
    for (bool stream : {false, true}) {
      INFO(kind_text(kind) << (stream ? " streamed" : " plain"));
      check_not_found(kind, chat(s, kind, "gemini-1.5-flash", stream),
                      "gemini-1.5-flash");
      // A listed one answers.
      auto ok = chat(s, kind, "gpt-4o-mini", stream);
      CHECK(ok.status == 200);
      CHECK(words_in(kind, ok, stream) == 3);
    }
  }
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  CHECK(u64(stats.root["unlisted_model"]) == 2 * wire_kinds.size());
  CHECK(u64(stats.root["unknown_model"]) == 0);
  // A refused request draws no plan: the model has seen none.
  CHECK(stats.root["models"]["gemini-1.5-flash"].error()
        == simdjson::NO_SUCH_FIELD);
  CHECK(u64(stats.root["models"]["gpt-4o-mini"]["requests"])
        == 2 * wire_kinds.size());
}

// -- the admin endpoint -------------------------------------------------------

TEST_CASE("sim listings: POST /sim/models lists a configured model with its "
          "settings, DELETE unlists it",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  const std::string model = "gemini-1.5-flash";
  check_not_found(provider_kind::gemini, chat(s, provider_kind::gemini, model),
                  model);

  auto added = s.send("POST", "/sim/models", R"({"name":"gemini-1.5-flash"})");
  CHECK(added.status == 200);
  CHECK(http::find_header(added.headers, "Content-Type").value_or("")
        == "application/json");
  {
    json_doc doc{added.body};
    REQUIRE(doc.ok);
    CHECK(str(doc.root["name"]) == model);
    CHECK(compact(doc.root["listed"]) == "true");
    CHECK(compact(doc.root["configured"]) == "true");
    CHECK(compact(doc.root["added"]) == "false");
    CHECK(compact(doc.root["changed"]) == "true");
  }
  auto now_listed = names{"claude-3-haiku-20240307", "gemini-1.5-flash",
                          "gpt-4o-mini", "qwen3:1.7b"};
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    CHECK(listed_by(s, kind) == now_listed);
    // Answerable in every format, with its configured length.
    auto r = chat(s, kind, model);
    CHECK(r.status == 200);
    CHECK(words_in(kind, r) == 7);
  }
  CHECK(stats_listed(s) == now_listed);
  // Listing it again changes nothing.
  auto repeat = s.send("POST", "/sim/models", R"({"name":"gemini-1.5-flash"})");
  json_doc again{repeat.body};
  REQUIRE(again.ok);
  CHECK(compact(again.root["changed"]) == "false");

  auto removed = s.send("DELETE", "/sim/models/gemini-1.5-flash");
  CHECK(removed.status == 200);
  {
    json_doc doc{removed.body};
    REQUIRE(doc.ok);
    CHECK(str(doc.root["name"]) == model);
    CHECK(compact(doc.root["listed"]) == "false");
    CHECK(compact(doc.root["changed"]) == "true");
  }
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    CHECK(listed_by(s, kind) == listed_at_start);
    check_not_found(kind, chat(s, kind, model), model);
  }
  CHECK(stats_listed(s) == listed_at_start);
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  CHECK(u64(stats.root["models"][model]["requests"]) == wire_kinds.size());
}

TEST_CASE("sim listings: POST /sim/models adds a model the config lacks, "
          "with the defaults",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  const std::string model = "llama3.2:latest";
  check_not_found(provider_kind::ollama, chat(s, provider_kind::ollama, model),
                  model);
  auto added = s.send("POST", "/sim/models", R"({"name":"llama3.2:latest"})");
  CHECK(added.status == 200);
  json_doc doc{added.body};
  REQUIRE(doc.ok);
  CHECK(compact(doc.root["configured"]) == "false");
  CHECK(compact(doc.root["added"]) == "true");
  CHECK(compact(doc.root["changed"]) == "true");
  CHECK(listed_by(s, provider_kind::ollama)
        == names{"claude-3-haiku-20240307", "gpt-4o-mini", "llama3.2:latest",
                 "qwen3:1.7b"});
  for (bool stream : {false, true}) {
    auto r = chat(s, provider_kind::ollama, model, stream);
    CHECK(r.status == 200);
    // The defaults' length.
    CHECK(words_in(provider_kind::ollama, r, stream) == 3);
  }
  // Unlisted, it stays known: listing it again is not an addition.
  CHECK(s.send("DELETE", "/sim/models/llama3.2:latest").status == 200);
  CHECK(listed_by(s, provider_kind::ollama) == listed_at_start);
  json_doc relisted{
    s.send("POST", "/sim/models", R"({"name":"llama3.2:latest"})").body};
  REQUIRE(relisted.ok);
  CHECK(compact(relisted.root["added"]) == "false");
  CHECK(compact(relisted.root["changed"]) == "true");

  // GET /sim/models shows both sets.
  json_doc models{s.send("GET", "/sim/models").body};
  REQUIRE(models.ok);
  CHECK(compact(models.root["unlisted"])
        == R"(["gemini-1.5-flash","meta-llama/llama-3.1-70b-instruct"])");
  CHECK(compact(models.root["listed"])
        == R"(["claude-3-haiku-20240307","gpt-4o-mini","llama3.2:latest",)"
           R"("qwen3:1.7b"])");
}

TEST_CASE("sim listings: a name holding '/' is deleted by its encoded form",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  const std::string model = "meta-llama/llama-3.1-70b-instruct";
  const std::string list_it = R"({"name":)" + json_quoted(model) + "}";
  REQUIRE(s.send("POST", "/sim/models", list_it).status == 200);
  CHECK(chat(s, provider_kind::openai, model).status == 200);
  auto removed
    = s.send("DELETE", "/sim/models/meta-llama%2Fllama-3.1-70b-instruct");
  CHECK(removed.status == 200);
  check_not_found(provider_kind::openai, chat(s, provider_kind::openai, model),
                  model);
  // And by its raw form.
  REQUIRE(s.send("POST", "/sim/models", list_it).status == 200);
  CHECK(s.send("DELETE", "/sim/models/" + model).status == 200);
  CHECK(listed_by(s, provider_kind::openai) == listed_at_start);
}

TEST_CASE("sim listings: the admin endpoint refuses what it cannot do, in JSON",
          "[sim][listing]") {
  sim_server s{subset_yaml};
  auto refused = [&](std::string method, std::string target, std::string body,
                     int status, std::string_view says) {
    INFO(method << " " << target << " " << body);
    auto r = s.send(std::move(method), std::move(target), std::move(body));
    CHECK(r.status == status);
    json_doc doc{r.body};
    REQUIRE(doc.ok);
    CHECK_THAT(str(doc.root["error"]["message"]), Contains(std::string{says}));
  };
  refused("POST", "/sim/models", "[1]", 400, R"({"name": "MODEL"})");
  refused("POST", "/sim/models", "{}", 400, "'name' is required");
  refused("POST", "/sim/models", R"({"name":""})", 400,
          "'name' must be a non-empty string");
  refused("POST", "/sim/models", R"({"name":7})", 400,
          "'name' must be a non-empty string");
  refused("POST", "/sim/models", R"({"name":"m","listed":false})", 400,
          "unknown field 'listed'");
  refused("POST", "/sim/models",
          R"({"name":")" + std::string(300, 'x') + R"("})", 400,
          "longer than 256 bytes");
  refused("DELETE", "/sim/models/no-such-model", {}, 404,
          "no model 'no-such-model'");
  // Nothing changed.
  CHECK(listed_by(s, provider_kind::openai) == listed_at_start);
  // DELETE without a name is no route.
  CHECK(s.send("DELETE", "/sim/models").status == 404);
  CHECK(s.send("DELETE", "/sim/models/").status == 404);
}
