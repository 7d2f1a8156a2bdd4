#include "switchyard/engine/plan_prompts.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace switchyard::engine {

namespace {

/// The built-in instruction of a role named as default_roles names them.
std::string builtin_role_prompt(std::string_view role) {
  if (role == "research")
    return "You are the research specialist. Gather the facts, constraints "
           "and prior art the task depends on, and list them briefly. Do not "
           "write the final answer.";
  if (role == "implementation")
    return "You are the implementation specialist. Work out the concrete "
           "solution (code, steps or figures) the task asks for.";
  if (role == "analysis")
    return "You are the analysis specialist. Reason through the task step by "
           "step and state your conclusions with their grounds.";
  if (role == "review")
    return "You are the review specialist. List the risks, mistakes and edge "
           "cases a correct answer to the task must handle.";
  return "You are the " + std::string{role}
         + " specialist. Contribute what your role knows about the task, "
           "briefly. Do not write the final answer.";
}

} // namespace

std::string planner_instruction() {
  return "You are a planner. Write a short numbered plan (at most six steps) "
         "for answering the user's request. Do not carry the plan out.";
}

std::string executor_instruction(std::string_view plan) {
  std::string s = "Answer the user's request by following this plan:\n";
  s += plan;
  return s;
}

std::string specialist_instruction(const plan_policy& policy, task_type type,
                                   std::string_view role) {
  for (const auto& r : policy.roles[static_cast<std::size_t>(type)])
    if (r.name == role)
      return r.prompt;
  return builtin_role_prompt(role);
}

std::string synthesis_instruction(std::span<const step_note> notes,
                                  std::string_view previous_answer,
                                  std::string_view critique) {
  std::string s = "Specialists have worked on the user's request. Merge their "
                  "notes into one complete answer to the request.\n";
  for (const auto& n : notes) {
    s += "\n## ";
    s += n.role;
    s += "\n";
    s += n.text;
    s += "\n";
  }
  if (!critique.empty()) {
    s += "\n## Your previous answer\n";
    s += previous_answer;
    s += "\n\n## A critic's objections\n";
    s += critique;
    s += "\n\nWrite a revised answer that addresses the objections.\n";
  }
  return s;
}

std::string rating_instruction() {
  return "You rate answers. Read the task and the answer, then reply with a "
         "first line \"SCORE: <n>\" where n is 0 (useless) to 10 (complete "
         "and correct), followed by the answer's main problems, if any.";
}

std::string rating_input(std::string_view task, std::string_view answer) {
  std::string s = "## Task\n";
  s += task;
  s += "\n\n## Answer\n";
  s += answer;
  s += "\n";
  return s;
}

std::optional<double> parse_rating(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  auto at = lower.find("score");
  if (at == std::string::npos)
    return std::nullopt;
  auto i = at + 5;
  while (i < lower.size()
         && (lower[i] == ':' || lower[i] == ' ' || lower[i] == '*'
             || lower[i] == '='))
    ++i;
  double value = 0.0;
  auto [end, ec]
    = std::from_chars(lower.data() + i, lower.data() + lower.size(), value);
  if (ec != std::errc{} || end == lower.data() + i)
    return std::nullopt;
  std::string_view rest(end, static_cast<std::size_t>(lower.data() + lower.size() - end));
  bool out_of_ten = rest.starts_with("/10") || rest.starts_with(" / 10")
                    || rest.starts_with(" out of 10") || value > 1.0;
  if (out_of_ten)
    value /= 10.0;
  if (value < 0.0 || value > 1.0)
    return std::nullopt;
  return value;
}

} // namespace switchyard::engine
