# SPDX-License-Identifier: Apache-2.0
# Unicorn >= 2.1.1 for the emu backend and bench/uc_limit, as the imported target
# PkgConfig::UNICORN. Debian 12 ships only 2.0.1, so scripts/setup unpacks Debian 13's build into
# a git-ignored prefix (cache/unicorn-2.1) and rewrites its unicorn.pc relative to ${pcfiledir};
# the library is linked by full path, so CMake gives the programs an rpath to it and they run
# without LD_LIBRARY_PATH. Older releases are refused: backends/emu/README.md lists what 2.0.1
# gets wrong.
set(TANDEM_UNICORN_MIN 2.1.1)
if(DEFINED ENV{TANDEM_CACHE})
  set(_tandem_cache "$ENV{TANDEM_CACHE}")
else()
  set(_tandem_cache "${PROJECT_SOURCE_DIR}/cache")
endif()
set(TANDEM_UNICORN_PREFIX "${_tandem_cache}/unicorn-2.1/usr" CACHE PATH
  "Prefix holding Unicorn >= ${TANDEM_UNICORN_MIN} (scripts/setup fills the default)")

find_package(PkgConfig REQUIRED)
set(_tandem_pc_path "$ENV{PKG_CONFIG_PATH}")
set(ENV{PKG_CONFIG_PATH}
  "${TANDEM_UNICORN_PREFIX}/lib/${CMAKE_LIBRARY_ARCHITECTURE}/pkgconfig:${_tandem_pc_path}")
pkg_check_modules(UNICORN QUIET IMPORTED_TARGET GLOBAL unicorn>=${TANDEM_UNICORN_MIN})
if(NOT UNICORN_FOUND)
  pkg_check_modules(UNICORN_OLD QUIET unicorn)
  if(UNICORN_OLD_FOUND)
    set(_tandem_found "only Unicorn ${UNICORN_OLD_VERSION} was found")
  else()
    set(_tandem_found "no Unicorn was found")
  endif()
  message(FATAL_ERROR
    "The emu backend needs Unicorn >= ${TANDEM_UNICORN_MIN}, and ${_tandem_found}. Run "
    "scripts/setup: it fetches Debian 13's libunicorn2t64 and libunicorn-dev into "
    "${TANDEM_UNICORN_PREFIX}/.. (nothing is installed on the system); or point "
    "-DTANDEM_UNICORN_PREFIX at another prefix with lib/${CMAKE_LIBRARY_ARCHITECTURE}/pkgconfig/"
    "unicorn.pc.")
endif()
set(ENV{PKG_CONFIG_PATH} "${_tandem_pc_path}")
message(STATUS "Unicorn ${UNICORN_VERSION}: ${UNICORN_LINK_LIBRARIES}")
