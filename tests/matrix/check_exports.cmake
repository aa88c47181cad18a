# Asserts that every provider module exports exactly one project symbol: fastmcp_auth_module
# (nm -D --defined-only; a leaked project symbol, C or C++, fails the test).
# Usage: cmake -DDIRS="dir1|dir2" -P check_exports.cmake
# Modules deliberately built without the entry symbol (broken_noentry) are expected to export
# their one test function instead.
string(REPLACE "|" ";" dirs "${DIRS}")
set(count 0)
foreach(dir ${dirs})
  file(GLOB modules "${dir}/*.so")
  foreach(so ${modules})
    execute_process(COMMAND nm -D --defined-only "${so}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nm failed on ${so}")
    endif()
    string(REGEX MATCHALL "[^\n]+" lines "${out}")
    set(exported "")
    foreach(line ${lines})
      # "<addr> <type> <name>" (mangled). Not project symbols:
      #  - the C runtime's _init/_fini/_edata/_end/__bss_start (unmangled, leading underscore);
      #  - the standard library's own instantiations (libstdc++ headers force default visibility on
      #    namespace std and __gnu_cxx): _ZSt..., _ZNSt..., _ZNKSt..., _ZTISt..., _ZZNSt..., _ZN9__gnu_cxx...;
      #  - typeinfo for function types (_ZTIF..., _ZTSF...) that -fsanitize=function emits.
      if(line MATCHES "^[0-9a-f]+ [A-Za-z] (.+)$")
        set(name "${CMAKE_MATCH_1}")
        if(name MATCHES "^_Z")
          if(NOT name MATCHES "^_Z(Z|T[ISVT]|GV|TH|TW)?N?K?(St|NSt|9__gnu_cxx|N9__gnu_cxx|NKSt)"
             AND NOT name MATCHES "^_ZT[IS]F")
            list(APPEND exported "${name}")
          endif()
        elseif(NOT name MATCHES "^_")
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
