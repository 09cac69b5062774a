# SPDX-License-Identifier: Apache-2.0
# The freestanding core: everything under core/ and devices/, compiled with the freestanding
# restrictions in every build (hosted and cross).

function(tandem_add_core_library name)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/core/*.cpp ${PROJECT_SOURCE_DIR}/devices/*.cpp)
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${TANDEM_WARNINGS} ${TANDEM_FREESTANDING_FLAGS})
  if(TANDEM_TARGET_ARCH)
    target_compile_options(${name} PRIVATE -fno-pic -fno-tree-loop-distribute-patterns)
  endif()
endfunction()
