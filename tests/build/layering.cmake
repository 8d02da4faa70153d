# The parts may only use the parts below them. Every target puts the repo
# root on its include path (headers are named from the root, as
# "engines/ot/ot_client.h"), so the compiler cannot refuse an include that
# crosses a layer; this check does:
#   engines/common   includes only engines/common
#   engines/<kind>   engines/common and engines/<kind> (sans-IO: never sim/)
#   engines/*.{h,cc} (the registry) any engine
#   check/           engines/ and check/
#   scenarios/       nothing of ours
#   sim/             engines/, check/, scenarios/ and sim/
#   reports/         engines/, sim/ and reports/
# apps/, bench/ and tests/ sit on top and may include anything.
#
#   cmake -DROOT=<repo> -P tests/build/layering.cmake
# prints every include that breaks a rule and fails if any does.
if(NOT DEFINED ROOT)
  message(FATAL_ERROR "layering.cmake: pass -DROOT=<repo root>")
endif()

# The parts of ours a file under `dir` may include (regexes over the include path).
function(allowed_for dir out)
  if(dir MATCHES "^engines/common(/|$)")
    set(${out} "^engines/common/" PARENT_SCOPE)
  elseif(dir MATCHES "^engines/([a-z_]+)(/|$)")
    set(${out} "^engines/common/" "^engines/${CMAKE_MATCH_1}/" PARENT_SCOPE)
  elseif(dir STREQUAL "engines")
    set(${out} "^engines/" PARENT_SCOPE)
  elseif(dir MATCHES "^check(/|$)")
    set(${out} "^engines/" "^check/" PARENT_SCOPE)
  elseif(dir MATCHES "^scenarios(/|$)")
    set(${out} "^scenarios/" PARENT_SCOPE)
  elseif(dir MATCHES "^sim(/|$)")
    set(${out} "^engines/" "^check/" "^scenarios/" "^sim/" PARENT_SCOPE)
  elseif(dir MATCHES "^reports(/|$)")
    set(${out} "^engines/" "^sim/" "^reports/" PARENT_SCOPE)
  else()
    message(FATAL_ERROR "layering.cmake: no rule for ${dir}")
  endif()
endfunction()

set(ours "^(engines|check|scenarios|sim|reports|apps|bench|tests)/")
set(broken 0)
set(files 0)
foreach(part engines check scenarios sim reports)
  file(GLOB_RECURSE sources RELATIVE ${ROOT} ${ROOT}/${part}/*.h ${ROOT}/${part}/*.cc)
  foreach(source IN LISTS sources)
    math(EXPR files "${files} + 1")
    get_filename_component(dir ${source} DIRECTORY)
    allowed_for(${dir} allowed)
    file(STRINGS ${ROOT}/${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    foreach(line IN LISTS includes)
      string(REGEX MATCH "\"([^\"]+)\"" unused "${line}")
      set(included ${CMAKE_MATCH_1})
      if(NOT included MATCHES "${ours}")
        continue()  # a library's header, or one generated from proto/
      endif()
      set(ok FALSE)
      foreach(rule IN LISTS allowed)
        if(included MATCHES "${rule}")
          set(ok TRUE)
        endif()
      endforeach()
      if(NOT ok)
        message("${source}: includes ${included}, which ${dir}/ may not use")
        math(EXPR broken "${broken} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
if(files LESS 50)
  message(FATAL_ERROR "layering.cmake: found only ${files} source files under ${ROOT}; wrong root?")
endif()
if(broken GREATER 0)
  message(FATAL_ERROR "${broken} include(s) cross a layer (rules at the top of tests/build/layering.cmake)")
endif()
message("layering: ${files} files, every include within its layer")
