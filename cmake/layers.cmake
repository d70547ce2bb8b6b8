# racetrack_layer_includes(TARGET PATH...): the target sees only the listed parts of the tree.
#
# Every other target compiles with the repository root on its include path, so "engine/db.h" resolves
# anywhere. The engine's layers must not: the data structures may include only engine/base/ and
# engine/ds/, the engine proper nothing outside engine/ (and not engine/server/). This function builds
# a small include tree in the build directory holding symlinks to the allowed PATHs (folders or single
# headers, relative to the repository root, kept at the same relative place) and makes it the target's
# only repository include directory. An include of anything else fails to compile: the layering is
# enforced by the compiler, not by review. Headers added later are picked up when CMake re-runs
# (a folder link needs nothing; single headers come from a CONFIGURE_DEPENDS glob at the call site).
function(racetrack_layer_includes target)
  set(stage ${CMAKE_BINARY_DIR}/layers/${target})
  file(REMOVE_RECURSE ${stage})
  foreach(path IN LISTS ARGN)
    if(NOT EXISTS ${CMAKE_SOURCE_DIR}/${path})
      message(FATAL_ERROR "racetrack_layer_includes(${target}): no such path ${path}")
    endif()
    get_filename_component(parent ${stage}/${path} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${path} ${stage}/${path} SYMBOLIC)
  endforeach()
  # Replaces (not appends to) the repository root inherited from the top-level include_directories().
  set_property(TARGET ${target} PROPERTY INCLUDE_DIRECTORIES ${stage})
endfunction()
