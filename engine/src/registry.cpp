#include "switchyard/engine/registry.hpp"

namespace switchyard::engine {

const model_spec* registry::find_model(std::string_view id) const noexcept {
  for (const auto& m : models)
    if (m.id == id)
      return &m;
  return nullptr;
}

std::optional<std::uint16_t>
registry::model_index(std::string_view id) const noexcept {
  for (std::size_t i = 0; i < models.size(); ++i)
    if (models[i].id == id)
      return static_cast<std::uint16_t>(i);
  return std::nullopt;
}

std::optional<std::uint16_t>
registry::provider_index(std::string_view id) const noexcept {
  for (std::size_t i = 0; i < providers.size(); ++i)
    if (providers[i].id == id)
      return static_cast<std::uint16_t>(i);
  return std::nullopt;
}

} // namespace switchyard::engine
