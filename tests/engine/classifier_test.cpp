#include "switchyard/engine/classifier.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::engine;

namespace {

classification classify(std::string_view text) {
  static const keyword_classifier c;
  return c.classify({text, {}, {}, {}, false, 0});
}

} // namespace

TEST_CASE("the named examples", "[classifier]") {
  auto fib = classify("Write a fibonacci function");
  CHECK(fib.tier == complexity_tier::moderate);
  CHECK(fib.type == task_type::code_generation);
  auto audit = classify("Audit production deployment for security vulnerabilities");
  CHECK(audit.tier == complexity_tier::critical);
  CHECK(audit.score >= 9);
  CHECK(audit.type == task_type::security_audit);
  auto hello = classify("say hello");
  CHECK(hello.tier == complexity_tier::simple);
  CHECK(hello.score == 1);
  CHECK(hello.type == task_type::general);
}

TEST_CASE("keywords match whole words only", "[classifier]") {
  // "hi" is inside "this" and "within", "test" inside "testament", "pr"
  // inside "print", "audit" inside "auditorium", "plan" inside "planet".
  auto c = classify("this within testament print auditorium planet");
  CHECK(c.matched_count == 0);
  CHECK(c.type == task_type::general);
  CHECK(c.score == 2);
  CHECK(classify("Hi!").matched_count > 0);
  CHECK(classify("run the TEST suite").type == task_type::testing);
}

TEST_CASE("phrases match as consecutive words", "[classifier]") {
  auto c = classify("What is a monad?");
  CHECK(c.tier == complexity_tier::simple);
  REQUIRE(c.matched_count >= 1);
  // "what" and "is" apart do not make the phrase.
  auto apart = classify("what, if anything, is a monad");
  CHECK(apart.matched_count == 0);
  CHECK(classify("open a pull request").type == task_type::code_review);
  CHECK(classify("pull the request").type != task_type::code_review);
}

TEST_CASE("the task types", "[classifier]") {
  struct example {
    const char* text;
    task_type type;
  };
  auto examples = {
    example{"Review this pull request diff", task_type::code_review},
    example{"Write unit tests for the parser", task_type::testing},
    example{"Refactor the billing module", task_type::refactoring},
    example{"Prove that sqrt(2) is irrational", task_type::reasoning},
    example{"Plan the migration roadmap with milestones", task_type::planning},
    example{"Analyze these sales trends", task_type::analysis},
    example{"Check for SQL injection and XSS", task_type::security_audit},
    example{"Update the README documentation", task_type::documentation},
    example{"Call the weather API tool and report", task_type::tool_use},
    example{"Describe this image", task_type::multimodal},
    example{"Summarize the entire codebase", task_type::long_context},
    example{"Implement a binary search function in Python",
            task_type::code_generation},
    example{"good morning", task_type::general},
  };
  for (const auto& e : examples) {
    INFO(e.text);
    CHECK(classify(e.text).type == e.type);
  }
}

TEST_CASE("caller-given values win", "[classifier]") {
  keyword_classifier c;
  auto x = c.classify({"say hello", task_type::reasoning,
                       complexity_tier::critical, {}, false, 0});
  CHECK(x.type == task_type::reasoning);
  CHECK(x.tier == complexity_tier::critical);
  CHECK(x.score >= 9);
  CHECK(x.type_given);
  CHECK(x.tier_given);
  auto y = c.classify({"say hello", {}, {}, 6, false, 0});
  CHECK(y.score == 6);
  CHECK(y.tier == complexity_tier::moderate);
  auto z = c.classify({"anything", {}, {}, {}, true, 0});
  CHECK(z.type == task_type::multimodal);
  auto big = c.classify({"summarize", {}, {}, {}, false, 200'000});
  CHECK(big.type == task_type::long_context);
}

TEST_CASE("long texts score higher and are scanned on a bounded prefix",
          "[classifier]") {
  std::string text = "Write a function. ";
  for (int i = 0; i < 200; ++i)
    text += "More detail about the requirements goes here. ";
  auto c = classify(text);
  CHECK(c.score > classify("Write a function.").score);
  CHECK(c.word_count > 1000);
}
