/* SPDX-License-Identifier: Apache-2.0 */
/* glibc's riscv64 headers only ship stubs-lp64d.h; soft-float lp64 freestanding code includes
   libstdc++ headers that want this file to exist. It declares nothing. */
