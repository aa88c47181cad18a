# Asserts that every provider module exports exactly one project symbol: fastmcp_auth_module.
# Usage: cmake -DDIRS="dir1|dir2" -P check_exports.cmake
# Modules deliberately built without the entry symbol (broken_noentry) are expected to export
# their one test function instead.
string(REPLACE "|" ";" dirs "${DIRS}")
set(count 0)
foreach(dir ${dirs})
  file(GLOB modules "${dir}/*.so")
  foreach(so ${modules})
    execute_process(COMMAND nm -D --defined-only --demangle "${so}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nm failed on ${so}")
    endif()
    string(REGEX MATCHALL "[^\n]+" lines "${out}")
    set(exported "")
    foreach(line ${lines})
      # "<addr> <type> <name>". Not project symbols: the C runtime's _init/_fini/_end..., and the
      # standard library's own weak instantiations (libstdc++ headers force default visibility on
      # namespace std), e.g. "typeinfo for std::_Sp_counted_base<...>".
      if(line MATCHES "^[0-9a-f]+ [A-Za-z] (.+)$")
        set(name "${CMAKE_MATCH_1}")
        if(NOT name MATCHES "^_" AND NOT name MATCHES "^((typeinfo|typeinfo name|vtable|VTT|guard variable) for )?(std|__gnu_cxx)::"
           AND NOT name MATCHES "^(void |char |unsigned |int |long |bool |[a-z_:]+ )?std::")
          list(APPEND exported "${name}")
        endif()
      endif()
    endforeach()
    get_filename_component(base "${so}" NAME)
    if(base STREQUAL "broken_noentry.so")
      set(want "not_the_entry_symbol")
    else()
      set(want "fastmcp_auth_module")
    endif()
    if(NOT exported STREQUAL want)
      message(FATAL_ERROR "${so}: exports [${exported}], expected exactly [${want}]")
    endif()
    math(EXPR count "${count} + 1")
    message(STATUS "${base}: exports only ${want}")
  endforeach()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no provider modules found in ${DIRS}")
endif()
