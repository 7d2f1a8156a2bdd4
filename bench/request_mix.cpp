#include "request_mix.hpp"

#include "switchyard/engine/json_writer.hpp"

namespace switchyard::bench {

namespace {

std::string json_string(std::string_view s) {
  std::string out;
  engine::json_writer w{out};
  w.value(s);
  return out;
}

std::string chat_body(std::string_view system, std::string_view user,
                      int max_tokens, bool stream) {
  std::string b = R"({"model":"auto","messages":[)";
  if (!system.empty())
    b += R"({"role":"system","content":)" + json_string(system) + "},";
  b += R"({"role":"user","content":)" + json_string(user) + "}]";
  b += ",\"max_tokens\":" + std::to_string(max_tokens);
  if (stream)
    b += ",\"stream\":true";
  b += "}";
  return b;
}

std::string code_snippet(int functions) {
  std::string s;
  for (int i = 0; i < functions; ++i)
    s += "def handler_" + std::to_string(i)
         + "(request, db):\n    user = db.query(\"SELECT * FROM users WHERE "
           "id = \" + request.args['id'])\n    if not user:\n        return "
           "None\n    return {'name': user.name, 'email': user.email}\n\n";
  return s;
}

} // namespace

std::string http_request(std::uint16_t port, const std::string& body,
                         const std::string& key) {
  std::string r = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:"
                  + std::to_string(port)
                  + "\r\nContent-Type: application/json\r\n"
                  // One call per request, as the upstream target makes: the
                  // gateway's own cost, not a plan's (bench runtime --plan
                  // times plans). Upstreams ignore the header.
                    "X-Switchyard-Plan: single\r\n";
  if (!key.empty())
    r += "Authorization: Bearer " + key + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

std::string for_upstream(std::string body, const std::string& model) {
  for (std::string_view pattern : {R"("model":"auto")", R"("model": "auto")"})
    if (auto at = body.find(pattern); at != std::string::npos) {
      body.replace(at, pattern.size(), R"("model":)" + json_string(model));
      break;
    }
  return body;
}

std::vector<std::string> builtin_request_mix(bool stream) {
  // Task types and lengths as an agent fleet sends them: short chat, code
  // generation, review of a pasted file, tests, refactoring, reasoning,
  // planning, analysis, a security audit, documentation, tool use and a
  // long-context summary. Output caps as such clients set them.
  std::vector<std::string> mix{
    chat_body({}, "Hi! What can you help me with today?", 128, stream),
    chat_body("You are a senior Python engineer.",
              "Write a fibonacci function with memoization and type hints.",
              512, stream),
    chat_body({}, "Review this code for bugs and style problems:\n\n"
                    + code_snippet(6),
              1024, stream),
    chat_body({}, "Write pytest unit tests for this module:\n\n"
                    + code_snippet(3),
              1024, stream),
    chat_body({}, "Refactor this into a class with dependency injection:\n\n"
                    + code_snippet(4),
              1024, stream),
    chat_body({}, "A train leaves at 3pm at 60 km/h and another at 4pm at 90 "
                  "km/h on the same track. When does the second catch up? "
                  "Reason step by step.",
              512, stream),
    chat_body({}, "Plan the migration of our monolith's billing module to a "
                  "separate service: milestones, risks and rollback.",
              1024, stream),
    chat_body({}, "Analyze these quarterly numbers and explain the trend: "
                  "Q1 120k, Q2 135k, Q3 128k, Q4 171k revenue; churn 4.1%, "
                  "3.8%, 5.2%, 3.1%.",
              512, stream),
    chat_body("You are a security auditor.",
              "Audit this handler for security vulnerabilities, with "
              "severity and fixes:\n\n"
                + code_snippet(5),
              1024, stream),
    chat_body({}, "Write the README section documenting the configuration "
                  "options of a rate limiter: burst, refill rate, per-key "
                  "overrides.",
              768, stream),
    chat_body({}, "Call the weather tool for Berlin and Paris, then tell me "
                  "which is warmer.",
              256, stream),
    chat_body({}, "Summarize the following log excerpt and list the "
                  "distinct errors:\n\n"
                    + [] {
                        std::string s;
                        for (int i = 0; i < 60; ++i)
                          s += "2025-01-0" + std::to_string(1 + i % 9)
                               + "T12:00:" + std::to_string(10 + i % 50)
                               + "Z worker-" + std::to_string(i % 7)
                               + " ERROR connection reset by peer while "
                                 "reading upstream response (retry "
                               + std::to_string(i % 3) + ")\n";
                        return s;
                      }(),
              512, stream),
  };
  return mix;
}

} // namespace switchyard::bench
