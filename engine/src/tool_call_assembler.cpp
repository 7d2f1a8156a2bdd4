#include "switchyard/engine/tool_call_assembler.hpp"

namespace switchyard::engine {

tool_call_assembler::placement
tool_call_assembler::start(std::string_view id, std::string_view name) {
  calls_.push_back(content_part::make_tool_call(std::string{id},
                                                std::string{name}, {}));
  indexes_.emplace_back();
  return {static_cast<std::uint32_t>(calls_.size() - 1), true};
}

tool_call_assembler::placement
tool_call_assembler::add(const fragment& f) {
  std::optional<std::size_t> found;
  if (f.index) {
    for (std::size_t i = 0; i < indexes_.size() && !found; ++i)
      if (indexes_[i] == f.index)
        found = i;
  } else if (!f.id.empty()) {
    for (std::size_t i = 0; i < calls_.size() && !found; ++i)
      if (calls_[i].id == f.id)
        found = i;
  } else if (!calls_.empty()) {
    found = calls_.size() - 1;
  }
  if (!found) {
    auto at = start(f.id, f.name);
    indexes_.back() = f.index;
    calls_.back().arguments.append(f.arguments);
    return at;
  }
  auto& call = calls_[*found];
  // Ids and names come once, on the first fragment, from most providers;
  // some repeat them on every fragment (kept, not appended).
  if (call.id.empty() && !f.id.empty())
    call.id.assign(f.id);
  if (call.name.empty() && !f.name.empty())
    call.name.assign(f.name);
  call.arguments.append(f.arguments);
  return {static_cast<std::uint32_t>(*found), false};
}

tool_call_assembler::placement
tool_call_assembler::add_whole(std::string_view id, std::string_view name,
                               std::string_view arguments) {
  auto at = start(id, name);
  calls_.back().arguments.assign(arguments);
  return at;
}

std::vector<content_part> tool_call_assembler::take() {
  for (auto& c : calls_)
    if (c.arguments.empty())
      c.arguments = "{}";
  indexes_.clear();
  return std::move(calls_);
}

} // namespace switchyard::engine
