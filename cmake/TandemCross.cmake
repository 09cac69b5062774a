# SPDX-License-Identifier: Apache-2.0
# From the hosted build, configure and build one freestanding sub-build per target
# architecture (ExternalProject over this same source tree). Each produces the freestanding
# core library and its link check, the test guests in <build>/guests/<arch>/, and any
# bare-metal image. A missing cross compiler skips that architecture with a message.
# `cross-<arch>-configure` configures a sub-build without building it, so scripts/build --demo
# can build one guest in it.
include(ExternalProject)

# A second hosted build (the sanitizer preset) can reuse the guests and images of the default
# build instead of cross-building its own: TANDEM_CROSS=OFF, TANDEM_ARTIFACTS_DIR=<that build>.
option(TANDEM_CROSS "Cross-build guests, images and the freestanding check" ON)
set(TANDEM_ARTIFACTS_DIR ${CMAKE_BINARY_DIR} CACHE PATH
  "Where tests find guests/ and images/ (this build unless TANDEM_CROSS is OFF)")

set(TANDEM_CROSS_ARCHS aarch64 riscv64 x86_64)
set(TANDEM_AVAILABLE_CROSS_ARCHS "")
add_custom_target(freestanding-check)
add_custom_target(guests)

foreach(arch IN LISTS TANDEM_CROSS_ARCHS)
  find_program(TANDEM_CXX_${arch} ${arch}-linux-gnu-g++)
  if(NOT TANDEM_CXX_${arch})
    message(WARNING "${arch}-linux-gnu-g++ not found: no ${arch} guests or freestanding check "
                    "(run scripts/setup)")
    continue()
  endif()
  list(APPEND TANDEM_AVAILABLE_CROSS_ARCHS ${arch})
  if(NOT TANDEM_CROSS)
    continue()
  endif()
  ExternalProject_Add(cross-${arch}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/cross/${arch}
    CMAKE_GENERATOR ${CMAKE_GENERATOR}
    CMAKE_ARGS
      -DTANDEM_TARGET_ARCH=${arch}
      -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/toolchains/freestanding.cmake
      -DCMAKE_BUILD_TYPE=Release
      -DTANDEM_WERROR=${TANDEM_WERROR}
      -DTANDEM_OUTPUT_DIR=${CMAKE_BINARY_DIR}
    INSTALL_COMMAND ""
    STEP_TARGETS configure
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD ON)
  add_dependencies(freestanding-check cross-${arch})
  add_dependencies(guests cross-${arch})
endforeach()
