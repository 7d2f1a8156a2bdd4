#include "switchyard/engine/classifier.hpp"

#include <algorithm>
#include <cstring>

namespace switchyard::engine {

namespace {

using signal = keyword_rule::signal;

/// Longest word we compare; longer words cannot match any rule.
constexpr std::size_t max_word_len = 48;

struct word_span {
  std::uint32_t begin;
  std::uint8_t len;
  char lower[max_word_len];
};

bool is_word_char(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c >= 0x80;
}

char to_lower_ascii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view view(const word_span& w) noexcept {
  return {w.lower, w.len};
}

/// FNV-1a, 64 bits.
std::uint64_t word_hash(std::string_view w) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : w) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

/// Walks the words of `text`, lower-cased, without allocating.
template <class F>
std::uint32_t for_each_word(std::string_view text, std::size_t max_words,
                            F&& f) {
  std::uint32_t count = 0;
  std::size_t i = 0;
  word_span w{};
  while (i < text.size()) {
    while (i < text.size() && !is_word_char(static_cast<unsigned char>(text[i])))
      ++i;
    if (i >= text.size())
      break;
    auto begin = i;
    while (i < text.size() && is_word_char(static_cast<unsigned char>(text[i])))
      ++i;
    ++count;
    if (count > max_words)
      continue; // keep counting words for the length signal
    auto len = i - begin;
    if (len > max_word_len) {
      w.len = 0; // too long to match anything, but still a word
    } else {
      w.len = static_cast<std::uint8_t>(len);
      for (std::size_t k = 0; k < len; ++k)
        w.lower[k] = to_lower_ascii(text[begin + k]);
    }
    w.begin = static_cast<std::uint32_t>(begin);
    f(w);
  }
  return count;
}

std::vector<std::string> split_words(std::string_view phrase) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < phrase.size()) {
    while (i < phrase.size() && phrase[i] == ' ')
      ++i;
    auto begin = i;
    while (i < phrase.size() && phrase[i] != ' ')
      ++i;
    if (i > begin)
      out.emplace_back(phrase.substr(begin, i - begin));
  }
  return out;
}

/// Tie-break order for task types with equal keyword weight: the more
/// specific type first.
constexpr std::array<task_type, task_type_count> task_priority{
  task_type::security_audit, task_type::multimodal,  task_type::long_context,
  task_type::testing,        task_type::code_review, task_type::refactoring,
  task_type::documentation,  task_type::tool_use,    task_type::code_generation,
  task_type::reasoning,      task_type::planning,    task_type::analysis,
  task_type::general,
};

} // namespace

// -- the default rule table ------------------------------------------------------

std::vector<keyword_rule> keyword_classifier::default_rules() {
  std::vector<keyword_rule> r;
  auto task = [&](task_type t, std::uint8_t weight,
                  std::initializer_list<const char*> phrases) {
    for (auto p : phrases)
      r.push_back({p, signal::task, t, weight});
  };
  auto tier = [&](signal s, std::initializer_list<const char*> phrases) {
    for (auto p : phrases)
      r.push_back({p, s, task_type::general, 1});
  };
  using tt = task_type;
  task(tt::code_generation, 2,
       {"function", "fibonacci", "script", "program", "class", "algorithm",
        "snippet", "endpoint", "regex", "implement", "implementation", "code",
        "sql query", "cli", "parser"});
  task(tt::code_generation, 1,
       {"write", "create", "build", "generate", "python", "javascript",
        "typescript", "rust", "golang", "java", "cpp", "bash"});
  task(tt::code_review, 3,
       {"code review", "review this", "review my", "pull request", "diff",
        "review the"});
  task(tt::code_review, 2, {"review", "critique", "pr"});
  task(tt::testing, 3,
       {"unit test", "unit tests", "test case", "test cases", "test suite",
        "integration test", "integration tests", "pytest", "jest", "catch2",
        "gtest", "coverage"});
  task(tt::testing, 2, {"test", "tests", "testing"});
  task(tt::refactoring, 3,
       {"refactor", "refactoring", "clean up", "restructure", "extract method",
        "deduplicate", "modernize", "simplify this"});
  task(tt::reasoning, 2,
       {"prove", "proof", "puzzle", "deduce", "riddle", "probability",
        "theorem", "logic", "how many", "calculate", "solve", "why does",
        "step by step", "math", "equation"});
  task(tt::reasoning, 1, {"why", "reason", "reasoning"});
  task(tt::planning, 2,
       {"plan", "roadmap", "milestones", "schedule", "break down", "outline",
        "project plan", "migration plan", "strategy", "design",
        "architecture"});
  task(tt::planning, 1, {"steps", "phases"});
  task(tt::analysis, 2,
       {"analyze", "analyse", "analysis", "compare", "evaluate", "assess",
        "trends", "insights", "investigate", "root cause", "metrics"});
  task(tt::analysis, 1, {"data", "report"});
  task(tt::security_audit, 3,
       {"security", "vulnerability", "vulnerabilities", "vulnerable",
        "exploit", "cve", "owasp", "sql injection", "xss", "csrf",
        "penetration test", "threat model", "attack surface", "pentest"});
  task(tt::security_audit, 2, {"audit", "secure", "injection", "malware"});
  task(tt::documentation, 3,
       {"documentation", "docs", "readme", "docstring", "docstrings",
        "api reference", "changelog", "user guide", "write up"});
  task(tt::documentation, 2, {"document", "comments", "tutorial", "guide"});
  task(tt::tool_use, 3,
       {"call the", "use the tool", "function call", "tool call",
        "search the web", "query the database", "run the command",
        "invoke the", "api call"});
  task(tt::tool_use, 2, {"tool", "tools", "browse", "fetch"});
  task(tt::multimodal, 3,
       {"image", "images", "picture", "photo", "screenshot", "diagram",
        "chart", "video", "audio", "ocr", "this figure"});
  task(tt::long_context, 3,
       {"entire codebase", "whole repository", "whole codebase",
        "long document", "entire document", "transcript", "all files",
        "this book", "these documents"});
  task(tt::long_context, 2, {"book", "summarize this document"});
  task(tt::general, 2,
       {"hello", "hi", "hey", "thanks", "thank you", "joke", "chat",
        "good morning"});

  tier(signal::simple,
       {"hello", "hi", "hey", "thanks", "thank you", "what is", "what's",
        "who is", "define", "translate", "quick", "briefly", "one sentence",
        "say", "capital of", "spell", "joke", "good morning"});
  tier(signal::moderate,
       {"write", "implement", "function", "explain", "fix", "create", "convert",
        "test", "tests", "review", "document", "summarize", "refactor",
        "debug", "script", "class", "compare", "analyze", "plan"});
  tier(signal::complex,
       {"architecture", "design a system", "system design", "distributed",
        "scalable", "scalability", "optimize", "optimise", "concurrency",
        "concurrent", "multi-step", "end-to-end", "migrate", "migration",
        "microservices", "trade-offs", "tradeoffs", "comprehensive",
        "entire codebase", "deployment", "performance", "race condition",
        "prove", "theorem", "kubernetes"});
  tier(signal::critical,
       {"production", "security", "vulnerability", "vulnerabilities",
        "audit", "compliance", "financial", "medical", "legal",
        "mission-critical", "mission critical", "safety-critical", "breach",
        "incident", "outage", "hipaa", "gdpr", "pci", "sox", "exploit",
        "penetration test", "critical", "sql injection", "injection", "xss",
        "csrf", "cve"});
  return r;
}

// -- construction ----------------------------------------------------------------

keyword_classifier::keyword_classifier()
  : keyword_classifier(default_rules()) {
}

keyword_classifier::keyword_classifier(std::vector<keyword_rule> rules)
  : rules_(std::move(rules)) {
  phrase_words_.reserve(rules_.size());
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    auto words = split_words(rules_[i].phrase);
    // Lower-case the table once; text is lower-cased while scanning.
    for (auto& w : words)
      for (auto& c : w)
        c = to_lower_ascii(c);
    entry e;
    e.rule = static_cast<std::uint16_t>(i);
    e.words = static_cast<std::uint8_t>(words.size());
    if (!words.empty()) {
      e.first = words.front();
      if (words.size() == 1 && e.first.size() > 1 && e.first.back() == '*') {
        e.first.pop_back();
        words.front().pop_back();
        e.stem = true;
      }
    }
    // Phrases like "c++" or "what's" are split by the scanner the same way it
    // splits text, so rules and text agree on word boundaries.
    std::vector<std::string> scanned;
    for_each_word(rules_[i].phrase, max_scanned_words, [&](const word_span& w) {
      scanned.emplace_back(view(w));
    });
    if (!e.stem && !scanned.empty()) {
      e.first = scanned.front();
      e.words = static_cast<std::uint8_t>(scanned.size());
      words = std::move(scanned);
    }
    if (e.stem)
      stems_.push_back(std::move(e));
    else if (!e.first.empty())
      entries_.push_back(std::move(e));
    phrase_words_.push_back(std::move(words));
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const entry& a, const entry& b) { return a.first < b.first; });
  // The word index: a power of two at least twice the distinct words.
  std::size_t slots = 16;
  while (slots < 2 * entries_.size())
    slots *= 2;
  word_index_.assign(slots, word_slot{});
  for (std::size_t lo = 0; lo < entries_.size();) {
    auto hi = lo;
    while (hi < entries_.size() && entries_[hi].first == entries_[lo].first)
      ++hi;
    auto h = word_hash(entries_[lo].first);
    auto i = static_cast<std::size_t>(h) & (slots - 1);
    while (word_index_[i].hi != 0) {
      if (word_index_[i].hash == h)
        word_index_usable_ = false; // two words, one hash
      i = (i + 1) & (slots - 1);
    }
    word_index_[i] = {h, static_cast<std::uint32_t>(lo),
                      static_cast<std::uint32_t>(hi)};
    lo = hi;
  }
}

// -- classification --------------------------------------------------------------

classification keyword_classifier::classify(const classify_input& in) const {
  classification out;
  std::array<int, task_type_count> type_weight{};
  int simple_hits = 0;
  int moderate_hits = 0;
  int complex_hits = 0;
  int critical_hits = 0;

  // Phrases in progress: a rule and how many of its words matched so far.
  struct pending_phrase {
    std::uint16_t rule;
    std::uint8_t matched;
  };
  constexpr std::size_t max_pending = 32;
  std::array<pending_phrase, max_pending> pending{};
  std::size_t pending_count = 0;

  auto on_rule = [&](std::uint16_t rule_index) {
    const auto& rule = rules_[rule_index];
    switch (rule.kind) {
      case signal::task:
        type_weight[static_cast<std::size_t>(rule.type)] += rule.weight;
        break;
      case signal::simple: ++simple_hits; break;
      case signal::moderate: ++moderate_hits; break;
      case signal::complex: ++complex_hits; break;
      case signal::critical: ++critical_hits; break;
    }
    if (out.matched_count < classification::max_evidence)
      out.matched[out.matched_count++] = rule_index;
  };
  auto on_word = [&](const word_span& w) {
    auto word = view(w);
    // Advance the phrases in progress; drop those the word breaks.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < pending_count; ++i) {
      auto p = pending[i];
      const auto& words = phrase_words_[p.rule];
      if (w.len == 0 || words[p.matched] != word)
        continue;
      if (++p.matched == words.size())
        on_rule(p.rule);
      else
        pending[kept++] = p;
    }
    pending_count = kept;
    if (w.len == 0)
      return;
    // Rules whose first word is this word.
    auto lo = entries_.end();
    if (word_index_usable_) {
      auto h = word_hash(word);
      auto mask = word_index_.size() - 1;
      for (auto i = static_cast<std::size_t>(h) & mask;
           word_index_[i].hi != 0; i = (i + 1) & mask)
        if (word_index_[i].hash == h) {
          lo = entries_.begin() + word_index_[i].lo;
          break;
        }
    } else {
      lo = std::lower_bound(entries_.begin(), entries_.end(), word,
                            [](const entry& e, std::string_view v) {
                              return std::string_view{e.first} < v;
                            });
    }
    for (auto it = lo; it != entries_.end() && it->first == word; ++it) {
      if (it->words == 1)
        on_rule(it->rule);
      else if (pending_count < max_pending)
        pending[pending_count++] = {it->rule, 1};
    }
    for (const auto& e : stems_)
      if (word.starts_with(e.first))
        on_rule(e.rule);
  };
  auto word_count = for_each_word(in.text, max_scanned_words, on_word);
  out.word_count = word_count;

  // -- task type --
  if (in.type) {
    out.type = *in.type;
    out.type_given = true;
  } else if (in.needs_vision) {
    out.type = task_type::multimodal;
  } else if (in.input_tokens > 100'000) {
    out.type = task_type::long_context;
  } else {
    int best = 0;
    out.type = task_type::general;
    for (auto t : task_priority) {
      auto w = type_weight[static_cast<std::size_t>(t)];
      if (w > best) {
        best = w;
        out.type = t;
      }
    }
  }

  // -- complexity --
  int score;
  if (critical_hits > 0)
    score = 9 + std::min(critical_hits - 1, 1);
  else if (complex_hits > 0)
    score = 7 + std::min(complex_hits - 1, 1);
  else if (moderate_hits > 0)
    score = 4 + std::min(moderate_hits - 1, 2);
  else if (simple_hits > 0)
    score = 1;
  else
    score = 2;
  // Long requests carry more to get right.
  if (word_count > 400)
    score += 2;
  else if (word_count > 100)
    score += 1;
  score = std::clamp(score, 1, 10);

  if (in.score) {
    out.score = std::clamp(*in.score, 1, 10);
    out.tier = in.tier ? *in.tier : tier_for_score(out.score);
    out.tier_given = true;
  } else if (in.tier) {
    out.tier = *in.tier;
    out.score = tier_for_score(score) == *in.tier ? score
                                                  : representative_score(*in.tier);
    out.tier_given = true;
  } else {
    out.score = score;
    out.tier = tier_for_score(score);
  }
  return out;
}

} // namespace switchyard::engine
