#include "routing_fixture.hpp"
#include "switchyard/engine/success_predictor.hpp"

#include <array>
#include <cctype>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using namespace switchyard::engine;

namespace {

constexpr std::array filler{"the",       "a",      "of",        "value",
                            "find",      "which",  "given",     "what",
                            "is",        "answer", "most",      "likely",
                            "following", "choose", "statement", "true",
                            "about",     "number"};

/// A prompt of filler words plus, for "math" prompts, the word "integral";
/// for the others, "poem". Seeded: the same seed gives the same prompts.
std::string make_prompt(std::mt19937& rng, bool math) {
  std::uniform_int_distribution<std::size_t> pick(0, filler.size() - 1);
  std::uniform_int_distribution<int> len(4, 12);
  std::string text;
  auto n = len(rng);
  auto at = std::uniform_int_distribution<int>(0, n)(rng);
  for (int i = 0; i <= n; ++i) {
    if (i == at)
      text += math ? "Integral " : "poem ";
    text += filler[pick(rng)];
    text += ' ';
  }
  return text;
}

struct planted_data {
  std::vector<std::string> prompts;
  std::vector<bool> math;
};

planted_data make_data(std::uint32_t seed, std::size_t n) {
  std::mt19937 rng{seed};
  std::bernoulli_distribution coin(0.5);
  planted_data d;
  for (std::size_t i = 0; i < n; ++i) {
    bool math = coin(rng);
    d.prompts.push_back(make_prompt(rng, math));
    d.math.push_back(math);
  }
  return d;
}

classification general_simple() {
  return classification{};
}

/// Model 0 solves math prompts only, model 1 everything else.
success_predictor train_planted(std::uint32_t seed, std::size_t n) {
  success_predictor p{{"mathematician", "poet"}};
  auto data = make_data(seed, n);
  std::vector<sparse_feature> f;
  for (std::size_t i = 0; i < data.prompts.size(); ++i) {
    p.featurize(data.prompts[i], general_simple(), f);
    p.update(0, f, data.math[i] ? 1.0 : 0.0);
    p.update(1, f, data.math[i] ? 0.0 : 1.0);
  }
  return p;
}

} // namespace

TEST_CASE("features are unique, case-blind and reuse the buffer",
          "[success_predictor]") {
  success_predictor p{{"m"}};
  std::vector<sparse_feature> a;
  std::vector<sparse_feature> b;
  p.featurize("Solve the Integral, the integral!", general_simple(), a);
  p.featurize("solve THE integral the INTEGRAL", general_simple(), b);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    CHECK(a[i].index == b[i].index);
  for (std::size_t i = 1; i < a.size(); ++i)
    CHECK(a[i - 1].index < a[i].index);
  // A word inside another word is another feature.
  p.featurize("integrals", general_simple(), b);
  p.featurize("integral", general_simple(), a);
  CHECK(a != b);
  // Task type and complexity are features too.
  classification typed;
  typed.type = task_type::reasoning;
  p.featurize("integral", typed, b);
  CHECK(a != b);
  // Once grown, the buffer is reused: no allocation per call.
  p.featurize("a fairly long prompt with quite a few words in it", typed, a);
  auto capacity = a.capacity();
  auto data = a.data();
  for (int i = 0; i < 100; ++i)
    p.featurize("a short prompt", typed, a);
  CHECK(a.capacity() == capacity);
  CHECK(a.data() == data);
}

TEST_CASE("a long prompt's features are sorted and unique at any hash width",
          "[success_predictor]") {
  // Long enough for the radix sort (more than 64 features), with repeats.
  std::string text;
  for (int i = 0; i < 300; ++i)
    text += "word" + std::to_string(i % 137) + " pair" + std::to_string(i % 11)
            + " ";
  for (std::uint32_t bits : {8u, 12u, 16u, 20u, 24u}) {
    success_predictor_params params;
    params.hash_bits = bits;
    success_predictor p{{"m"}, params};
    std::vector<sparse_feature> f;
    p.featurize(text, general_simple(), f);
    REQUIRE(f.size() > 64);
    for (std::size_t i = 1; i < f.size(); ++i)
      CHECK(f[i - 1].index < f[i].index);
    CHECK(f.back().index < (1u << bits));
    // The same words in capitals give the same features.
    std::string upper = text;
    for (auto& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::vector<sparse_feature> g;
    p.featurize(upper, general_simple(), g);
    CHECK(f == g);
    // Every word's feature is there: more distinct words, more features.
    std::vector<sparse_feature> shorter;
    p.featurize(text.substr(0, text.size() / 4), general_simple(), shorter);
    CHECK(shorter.size() < f.size());
  }
}

TEST_CASE("a prompt's features are the same buckets in every version",
          "[success_predictor]") {
  // A stored predictor's weights are indexed by these buckets: a change to
  // the hashing or the word split would silently scramble what it learned.
  // The expected values come from an independent reimplementation (FNV-1a
  // over lower-cased ASCII words, splitmix64 into the top bits), written
  // from the featurizer as it was when predictors were first stored.
  auto checksum = [](const std::vector<sparse_feature>& f) {
    std::uint64_t s = 0;
    for (const auto& x : f)
      s = (s * 1000003u + x.index) % (std::uint64_t{1} << 61);
    return s;
  };
  auto indices = [](const std::vector<sparse_feature>& f, std::size_t n) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < n && i < f.size(); ++i)
      out.push_back(f[i].index);
    return out;
  };
  std::string text;
  for (int i = 0; i < 60; ++i)
    text += "Word" + std::to_string(i % 37)
            + " na\xc3\xaf" "ve-\xc3\x9c" "n\xc3\xaf" "code " // naïve-Ünïcode
            + std::to_string(i % 5) + " ";
  struct expected {
    std::uint32_t bits;
    std::size_t size;
    std::vector<std::uint32_t> first;
    std::uint64_t checksum;
  };
  // 16 bits: the bitmap path; 24 bits: the radix sort.
  for (const auto& e :
       {expected{16, 151, {200, 943, 1082, 1376}, 241097128000515981ull},
        expected{24, 151, {51335, 241652, 277151, 352511},
                 1197010976719159949ull}}) {
    success_predictor_params params;
    params.hash_bits = e.bits;
    success_predictor p{{"m"}, params};
    std::vector<sparse_feature> f;
    p.featurize(text, general_simple(), f);
    INFO("hash bits " << e.bits);
    CHECK(f.size() == e.size);
    CHECK(indices(f, 4) == e.first);
    CHECK(checksum(f) == e.checksum);
  }
  // A short prompt (the plain sort).
  success_predictor_params params;
  params.hash_bits = 16;
  success_predictor p{{"m"}, params};
  std::vector<sparse_feature> f;
  p.featurize("Solve the Integral, the integral!", general_simple(), f);
  CHECK(indices(f, 20)
        == std::vector<std::uint32_t>{1732, 20069, 24269, 27152, 29115, 29121,
                                      38148, 51711, 56772, 57888, 59610});
}

TEST_CASE("shape features add the prompt's form and only when asked",
          "[success_predictor]") {
  success_predictor_params on;
  on.hash_bits = 16;
  on.shape_features = true;
  success_predictor_params off = on;
  off.shape_features = false;
  success_predictor with{{"m"}, on};
  success_predictor without{{"m"}, off};
  std::vector<sparse_feature> a;
  std::vector<sparse_feature> b;
  // The same words: only the symbols and the question mark tell these
  // apart.
  std::string plain = "solve x 2 12 y for y";
  std::string formula = "Solve: x^2 + 12 = y? (for y)";
  without.featurize(plain, general_simple(), a);
  without.featurize(formula, general_simple(), b);
  CHECK(a == b);
  with.featurize(plain, general_simple(), a);
  with.featurize(formula, general_simple(), b);
  CHECK(a != b);
  // Digit bucket, question marks, lines, bytes, 5 symbols (^ + = ( )), first
  // and last word: 11 more buckets than the words alone (barring a
  // collision).
  std::vector<sparse_feature> words_only;
  without.featurize(formula, general_simple(), words_only);
  CHECK(b.size() == words_only.size() + 11);
  // A view featurizes as its predictor does.
  success_predictor_view view;
  with.refresh_view(view);
  std::vector<sparse_feature> c;
  view.featurize(formula, general_simple(), c);
  CHECK(c == b);
  // The weights of one setting are refused by the other.
  with.update(0, b, 1.0);
  std::string bytes;
  with.save(bytes);
  CHECK(static_cast<std::uint8_t>(bytes[4])
        == success_predictor::shape_format_version);
  CHECK(without.load(bytes) == predictor_load_error::unsupported_version);
  success_predictor again{{"m"}, on};
  CHECK(again.load(bytes) == predictor_load_error::none);
  CHECK(again.predict(0, b) == with.predict(0, b));
}

TEST_CASE("the predictor learns a planted rule", "[success_predictor]") {
  auto p = train_planted(7, 2000);
  auto test = make_data(8, 500);
  std::vector<sparse_feature> f;
  int right = 0;
  for (std::size_t i = 0; i < test.prompts.size(); ++i) {
    p.featurize(test.prompts[i], general_simple(), f);
    auto math = p.predict(0, f);
    auto poet = p.predict(1, f);
    if (test.math[i]) {
      CHECK(math > 0.7);
      CHECK(poet < 0.3);
    } else {
      CHECK(math < 0.3);
      CHECK(poet > 0.7);
    }
    right += (math > poet) == test.math[i];
  }
  CHECK(right == 500);
  CHECK(p.updates(0) == 2000);
  CHECK(p.confidence(0) == Approx(2000.0 / 2050.0));
  CHECK(p.confidence(1) == Approx(2000.0 / 2050.0));
}

TEST_CASE("predictions approach a noisy success rate", "[success_predictor]") {
  // Model 0 succeeds 90% of the time on math prompts and 20% on the others.
  success_predictor p{{"noisy"}};
  auto data = make_data(11, 6000);
  std::mt19937 rng{12};
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<sparse_feature> f;
  for (std::size_t i = 0; i < data.prompts.size(); ++i) {
    p.featurize(data.prompts[i], general_simple(), f);
    auto rate = data.math[i] ? 0.9 : 0.2;
    p.update(0, f, u(rng) < rate ? 1.0 : 0.0);
  }
  auto test = make_data(13, 400);
  double math_sum = 0;
  double other_sum = 0;
  int math_n = 0;
  for (std::size_t i = 0; i < test.prompts.size(); ++i) {
    p.featurize(test.prompts[i], general_simple(), f);
    (test.math[i] ? math_sum : other_sum) += p.predict(0, f);
    math_n += test.math[i];
  }
  CHECK(math_sum / math_n == Approx(0.9).margin(0.08));
  CHECK(other_sum / (400 - math_n) == Approx(0.2).margin(0.08));
}

TEST_CASE("an untrained model predicts one half with no weight",
          "[success_predictor]") {
  success_predictor p{{"a", "b"}};
  std::vector<sparse_feature> f;
  p.featurize("anything", general_simple(), f);
  CHECK(p.predict(0, f) == 0.5);
  CHECK(p.predict(7, f) == 0.5);
  CHECK(p.confidence(0) == 0.0);
  std::vector<success_estimate> e;
  p.estimate(f, e);
  REQUIRE(e.size() == 2);
  CHECK(e[1].probability == 0.5);
  CHECK(e[1].weight == 0.0);
  // Out of range and non-finite updates are ignored.
  p.update(7, f, 1.0);
  p.update(0, f, std::nan(""));
  CHECK(p.updates(0) == 0);
}

TEST_CASE("the same updates give the same bytes", "[success_predictor]") {
  auto a = train_planted(21, 500);
  auto b = train_planted(21, 500);
  auto c = train_planted(22, 500);
  std::string sa;
  std::string sb;
  std::string sc;
  a.save(sa);
  b.save(sb);
  c.save(sc);
  CHECK(sa == sb);
  CHECK(sa != sc);
}

TEST_CASE("save and load round-trip by model id", "[success_predictor]") {
  auto p = train_planted(31, 800);
  std::string bytes;
  p.save(bytes);
  CHECK(bytes.substr(0, 4) == "SYSP");
  CHECK(static_cast<std::uint8_t>(bytes[4])
        == success_predictor::format_version);

  // Another registry order, one model more and one fewer.
  success_predictor q{{"newcomer", "poet"}};
  REQUIRE(q.load(bytes) == predictor_load_error::none);
  success_predictor same{{"mathematician", "poet"}};
  REQUIRE(same.load(bytes) == predictor_load_error::none);
  std::string again;
  same.save(again);
  CHECK(again == bytes);

  auto test = make_data(32, 50);
  std::vector<sparse_feature> f;
  for (const auto& prompt : test.prompts) {
    p.featurize(prompt, general_simple(), f);
    CHECK(same.predict(0, f) == p.predict(0, f));
    CHECK(same.predict(1, f) == p.predict(1, f));
    CHECK(q.predict(1, f) == p.predict(1, f));
    CHECK(q.predict(0, f) == 0.5);
  }
  CHECK(q.updates(1) == 800);
  CHECK(q.updates(0) == 0);

  // Learning goes on from the loaded state exactly as from the original.
  p.featurize(test.prompts[0], general_simple(), f);
  p.update(1, f, 0.0);
  same.update(1, f, 0.0);
  std::string x;
  std::string y;
  p.save(x);
  same.save(y);
  CHECK(x == y);
}

TEST_CASE("load refuses bad bytes and keeps its state", "[success_predictor]") {
  auto p = train_planted(41, 300);
  std::string bytes;
  p.save(bytes);
  auto q = train_planted(42, 300);
  std::string before;
  q.save(before);
  using err = predictor_load_error;
  CHECK(q.load("") == err::truncated);
  CHECK(q.load("NOPE\x01\x12") == err::bad_magic);
  auto wrong_version = bytes;
  wrong_version[4] = 9;
  CHECK(q.load(wrong_version) == err::unsupported_version);
  success_predictor_params twelve_bits;
  twelve_bits.hash_bits = 12;
  success_predictor small{{"mathematician", "poet"}, twelve_bits};
  CHECK(small.load(bytes) == err::hash_bits_mismatch);
  for (auto cut : {5u, 6u, 9u, 20u, 100u})
    CHECK(q.load(std::string_view{bytes}.substr(0, cut)) == err::truncated);
  CHECK(q.load(bytes.substr(0, bytes.size() - 3)) == err::truncated);
  CHECK(q.load(bytes + "x") == err::bad_value);
  std::string after;
  q.save(after);
  CHECK(after == before);
}

TEST_CASE("a prediction feeds the quality factor", "[success_predictor]") {
  switchyard::test::routing_fixture fx;
  // Without the hook, predicted quality is the prior (no learning yet).
  auto plain = fx.route("Summarize the meeting notes in a paragraph");
  REQUIRE(plain.has_model());
  auto first = plain.model;
  // The same task with a prediction that the chosen model fails on it, and
  // that every other model succeeds.
  std::vector<success_estimate> predicted(fx.reg.models.size(),
                                          success_estimate{0.99, 1.0});
  predicted[first] = {0.05, 1.0};
  fx.state.predicted_success = predicted;
  auto other = fx.route("Summarize the meeting notes in a paragraph");
  REQUIRE(other.has_model());
  CHECK(other.model != first);
  CHECK(other.cls.type == plain.cls.type);
  // A filtered candidate keeps the blended quality as evidence.
  bool found = false;
  for (const auto& f : other.filtered_out)
    if (f.model == first && f.reason == filter_reason::below_quality) {
      found = true;
      CHECK(f.value == Approx(0.05));
    }
  CHECK(found);
  // Half the weight: halfway between the prior and the prediction.
  CHECK(predicted_quality(0.8, nullptr, nullptr) == 0.8);
  success_estimate half{0.2, 0.5};
  CHECK(predicted_quality(0.8, nullptr, &half) == Approx(0.5));
  model_performance learned{0.6, 0, 0.5, 100, 1.0};
  CHECK(predicted_quality(0.8, &learned, &half) == Approx(0.4));
}

TEST_CASE("a view estimates what the predictor did at its last refresh",
          "[success_predictor]") {
  success_predictor_params small;
  small.hash_bits = 12;
  success_predictor p{{"mathematician", "poet", "idle"}, small};
  success_predictor_view view;
  CHECK(p.refresh_view(view));
  CHECK(view.untrained());
  auto data = make_data(11, 400);
  std::vector<sparse_feature> f;
  for (std::size_t i = 0; i < data.prompts.size(); ++i) {
    p.featurize(data.prompts[i], general_simple(), f);
    p.update(0, f, data.math[i] ? 1.0 : 0.0);
  }
  CHECK(p.refresh_view(view));
  CHECK_FALSE(view.untrained());
  CHECK_FALSE(p.refresh_view(view)); // nothing new
  std::vector<sparse_feature> fv;
  std::vector<success_estimate> from_predictor;
  std::vector<success_estimate> from_view;
  for (const auto& prompt : {"Integral of the value", "a poem about a number"}) {
    p.featurize(prompt, general_simple(), f);
    view.featurize(prompt, general_simple(), fv);
    CHECK(f == fv);
    p.estimate(f, from_predictor);
    view.estimate(fv, from_view);
    REQUIRE(from_view.size() == 3);
    for (std::size_t m = 0; m < 3; ++m) {
      CHECK(from_view[m].probability == from_predictor[m].probability);
      CHECK(from_view[m].weight == from_predictor[m].weight);
    }
  }
  // Learning goes on in the predictor; the view keeps the old answer until
  // it is refreshed.
  p.featurize("Integral of the value", general_simple(), f);
  view.estimate(f, from_view);
  auto before = from_view[1].probability;
  for (int i = 0; i < 50; ++i)
    p.update(1, f, 1.0);
  view.estimate(f, from_view);
  CHECK(from_view[1].probability == before);
  CHECK(p.refresh_view(view));
  view.estimate(f, from_view);
  p.estimate(f, from_predictor);
  CHECK(from_view[1].probability == from_predictor[1].probability);
  CHECK(from_view[1].probability > before);
  // A load replaces everything: the view follows.
  std::string bytes;
  success_predictor{{"mathematician", "poet", "idle"}, small}.save(bytes);
  REQUIRE(p.load(bytes) == predictor_load_error::none);
  CHECK(p.refresh_view(view));
  CHECK(view.untrained());
}
