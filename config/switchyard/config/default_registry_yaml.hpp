#pragma once

#include <string_view>

namespace switchyard::config {

/// The text of `config/models.yaml`, embedded at build time. The view stays
/// valid for the life of the program.
[[nodiscard]] std::string_view default_registry_yaml() noexcept;

} // namespace switchyard::config
