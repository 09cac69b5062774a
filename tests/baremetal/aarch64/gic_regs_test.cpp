// SPDX-License-Identifier: Apache-2.0
// The pure formats of the aarch64 image's GIC virtualization (backends/baremetal/aarch64/
// gic_regs.h), bit by bit against IHI 0069 12.4.6 (ICH_LR<n>_EL2), 12.4.9 (ICH_VTR_EL2) and
// DDI 0487 D17.2.37 (ISS of a trapped MSR/MRS).
#include "backends/baremetal/aarch64/gic_regs.h"

#include <gtest/gtest.h>

#include "core/arch/aarch64/sysreg_id.h"

namespace tandem::baremetal::aarch64 {
namespace {

TEST(GicRegs, SoftwareLrIsPendingGroup1WithEoiMaintenance) {
  const uint64_t lr = lr_encode({.intid = 33, .priority = 0xa0, .group = 1});
  EXPECT_EQ(lr >> 62, 1u);              // State: pending
  EXPECT_EQ((lr >> 61) & 1, 0u);        // HW
  EXPECT_EQ((lr >> 60) & 1, 1u);        // Group 1
  EXPECT_EQ((lr >> 48) & 0xff, 0xa0u);  // Priority
  EXPECT_EQ((lr >> 41) & 1, 1u);        // EOI
  EXPECT_EQ(lr & 0xffff'ffff, 33u);     // vINTID
  EXPECT_EQ(lr_intid(lr), 33u);
  EXPECT_FALSE(lr_hw(lr));
  EXPECT_FALSE(lr_retired(lr));
}

TEST(GicRegs, HardwareLrLinksThePhysicalIntid) {
  const uint64_t lr =
      lr_encode({.intid = 27, .priority = 0x80, .group = 1, .hw = true, .physical = 27});
  EXPECT_EQ((lr >> 61) & 1, 1u);
  EXPECT_EQ((lr >> 32) & 0x3ff, 27u);  // pINTID [41:32], no EOI bit with HW
  EXPECT_TRUE(lr_hw(lr));
  EXPECT_EQ(lr_intid(lr), 27u);
}

TEST(GicRegs, Group0AndRetiredStates) {
  EXPECT_EQ((lr_encode({.intid = 5, .priority = 0, .group = 0}) >> 60) & 1, 0u);
  EXPECT_TRUE(lr_retired(0));
  EXPECT_TRUE(lr_retired(ICH_LR_EOI | 33));  // invalid, EOI maintenance still asserted
  EXPECT_FALSE(lr_retired(ICH_LR_ACTIVE | 33));
  EXPECT_FALSE(lr_retired(ICH_LR_PENDING | ICH_LR_ACTIVE | 33));
}

TEST(GicRegs, VtrListRegs) {
  EXPECT_EQ(vtr_list_regs(0x9000'0003), 4u);  // QEMU cortex-a72: 4 list registers
  EXPECT_EQ(vtr_list_regs(0xf), 16u);
}

TEST(GicRegs, SysregTrapIssDecodes) {
  // MSR ICC_SGI1R_EL1, x3: Op0 3, Op2 5, Op1 0, CRn 12, Rt 3, CRm 11, Dir 0.
  const uint32_t iss = (3u << 20) | (5u << 17) | (0u << 14) | (12u << 10) | (3u << 5) | (11u << 1);
  const SysRegTrap t = decode_sysreg_trap(iss);
  EXPECT_EQ(t.id, a64::ICC_SGI1R_EL1);
  EXPECT_EQ(t.rt, 3u);
  EXPECT_FALSE(t.read);
  // MRS x0, ICC_IAR1_EL1.
  const SysRegTrap r = decode_sysreg_trap((3u << 20) | (12u << 10) | (12u << 1) | 1);
  EXPECT_EQ(r.id, a64::ICC_IAR1_EL1);
  EXPECT_EQ(r.rt, 0u);
  EXPECT_TRUE(r.read);
}

TEST(GicRegs, NanosecondsToTicks) {
  EXPECT_EQ(ns_to_ticks(1'000'000'000, 62'500'000), 62'500'000u);
  EXPECT_EQ(ns_to_ticks(16, 62'500'000), 1u);
  // No overflow for large times: 2^63 ns at 1 GHz.
  EXPECT_EQ(ns_to_ticks(1ull << 63, 1'000'000'000), 1ull << 63);
}

}  // namespace
}  // namespace tandem::baremetal::aarch64
