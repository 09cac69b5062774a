// SPDX-License-Identifier: Apache-2.0
// One number per AArch64 system register: the op0, op1, CRn, CRm and op2 fields as they sit in
// bits [20:5] of an MRS/MSR instruction (Arm ARM C5.3), shifted down by 5. The same encoding
// as Linux's sys_reg(); ESR_EL2's ISS for EC 0x18 and Unicorn's uc_arm64_cp_reg convert to it.
#pragma once

#include <cstdint>

namespace tandem::a64 {

constexpr uint32_t sysreg(uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2) {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
constexpr uint32_t sysreg_op0(uint32_t id) { return (id >> 14) & 3; }
constexpr uint32_t sysreg_op1(uint32_t id) { return (id >> 11) & 7; }
constexpr uint32_t sysreg_crn(uint32_t id) { return (id >> 7) & 15; }
constexpr uint32_t sysreg_crm(uint32_t id) { return (id >> 3) & 15; }
constexpr uint32_t sysreg_op2(uint32_t id) { return id & 7; }

// EL2/EL3 controls (Arm ARM D19.2; fields in control_regs.h).
inline constexpr uint32_t VMPIDR_EL2 = sysreg(3, 4, 0, 0, 5);
inline constexpr uint32_t HCR_EL2 = sysreg(3, 4, 1, 1, 0);
inline constexpr uint32_t SCR_EL3 = sysreg(3, 6, 1, 1, 0);
static_assert(sysreg_op0(SCR_EL3) == 3 && sysreg_op1(SCR_EL3) == 6 && sysreg_crn(SCR_EL3) == 1 &&
              sysreg_crm(SCR_EL3) == 1 && sysreg_op2(VMPIDR_EL2) == 5);

// Generic timer (Arm ARM D11.8): virtual timer and counter, frequency.
inline constexpr uint32_t CNTFRQ_EL0 = sysreg(3, 3, 14, 0, 0);
inline constexpr uint32_t CNTVCT_EL0 = sysreg(3, 3, 14, 0, 2);
inline constexpr uint32_t CNTV_TVAL_EL0 = sysreg(3, 3, 14, 3, 0);
inline constexpr uint32_t CNTV_CTL_EL0 = sysreg(3, 3, 14, 3, 1);
inline constexpr uint32_t CNTV_CVAL_EL0 = sysreg(3, 3, 14, 3, 2);

// GICv3 CPU interface, EL1 (GIC architecture spec IHI 0069, 12.2).
inline constexpr uint32_t ICC_PMR_EL1 = sysreg(3, 0, 4, 6, 0);
inline constexpr uint32_t ICC_IAR0_EL1 = sysreg(3, 0, 12, 8, 0);
inline constexpr uint32_t ICC_EOIR0_EL1 = sysreg(3, 0, 12, 8, 1);
inline constexpr uint32_t ICC_HPPIR0_EL1 = sysreg(3, 0, 12, 8, 2);
inline constexpr uint32_t ICC_BPR0_EL1 = sysreg(3, 0, 12, 8, 3);
inline constexpr uint32_t ICC_AP0R0_EL1 = sysreg(3, 0, 12, 8, 4);
inline constexpr uint32_t ICC_AP1R0_EL1 = sysreg(3, 0, 12, 9, 0);
inline constexpr uint32_t ICC_DIR_EL1 = sysreg(3, 0, 12, 11, 1);
inline constexpr uint32_t ICC_RPR_EL1 = sysreg(3, 0, 12, 11, 3);
inline constexpr uint32_t ICC_SGI1R_EL1 = sysreg(3, 0, 12, 11, 5);
inline constexpr uint32_t ICC_ASGI1R_EL1 = sysreg(3, 0, 12, 11, 6);
inline constexpr uint32_t ICC_SGI0R_EL1 = sysreg(3, 0, 12, 11, 7);
inline constexpr uint32_t ICC_IAR1_EL1 = sysreg(3, 0, 12, 12, 0);
inline constexpr uint32_t ICC_EOIR1_EL1 = sysreg(3, 0, 12, 12, 1);
inline constexpr uint32_t ICC_HPPIR1_EL1 = sysreg(3, 0, 12, 12, 2);
inline constexpr uint32_t ICC_BPR1_EL1 = sysreg(3, 0, 12, 12, 3);
inline constexpr uint32_t ICC_CTLR_EL1 = sysreg(3, 0, 12, 12, 4);
inline constexpr uint32_t ICC_SRE_EL1 = sysreg(3, 0, 12, 12, 5);
inline constexpr uint32_t ICC_IGRPEN0_EL1 = sysreg(3, 0, 12, 12, 6);
inline constexpr uint32_t ICC_IGRPEN1_EL1 = sysreg(3, 0, 12, 12, 7);

}  // namespace tandem::a64
