# SPDX-License-Identifier: Apache-2.0
# Toolchain for freestanding sub-builds. TANDEM_TARGET_ARCH picks the GCC cross compiler
# (aarch64, riscv64) or the host GCC (x86_64); every object is built -ffreestanding and no
# library is linked implicitly.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR ${TANDEM_TARGET_ARCH})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TANDEM_TARGET_ARCH)

set(triple ${TANDEM_TARGET_ARCH}-linux-gnu)
set(CMAKE_C_COMPILER ${triple}-gcc)
set(CMAKE_CXX_COMPILER ${triple}-g++)
set(CMAKE_ASM_COMPILER ${triple}-gcc)
set(CMAKE_AR ${triple}-ar)
set(CMAKE_RANLIB ${triple}-ranlib)
set(CMAKE_OBJCOPY ${triple}-objcopy)
set(CMAKE_NM ${triple}-nm)
set(CMAKE_LINKER ${triple}-ld)

set(common "-ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector -fno-pic -fno-pie -nostdlib")
if(TANDEM_TARGET_ARCH STREQUAL "aarch64")
  set(arch "-mgeneral-regs-only -mstrict-align -mno-outline-atomics")
elseif(TANDEM_TARGET_ARCH STREQUAL "riscv64")
  set(arch "-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -isystem ${CMAKE_CURRENT_LIST_DIR}/../shim")
elseif(TANDEM_TARGET_ARCH STREQUAL "x86_64")
  set(arch "-mno-red-zone -mgeneral-regs-only")
else()
  message(FATAL_ERROR "TANDEM_TARGET_ARCH must be aarch64, riscv64 or x86_64")
endif()
set(CMAKE_C_FLAGS_INIT "${common} ${arch}")
set(CMAKE_CXX_FLAGS_INIT "${common} ${arch}")
set(CMAKE_ASM_FLAGS_INIT "${arch}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -static -Wl,--build-id=none -Wl,--no-dynamic-linker")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
