// SPDX-License-Identifier: Apache-2.0
// System register access and barriers for EL2 code. The register name is part of the
// instruction encoding, so these are macros around the MRS/MSR mnemonics.
#pragma once

#include <cstdint>

#define TANDEM_MRS(reg)                                      \
  ({                                                         \
    uint64_t tandem_mrs_value_;                              \
    asm volatile("mrs %0, " #reg : "=r"(tandem_mrs_value_)); \
    tandem_mrs_value_;                                       \
  })
#define TANDEM_MSR(reg, value) \
  asm volatile("msr " #reg ", %0" : : "r"(static_cast<uint64_t>(value)) : "memory")

namespace tandem::baremetal::aarch64 {

inline void isb() { asm volatile("isb" : : : "memory"); }
inline void dsb_ish() { asm volatile("dsb ish" : : : "memory"); }
inline void dsb_ishst() { asm volatile("dsb ishst" : : : "memory"); }

}  // namespace tandem::baremetal::aarch64
