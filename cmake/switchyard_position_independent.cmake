# The static libraries that libswitchyard (embedding/) is made of are built
# position-independent, so that a shared library (and the Python module that
# links it) can hold them. The binary links the same objects; for it the
# linker relaxes most GOT loads back to direct ones.
foreach(target switchyard_engine switchyard_clock switchyard_config switchyard_storage
               switchyard_actors switchyard_http switchyard_providers)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endforeach()
