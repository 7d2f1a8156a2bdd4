# Run at install time (cmake/switchyard_install.cmake): copies the headers in
# SWITCHYARD_PUBLIC_HEADERS and every "switchyard/..." header they include,
# transitively, from the first of SWITCHYARD_HEADER_ROOTS that has it, into
# SWITCHYARD_HEADER_DESTINATION. Other includes (std, CAF) are the
# consumer's own dependencies.
cmake_policy(PUSH)
cmake_policy(SET CMP0057 NEW) # if(IN_LIST) in an install script
set(pending ${SWITCHYARD_PUBLIC_HEADERS})
set(done "")
while(pending)
  list(POP_FRONT pending header)
  if(header IN_LIST done)
    continue()
  endif()
  list(APPEND done "${header}")
  set(found "")
  foreach(root ${SWITCHYARD_HEADER_ROOTS})
    if(EXISTS "${root}/${header}")
      set(found "${root}/${header}")
      break()
    endif()
  endforeach()
  if(NOT found)
    message(FATAL_ERROR "public header ${header} is in none of "
                        "${SWITCHYARD_HEADER_ROOTS}: the embedding API may "
                        "include only engine/, messages/ and actors/ headers")
  endif()
  get_filename_component(subdir "${header}" DIRECTORY)
  file(INSTALL "${found}"
       DESTINATION "${SWITCHYARD_HEADER_DESTINATION}/${subdir}")
  file(STRINGS "${found}" includes REGEX "^#include \"switchyard/")
  foreach(line ${includes})
    string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" included "${line}")
    list(APPEND pending "${included}")
  endforeach()
endwhile()
cmake_policy(POP)
