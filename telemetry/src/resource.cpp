#include "switchyard/telemetry/resource.hpp"

#ifndef SWITCHYARD_VERSION
#error "telemetry/CMakeLists.txt defines SWITCHYARD_VERSION for this file"
#endif

namespace switchyard::telemetry {

std::string_view library_version() noexcept {
  return SWITCHYARD_VERSION;
}

} // namespace switchyard::telemetry
