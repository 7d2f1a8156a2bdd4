#include "switchyard/engine/consensus.hpp"

#include <cctype>
#include <vector>

namespace switchyard::engine {

namespace {

// ASCII versions of <cctype>'s, which are function calls through the locale
// on every byte (perf: the top cost of consensus on the gateway's path).
// The same results in the "C" locale, which the program never leaves.
constexpr bool is_space_ascii(unsigned char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

constexpr char to_lower_ascii(unsigned char c) noexcept {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

} // namespace

std::string normalize_answer(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_space_ascii(c)) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out.push_back(' ');
      space = false;
    }
    out.push_back(to_lower_ascii(c));
  }
  while (!out.empty() && std::ispunct(static_cast<unsigned char>(out.back())))
    out.pop_back();
  return out;
}

namespace {

struct answer_group {
  std::string key;
  std::size_t first = 0; ///< the earliest-arriving member
  std::size_t votes = 0;
  double weight = 0.0;
  double best_quality = 0.0;
};

std::vector<answer_group> group_answers(std::span<const ensemble_answer> as) {
  std::vector<answer_group> groups;
  for (std::size_t i = 0; i < as.size(); ++i) {
    if (!as[i].ok)
      continue;
    auto key = normalize_answer(as[i].text);
    answer_group* g = nullptr;
    for (auto& x : groups)
      if (x.key == key)
        g = &x;
    if (g == nullptr) {
      groups.push_back({std::move(key), i, 0, 0.0, 0.0});
      g = &groups.back();
    } else if (as[i].arrival < as[g->first].arrival) {
      g->first = i;
    }
    ++g->votes;
    g->weight += as[i].quality;
    g->best_quality = std::max(g->best_quality, as[i].quality);
  }
  return groups;
}

consensus_result pick(std::span<const ensemble_answer> as,
                      const std::vector<answer_group>& groups,
                      bool by_votes) {
  consensus_result r;
  const answer_group* best = nullptr;
  double total = 0.0;
  for (const auto& g : groups) {
    total += by_votes ? static_cast<double>(g.votes) : g.weight;
    if (best == nullptr) {
      best = &g;
      continue;
    }
    auto better = [&] {
      if (by_votes) {
        if (g.votes != best->votes)
          return g.votes > best->votes;
        if (g.best_quality != best->best_quality)
          return g.best_quality > best->best_quality;
      } else if (g.weight != best->weight) {
        return g.weight > best->weight;
      }
      return as[g.first].arrival < as[best->first].arrival;
    };
    if (better())
      best = &g;
  }
  if (best != nullptr) {
    r.winner = best->first;
    auto mine = by_votes ? static_cast<double>(best->votes) : best->weight;
    r.agreement = total > 0.0 ? mine / total : 0.0;
  }
  return r;
}

} // namespace

consensus_result reach_consensus(consensus_strategy strategy,
                                 std::span<const ensemble_answer> answers,
                                 std::optional<std::size_t> judge_pick) {
  switch (strategy) {
    case consensus_strategy::first_success: {
      consensus_result r;
      std::size_t ok_count = 0;
      for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i].ok)
          continue;
        ++ok_count;
        if (!r.winner || answers[i].arrival < answers[*r.winner].arrival)
          r.winner = i;
      }
      r.agreement = ok_count > 0 ? 1.0 / static_cast<double>(ok_count) : 0.0;
      return r;
    }
    case consensus_strategy::voting:
      return pick(answers, group_answers(answers), true);
    case consensus_strategy::quality_weighted:
      return pick(answers, group_answers(answers), false);
    case consensus_strategy::judge: {
      auto groups = group_answers(answers);
      auto weighted = pick(answers, groups, false);
      if (judge_pick && *judge_pick < answers.size()
          && answers[*judge_pick].ok) {
        consensus_result r;
        r.winner = *judge_pick;
        auto key = normalize_answer(answers[*judge_pick].text);
        double total = 0.0;
        double mine = 0.0;
        for (const auto& g : groups) {
          total += g.weight;
          if (g.key == key)
            mine = g.weight;
        }
        r.agreement = total > 0.0 ? mine / total : 0.0;
        return r;
      }
      weighted.judge_fallback = true;
      return weighted;
    }
  }
  return {};
}

std::string build_judge_prompt(std::string_view task,
                               std::span<const ensemble_answer> answers) {
  std::string p;
  p.reserve(task.size() + 512);
  p += "You are judging candidate answers to a task. Read the task and every "
       "answer, then reply with the line \"ANSWER <n>\" naming the best "
       "answer's number, followed by one sentence saying why.\n\n## Task\n";
  p += task;
  p += "\n";
  std::size_t n = 0;
  for (const auto& a : answers) {
    ++n;
    p += "\n## Answer ";
    p += std::to_string(n);
    p += "\n";
    p += a.ok ? a.text : std::string_view{"(no answer: the model failed)"};
    p += "\n";
  }
  return p;
}

std::optional<std::size_t> parse_judge_verdict(std::string_view verdict,
                                               std::size_t count) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  auto read_number = [&](std::size_t i) -> std::optional<std::size_t> {
    std::size_t value = 0;
    std::size_t digits = 0;
    while (i < verdict.size()
           && std::isdigit(static_cast<unsigned char>(verdict[i]))
           && digits < 6) {
      value = value * 10 + static_cast<std::size_t>(verdict[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || value < 1 || value > count)
      return std::nullopt;
    return value - 1;
  };
  constexpr std::string_view marker = "answer";
  for (std::size_t i = 0; i + marker.size() < verdict.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < marker.size() && match; ++k)
      match = lower(verdict[i + k]) == marker[k];
    if (!match)
      continue;
    auto j = i + marker.size();
    while (j < verdict.size() && (verdict[j] == ' ' || verdict[j] == ':'
                                  || verdict[j] == '#'))
      ++j;
    if (auto n = read_number(j))
      return n;
  }
  for (std::size_t i = 0; i < verdict.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(verdict[i])))
      continue;
    bool standalone_start
      = i == 0 || !std::isalnum(static_cast<unsigned char>(verdict[i - 1]));
    auto j = i;
    while (j < verdict.size()
           && std::isdigit(static_cast<unsigned char>(verdict[j])))
      ++j;
    bool standalone_end
      = j == verdict.size()
        || !std::isalnum(static_cast<unsigned char>(verdict[j]));
    if (standalone_start && standalone_end)
      if (auto n = read_number(i))
        return n;
    i = j;
  }
  return std::nullopt;
}

} // namespace switchyard::engine
