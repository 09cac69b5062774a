# SPDX-License-Identifier: Apache-2.0
# Capstone >= 5 for the instruction in trace lines (cli/disassembler.h), as the imported target
# Tandem::Capstone; the cli only, never core/ or devices/. Debian 12's libcapstone-dev is 4.0.2,
# which has no RISC-V, so scripts/setup unpacks Debian 13's libcapstone-dev into a git-ignored
# prefix (cache/capstone-5) with scripts/debfetch, as it does Unicorn: nothing is installed on
# the system. The program links its static archive, whose symbols stay out of the program's
# dynamic symbol table.
if(DEFINED ENV{TANDEM_CACHE})
  set(_tandem_capstone_cache "$ENV{TANDEM_CACHE}")
else()
  set(_tandem_capstone_cache "${PROJECT_SOURCE_DIR}/cache")
endif()
set(TANDEM_CAPSTONE_PREFIX "${_tandem_capstone_cache}/capstone-5/usr" CACHE PATH
  "Prefix holding Capstone >= 5 (scripts/setup fills the default)")
set(_tandem_capstone_header "${TANDEM_CAPSTONE_PREFIX}/include/capstone/capstone.h")
set(_tandem_capstone_archive
  "${TANDEM_CAPSTONE_PREFIX}/lib/${CMAKE_LIBRARY_ARCHITECTURE}/libcapstone.a")
set(_tandem_capstone_major "")
if(EXISTS "${_tandem_capstone_header}")
  file(STRINGS "${_tandem_capstone_header}" _tandem_capstone_major
    REGEX "^#define CS_API_MAJOR [0-9]+")
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _tandem_capstone_major "${_tandem_capstone_major}")
endif()
if(NOT _tandem_capstone_major OR _tandem_capstone_major LESS 5 OR
   NOT EXISTS "${_tandem_capstone_archive}")
  message(FATAL_ERROR
    "Trace lines disassemble with Capstone >= 5 (RISC-V), and none was found under "
    "${TANDEM_CAPSTONE_PREFIX} (${_tandem_capstone_header} and ${_tandem_capstone_archive}). Run "
    "scripts/setup: it fetches Debian 13's libcapstone-dev into ${TANDEM_CAPSTONE_PREFIX}/.. "
    "(nothing is installed on the system); or point -DTANDEM_CAPSTONE_PREFIX at another prefix.")
endif()
add_library(Tandem::Capstone STATIC IMPORTED GLOBAL)
set_target_properties(Tandem::Capstone PROPERTIES
  IMPORTED_LOCATION "${_tandem_capstone_archive}"
  INTERFACE_INCLUDE_DIRECTORIES "${TANDEM_CAPSTONE_PREFIX}/include"
  INTERFACE_LINK_OPTIONS "LINKER:--exclude-libs,libcapstone.a")
message(STATUS "Capstone ${_tandem_capstone_major}: ${_tandem_capstone_archive}")
