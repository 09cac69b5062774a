# SPDX-License-Identifier: Apache-2.0
# Unicorn >= 2.1.1 for the emu backend and bench/uc_limit, as the imported target
# Tandem::Unicorn. Debian 12 ships only 2.0.1, so scripts/setup unpacks Debian 13's
# libunicorn-dev into a git-ignored prefix (cache/unicorn-2.1) and rewrites its unicorn.pc
# relative to ${pcfiledir}; pkg-config finds it there. The programs link its static archive
# (libunicorn.a): the 20 MB shared library costs every process ~1.9 MiB of resident memory just
# to be relocated at load (bench/README.md, memory row), and a static link needs no rpath. The
# archive's symbols stay out of the programs' dynamic symbol tables (--exclude-libs): its
# bundled glib subset would otherwise interpose on the real glib of libraries such as libslirp.
# Older releases are refused: backends/emu/README.md lists what 2.0.1 gets wrong.
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
# pkg_check_modules keeps the library path it found in the cache and never looks again: a build
# directory configured against the system's 2.0.1 would go on linking it.
unset(pkgcfg_lib_UNICORN_unicorn CACHE)
pkg_check_modules(UNICORN QUIET unicorn>=${TANDEM_UNICORN_MIN})
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
set(_tandem_unicorn_archive "${UNICORN_LIBDIR}/libunicorn.a")
if(NOT EXISTS "${_tandem_unicorn_archive}")
  message(FATAL_ERROR "Unicorn ${UNICORN_VERSION} was found without its static archive "
    "(${_tandem_unicorn_archive}); run scripts/setup, which unpacks Debian 13's libunicorn-dev.")
endif()
find_package(Threads REQUIRED)
add_library(Tandem::Unicorn STATIC IMPORTED GLOBAL)
set_target_properties(Tandem::Unicorn PROPERTIES
  IMPORTED_LOCATION "${_tandem_unicorn_archive}"
  INTERFACE_INCLUDE_DIRECTORIES "${UNICORN_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;m"
  INTERFACE_LINK_OPTIONS "LINKER:--exclude-libs,libunicorn.a")
message(STATUS "Unicorn ${UNICORN_VERSION}: ${_tandem_unicorn_archive}")
