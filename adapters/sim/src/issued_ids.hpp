#pragma once

#include "sim_request.hpp"

#include <cstddef>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace switchyard::sim::detail {

/// The tool-call ids this simulator has handed out, so that it can refuse a
/// tool result answering a call it never made, as the real APIs do. Keeps
/// the newest `capacity` ids: an agent loop answers recent calls. Shared by
/// every format and model, and safe to use from any I/O thread.
class issued_ids {
 public:
  explicit issued_ids(std::size_t capacity) : capacity_(capacity) {}

  void add(const std::string& id);

  [[nodiscard]] bool contains(std::string_view id) const;

 private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::deque<std::string> order_;
  std::set<std::string, std::less<>> ids_;
};

/// The first tool result of `req` that the real API would refuse, in its
/// words: one answering an id this simulator never issued (OpenAI,
/// Anthropic, Cohere) or, in Gemini and Ollama, which have no ids, one
/// naming a tool the request does not offer. True when there is none.
bool check_tool_results(const parsed_request& req, const issued_ids& ids,
                        refusal& out);

} // namespace switchyard::sim::detail
