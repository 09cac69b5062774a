# SPDX-License-Identifier: Apache-2.0
# Inside a freestanding sub-build: partially link every object of the core library into one
# relocatable object and fail if it needs any symbol beyond the runtime list that a bare-metal
# image provides (cmake/freestanding-runtime.txt). Also fail if core/ or devices/ include a
# hosted-only header.
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/freestanding-check.stamp
  COMMAND ${CMAKE_COMMAND}
    -DLD=${CMAKE_LINKER} -DNM=${CMAKE_NM}
    -DLIBRARY=$<TARGET_FILE:tandem_core>
    -DALLOWED=${PROJECT_SOURCE_DIR}/cmake/freestanding-runtime.txt
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DARCH=${TANDEM_TARGET_ARCH}
    -DSTAMP=${CMAKE_BINARY_DIR}/freestanding-check.stamp
    -P ${PROJECT_SOURCE_DIR}/cmake/freestanding_check.cmake
  DEPENDS tandem_core ${PROJECT_SOURCE_DIR}/cmake/freestanding-runtime.txt
    ${PROJECT_SOURCE_DIR}/cmake/freestanding_check.cmake
  COMMENT "freestanding-check (${TANDEM_TARGET_ARCH})")
add_custom_target(freestanding-check ALL DEPENDS ${CMAKE_BINARY_DIR}/freestanding-check.stamp)
