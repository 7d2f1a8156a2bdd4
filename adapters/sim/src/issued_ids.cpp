#include "issued_ids.hpp"

#include <algorithm>

namespace switchyard::sim::detail {

using engine::provider_kind;

void issued_ids::add(const std::string& id) {
  if (id.empty() || capacity_ == 0)
    return;
  std::lock_guard guard{mutex_};
  if (!ids_.insert(id).second)
    return;
  order_.push_back(id);
  if (order_.size() > capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
}

bool issued_ids::contains(std::string_view id) const {
  std::lock_guard guard{mutex_};
  return ids_.find(id) != ids_.end();
}

bool check_tool_results(const parsed_request& req, const issued_ids& ids,
                        refusal& out) {
  for (const auto& r : req.tool_results) {
    switch (req.kind) {
      case provider_kind::gemini:
      case provider_kind::ollama: {
        // Ollama clients may leave tool_name out; Gemini requires a name.
        if (req.kind == provider_kind::ollama && r.name.empty())
          continue;
        auto offered = std::any_of(req.tools.begin(), req.tools.end(),
                                   [&](const tool_decl& t) {
                                     return t.name == r.name;
                                   });
        if (offered)
          continue;
        if (req.kind == provider_kind::gemini)
          out.message = "* GenerateContentRequest." + r.where
                        + ": function response names '" + r.name
                        + "', which is not declared in tools";
        else
          out.message = r.where + ": tool '" + r.name
                        + "' is not among the request's tools";
        out.param = r.where;
        return false;
      }
      default:
        if (ids.contains(r.id))
          continue;
        if (req.kind == provider_kind::openai)
          out.message = "Invalid parameter: 'tool_call_id' of '" + r.id
                        + "' not found in 'tool_calls' of previous message.";
        else if (req.kind == provider_kind::anthropic)
          out.message = r.where
                        + ": unexpected `tool_use_id` found in "
                          "`tool_result` blocks: "
                        + r.id
                        + ". Each `tool_result` block must have a "
                          "corresponding `tool_use` block in the previous "
                          "message.";
        else
          out.message = "invalid request: " + r.where + " '" + r.id
                        + "' does not match any tool call made in this "
                          "conversation";
        out.param = r.where;
        return false;
    }
  }
  return true;
}

} // namespace switchyard::sim::detail
