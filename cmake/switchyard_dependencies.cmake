# Every dependency comes from Debian 12 packages (see scripts/install-deps.sh).

find_package(yaml-cpp REQUIRED)
find_package(simdjson REQUIRED)
find_package(Threads REQUIRED)

# CAF 0.17.6 as Debian ships it has no CMake or pkg-config files: import it by hand.
function(switchyard_import_caf component)
  find_library(CAF_${component}_LIBRARY NAMES caf_${component} REQUIRED)
  add_library(caf::${component} SHARED IMPORTED GLOBAL)
  set_target_properties(caf::${component} PROPERTIES
    IMPORTED_LOCATION "${CAF_${component}_LIBRARY}")
endfunction()
foreach(component core io openssl)
  switchyard_import_caf(${component})
endforeach()
target_link_libraries(caf::io INTERFACE caf::core)
target_link_libraries(caf::openssl INTERFACE caf::io)

if(SWITCHYARD_BUILD_TESTS)
  find_package(Catch2 REQUIRED)
  include(Catch)
endif()
