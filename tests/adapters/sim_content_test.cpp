// The simulated upstream's view of what reaches it, over raw HTTP in each
// wire format, plain and streamed: images counted in /sim/stats, JSON
// answers for a requested schema, and the request bodies it keeps for
// GET /sim/requests.
#include "sim_wire_client.hpp"

using namespace switchyard;
using namespace switchyard::testing;
using engine::provider_kind;

namespace {

std::string base64(std::string_view bytes) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                                        "klmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0)
    out += alphabet[(acc << (6 - bits)) & 0x3F];
  while (out.size() % 4 != 0)
    out += '=';
  return out;
}

/// A "PNG" of 1001 bytes: its base64 ends in padding.
const std::string image_bytes = [] {
  std::string s(1001, '\0');
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>(i * 37 + 11);
  return s;
}();

/// A user turn with one base64 image and, where the format takes one, one
/// image by URL (Ollama takes bytes only).
std::string image_turn(provider_kind kind) {
  auto data = base64(image_bytes);
  switch (kind) {
    case provider_kind::anthropic:
      return R"([{"role":"user","content":[{"type":"image","source":)"
             R"({"type":"base64","media_type":"image/png","data":")"
             + data
             + R"("}},{"type":"image","source":{"type":"url",)"
               R"("url":"https://example.com/cat.png"}},)"
               R"({"type":"text","text":"What is this?"}]}])";
    case provider_kind::gemini:
      return R"([{"role":"user","parts":[{"text":"What is this?"},)"
             R"({"inlineData":{"mimeType":"image/png","data":")"
             + data
             + R"("}},{"fileData":{"mimeType":"image/png",)"
               R"("fileUri":"gs://bucket/cat.png"}}]}])";
    case provider_kind::ollama:
      return R"([{"role":"user","content":"What is this?","images":[")" + data
             + R"("]}])";
    default: // OpenAI and Cohere: image_url parts
      return R"([{"role":"user","content":[{"type":"text",)"
             R"("text":"What is this?"},{"type":"image_url","image_url":)"
             R"({"url":"data:image/png;base64,)"
             + data
             + R"("}},{"type":"image_url","image_url":)"
               R"({"url":"https://example.com/cat.png"}}]}])";
  }
}

const std::string person_schema
  = R"({"type":"object","properties":{"name":{"type":"string"},)"
    R"("age":{"type":"integer","minimum":18},)"
    R"("tags":{"type":"array","items":{"type":"string"},"minItems":2},)"
    R"("address":{"type":"object","properties":{"city":{"type":"string"},)"
    R"("zip":{"type":"string"}},"required":["city"]},)"
    R"("status":{"type":"string","enum":["active","retired"]},)"
    R"("score":{"type":"number"},"verified":{"type":"boolean"}},)"
    R"("required":["name","age","tags","address","status","score",)"
    R"("verified"],"additionalProperties":false})";
// The same in Gemini's OpenAPI subset.
const std::string person_schema_gemini
  = R"({"type":"OBJECT","properties":{"name":{"type":"STRING"},)"
    R"("age":{"type":"INTEGER","minimum":18},)"
    R"("tags":{"type":"ARRAY","items":{"type":"STRING"},"minItems":2},)"
    R"("address":{"type":"OBJECT","properties":{"city":{"type":"STRING"},)"
    R"("zip":{"type":"STRING"}},"required":["city"]},)"
    R"("status":{"type":"STRING","format":"enum",)"
    R"("enum":["active","retired"]},)"
    R"("score":{"type":"NUMBER"},"verified":{"type":"BOOLEAN"}},)"
    R"("required":["name","age","tags","address","status","score",)"
    R"("verified"]})";

/// The structured-output field asking for `person_schema`; none for
/// Anthropic, whose messages API has no such field.
std::string schema_field(provider_kind kind) {
  switch (kind) {
    case provider_kind::openai:
      return R"("response_format":{"type":"json_schema","json_schema":)"
             R"({"name":"person","strict":true,"schema":)"
             + person_schema + "}}";
    case provider_kind::gemini:
      return R"("generationConfig":{"responseMimeType":"application/json",)"
             R"("responseSchema":)"
             + person_schema_gemini + "}";
    case provider_kind::cohere:
      return R"("response_format":{"type":"json_object","json_schema":)"
             + person_schema + "}";
    case provider_kind::ollama: return R"("format":)" + person_schema;
    default: return {};
  }
}

std::string user_turn(provider_kind kind) {
  if (kind == provider_kind::gemini)
    return R"([{"role":"user","parts":[{"text":"Describe someone."}]}])";
  return R"([{"role":"user","content":"Describe someone."}])";
}

} // namespace

TEST_CASE("received images are counted per format and model", "[sim][images]") {
  sim_server s{agent_sim_yaml()};
  for (auto kind : wire_kinds)
    for (bool stream : {false, true}) {
      INFO(kind_text(kind) << (stream ? " streamed" : " plain"));
      wire_request req;
      req.model = kind_text(kind) + "-agent";
      req.stream = stream;
      req.messages = image_turn(kind);
      auto [target, body] = build(kind, req);
      auto r = s.send("POST", target, body);
      CHECK(r.status == 200);
      CHECK_FALSE(decode(kind, stream, r.body).text.empty());
    }
  json_doc stats{s.sim->stats_json()};
  REQUIRE(stats.ok);
  for (auto kind : wire_kinds) {
    INFO(kind_text(kind));
    std::uint64_t urls = kind == provider_kind::ollama ? 0 : 2;
    for (auto images :
         {stats.root["format_images"][kind_text(kind)],
          stats.root["models"][kind_text(kind) + "-agent"]["images"]}) {
      CHECK(u64(images["inline"]) == 2);
      CHECK(u64(images["inline_bytes"]) == 2 * image_bytes.size());
      CHECK(u64(images["urls"]) == urls);
    }
  }
}

TEST_CASE("a requested schema is answered with JSON that has its required "
          "properties",
          "[sim][schema]") {
  sim_server s{agent_sim_yaml()};
  for (auto kind : wire_kinds) {
    if (kind == provider_kind::anthropic)
      continue; // no structured-output field on the wire
    for (bool stream : {false, true}) {
      INFO(kind_text(kind) << (stream ? " streamed" : " plain"));
      wire_request req;
      req.model = kind_text(kind) + "-agent";
      req.stream = stream;
      req.messages = user_turn(kind);
      req.extra = schema_field(kind);
      auto [target, body] = build(kind, req);
      auto r = s.send("POST", target, body);
      REQUIRE(r.status == 200);
      auto a = decode(kind, stream, r.body);
      INFO(a.text);
      json_doc answer{a.text};
      REQUIRE(answer.ok);
      auto& o = answer.root;
      REQUIRE(o.is_object());
      CHECK_FALSE(str(o["name"]).empty());
      std::int64_t age = 0;
      REQUIRE(o["age"].get(age) == simdjson::SUCCESS);
      CHECK(age >= 18);
      simdjson::dom::array tags;
      REQUIRE(o["tags"].get(tags) == simdjson::SUCCESS);
      CHECK(tags.size() >= 2);
      for (auto t : tags)
        CHECK(t.is_string());
      CHECK_FALSE(str(o["address"]["city"]).empty());
      auto status = str(o["status"]);
      CHECK((status == "active" || status == "retired"));
      CHECK(o["score"].is_number());
      CHECK(o["verified"].is_bool());
      std::size_t keys = 0;
      simdjson::dom::object fields;
      REQUIRE(o.get(fields) == simdjson::SUCCESS);
      for ([[maybe_unused]] auto f : fields)
        ++keys;
      CHECK(keys == 7); // no property the schema does not list
      if (stream)
        CHECK(a.text.size() > 6); // came in several deltas, joined
    }
  }
  SECTION("JSON mode without a schema gives an object") {
    for (auto [kind, field] :
         {std::pair{provider_kind::openai,
                    std::string{R"("response_format":{"type":"json_object"})"}},
          std::pair{provider_kind::ollama, std::string{R"("format":"json")"}},
          std::pair{provider_kind::gemini,
                    std::string{
                      R"("generationConfig":)"
                      R"({"responseMimeType":"application/json"})"}}}) {
      INFO(kind_text(kind));
      wire_request req;
      req.model = kind_text(kind) + "-agent";
      req.messages = user_turn(kind);
      req.extra = field;
      auto [target, body] = build(kind, req);
      auto r = s.send("POST", target, body);
      REQUIRE(r.status == 200);
      json_doc answer{decode(kind, false, r.body).text};
      REQUIRE(answer.ok);
      CHECK(answer.root.is_object());
    }
  }
  SECTION("references, unions and bounds are followed") {
    wire_request req;
    req.model = "openai-agent";
    req.messages = user_turn(provider_kind::openai);
    req.extra
      = R"("response_format":{"type":"json_schema","json_schema":{"name":"x",)"
        R"("schema":{"type":"object","properties":{"n":{"$ref":"#/$defs/n"},)"
        R"("o":{"anyOf":[{"type":"null"},{"type":"integer","maximum":-4}]},)"
        R"("t":{"type":["null","boolean"]},"c":{"const":{"k":[1]}}},)"
        R"("required":["n","o","t","c"],)"
        R"("$defs":{"n":{"type":"number","minimum":3.5}}}}})";
    auto [target, body] = build(provider_kind::openai, req);
    auto r = s.send("POST", target, body);
    REQUIRE(r.status == 200);
    auto text = decode(provider_kind::openai, false, r.body).text;
    CHECK(text == R"({"n":3.5,"o":-4,"t":true,"c":{"k":[1]}})");
  }
}

TEST_CASE("GET /sim/requests returns the newest bodies as received",
          "[sim][requests]") {
  sim_server s{agent_sim_yaml()};
  std::vector<std::string> sent;
  for (auto kind : wire_kinds) {
    wire_request req;
    req.model = kind == provider_kind::ollama ? "qwen3:1.7b"
                                              : kind_text(kind) + "-agent";
    req.messages = image_turn(kind);
    auto [target, body] = build(kind, req);
    s.send("POST", target, body);
    sent.push_back(body);
  }
  auto all = s.send("GET", "/sim/requests");
  REQUIRE(all.status == 200);
  json_doc doc{all.body};
  REQUIRE(doc.ok);
  simdjson::dom::array requests;
  REQUIRE(doc.root["requests"].get(requests) == simdjson::SUCCESS);
  REQUIRE(requests.size() == sent.size());
  // Newest first, numbered in arrival order, bodies as sent (compact JSON
  // in, compact JSON out).
  for (std::size_t i = 0; i < sent.size(); ++i) {
    auto entry = requests.at(sent.size() - 1 - i);
    CHECK(u64(entry["seq"]) == i + 1);
    CHECK(str(entry["format"]) == kind_text(wire_kinds[i]));
    CHECK(compact(entry["body"]) == sent[i]);
  }
  // The unknown model was refused but still recorded, found by its
  // percent-encoded name.
  auto one = s.send("GET", "/sim/requests?model=qwen3%3A1.7b&limit=1");
  json_doc ollama{one.body};
  REQUIRE(ollama.ok);
  CHECK(str(ollama.root["requests"].at(0)["model"]) == "qwen3:1.7b");
  CHECK(str(ollama.root["requests"].at(0)["path"]) == "/api/chat");
  auto gemini = s.send("GET", "/sim/requests?format=gemini&limit=5");
  json_doc g{gemini.body};
  REQUIRE(g.ok);
  REQUIRE(g.root["requests"].get(requests) == simdjson::SUCCESS);
  CHECK(requests.size() == 1);
  CHECK(str(requests.at(0)["path"])
        == "/v1beta/models/gemini-agent:generateContent");
  CHECK(s.send("GET", "/sim/requests?limit=0").body == R"({"requests":[]})");
  CHECK(s.send("GET", "/sim/requests?format=grpc").status == 400);
  CHECK(s.send("GET", "/sim/requests?limit=ten").status == 400);
}

TEST_CASE("the body limit admits what the gateway admits, and is settable",
          "[sim][images]") {
  // The gateway's default (issue 17): long contexts and a few images.
  CHECK(sim::sim_options{}.max_body_bytes == std::size_t{32} << 20);
  /// An Ollama request carrying one base64 image of `decoded` bytes.
  auto with_image = [](std::size_t decoded) {
    wire_request req;
    req.model = "ollama-agent";
    req.messages = R"([{"role":"user","content":"What is this?","images":[")"
                   + std::string(decoded / 3 * 4, 'A') + R"("]}])";
    return build(provider_kind::ollama, req);
  };
  {
    // 20 MiB, over the old 16 MiB limit.
    sim_server s{agent_sim_yaml()};
    auto [target, body] = with_image(std::size_t{15} << 20);
    REQUIRE(body.size() > std::size_t{20} << 20);
    auto r = s.send("POST", target, body);
    CHECK(r.status == 200);
    json_doc stats{s.sim->stats_json()};
    REQUIRE(stats.ok);
    CHECK(u64(stats.root["models"]["ollama-agent"]["images"]["inline_bytes"])
          == std::size_t{15} << 20);
  }
  auto parsed = sim::parse_sim_config(agent_sim_yaml(), "<sim test>", {});
  REQUIRE(parsed.config);
  sim::sim_options opts;
  opts.max_body_bytes = 64u << 10;
  std::string why;
  auto sim = sim::sim_upstream::make(std::move(*parsed.config), opts, why);
  REQUIRE(sim);
  auto http = make_client();
  for (std::size_t decoded : {std::size_t{30} << 10, std::size_t{60} << 10}) {
    auto [target, body] = with_image(decoded);
    http::client_request req{"POST", target, {}, body};
    auto r = fetch(*http, local(sim->port()), std::move(req));
    REQUIRE(r.ok());
    CHECK(r.status == (body.size() > opts.max_body_bytes ? 413 : 200));
  }
}
