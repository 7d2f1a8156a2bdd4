# `cmake --install <build> --prefix P` installs:
#   bin/switchyard                         the binary
#   lib/libswitchyard.so*                  the embedding library
#   include/switchyard/...                 its public headers (see below)
#   share/switchyard/models.yaml           the default registry
#   lib/cmake/switchyard/                  switchyard-config.cmake + version
#   lib/pkgconfig/switchyard.pc            for pkg-config
#   lib/python3.X/dist-packages/switchyard the Python module (python/)
include(CMakePackageConfigHelpers)

set(SWITCHYARD_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/switchyard")

if(TARGET switchyard)
  install(TARGETS switchyard RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
endif()
install(FILES "${PROJECT_SOURCE_DIR}/config/models.yaml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/switchyard")

if(NOT TARGET switchyard_runtime)
  return()
endif()

install(TARGETS switchyard_runtime EXPORT switchyard_targets
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(EXPORT switchyard_targets NAMESPACE switchyard::
        FILE switchyard-targets.cmake DESTINATION "${SWITCHYARD_CMAKE_DIR}")

# The public headers: switchyard/embedded_runtime.hpp and every project
# header it includes, found at install time by following the includes, so
# that an internal header (actors, storage, adapters) is installed only if
# the API comes to need it, and a new include is never forgotten.
install(CODE "
  set(SWITCHYARD_HEADER_ROOTS
      \"${PROJECT_SOURCE_DIR}/embedding\" \"${PROJECT_SOURCE_DIR}/engine\"
      \"${PROJECT_SOURCE_DIR}/messages\" \"${PROJECT_SOURCE_DIR}/actors\")
  set(SWITCHYARD_PUBLIC_HEADERS switchyard/embedded_runtime.hpp)
  set(SWITCHYARD_HEADER_DESTINATION
      \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/switchyard_install_headers.cmake\")
")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/switchyard-config.cmake.in"
  "${PROJECT_BINARY_DIR}/switchyard-config.cmake"
  INSTALL_DESTINATION "${SWITCHYARD_CMAKE_DIR}")
# 0.x: a minor version may change the API, so only the same minor matches.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/switchyard-config-version.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/switchyard-config.cmake"
              "${PROJECT_BINARY_DIR}/switchyard-config-version.cmake"
        DESTINATION "${SWITCHYARD_CMAKE_DIR}")

# CAF's directory comes from where the build found it (Debian ships no .pc
# for CAF, so it cannot be a Requires:).
get_filename_component(SWITCHYARD_CAF_LIBDIR "${CAF_core_LIBRARY}" DIRECTORY)
file(RELATIVE_PATH SWITCHYARD_PC_TO_PREFIX
     "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" SWITCHYARD_PC_TO_PREFIX "${SWITCHYARD_PC_TO_PREFIX}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/switchyard.pc.in"
               "${PROJECT_BINARY_DIR}/switchyard.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/switchyard.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
