// SPDX-License-Identifier: Apache-2.0
// Trap entry into S-mode checked against the RISC-V Privileged Specification (4.1.1 sstatus,
// 4.1.2 stvec, 4.1.7-4.1.9 sepc/scause/stval).
#include "core/arch/riscv64/trap_entry.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tandem::riscv64 {
namespace {

constexpr uint64_t kStvec = 0xffffffff80a01234 & ~3ull;  // Direct mode
constexpr uint64_t SSTATUS_FS_DIRTY = 0b11ull << 13, SSTATUS_SUM = 1ull << 18;

SupervisorTrap enter(uint64_t sstatus, Priv from, uint64_t pc, uint64_t stvec, Exception cause,
                     uint64_t tval) {
  SupervisorTrap t{};
  EXPECT_TRUE(enter_supervisor(sstatus, from, pc, stvec, cause, tval, t));
  return t;
}

TEST(TrapEntry, EcallFromUserMode) {
  const uint64_t user = SSTATUS_SIE | SSTATUS_FS_DIRTY;  // interrupts enabled in S, FP dirty
  const SupervisorTrap t = enter(user, Priv::kUser, 0x10a3c, kStvec, Exception::kEcallFromU, 0);
  EXPECT_EQ(t.pc, kStvec);
  EXPECT_EQ(t.scause, 8u);
  EXPECT_EQ(t.sepc, 0x10a3cu);  // the ECALL itself; the handler adds 4
  EXPECT_EQ(t.stval, 0u);
  EXPECT_EQ(t.sstatus, SSTATUS_SPIE | SSTATUS_FS_DIRTY);  // SPP = 0 (from U), SIE -> SPIE, SIE 0
}

TEST(TrapEntry, PageFaultInTheKernel) {
  // SIE clear and an old SPIE set: SPIE takes SIE's value (0); SPP = 1; SUM survives.
  const uint64_t kernel = SSTATUS_SPIE | SSTATUS_SUM;
  const SupervisorTrap t = enter(kernel, Priv::kSupervisor, 0xffffffff80012344, kStvec,
                                 Exception::kLoadPageFault, 0x3fffffe000);
  EXPECT_EQ(t.scause, 13u);
  EXPECT_EQ(t.stval, 0x3fffffe000u);
  EXPECT_EQ(t.sepc, 0xffffffff80012344u);
  EXPECT_EQ(t.sstatus, SSTATUS_SPP | SSTATUS_SUM);
}

TEST(TrapEntry, VectoredModeSendsOnlyInterruptsToTheirSlot) {
  const uint64_t base = 0x80201000;
  uint64_t pc = 0;
  ASSERT_TRUE(stvec_target(base | STVEC_MODE_VECTORED, 13, pc));
  EXPECT_EQ(pc, base);  // exceptions: BASE
  ASSERT_TRUE(stvec_target(base | STVEC_MODE_VECTORED, SCAUSE_INTERRUPT | 5, pc));
  EXPECT_EQ(pc, base + 4 * 5);  // supervisor timer interrupt
  ASSERT_TRUE(stvec_target(base, SCAUSE_INTERRUPT | 9, pc));
  EXPECT_EQ(pc, base);  // Direct: everything at BASE
  const SupervisorTrap t =
      enter(0, Priv::kUser, 0x1000, base | STVEC_MODE_VECTORED, Exception::kIllegalInsn, 0x73);
  EXPECT_EQ(t.pc, base);
  EXPECT_EQ(t.stval, 0x73u);
}

TEST(TrapEntry, ReservedStvecModesHaveNoTarget) {
  uint64_t pc = 0;
  EXPECT_FALSE(stvec_target(0x80201000 | 2, 8, pc));
  EXPECT_FALSE(stvec_target(0x80201000 | 3, SCAUSE_INTERRUPT | 1, pc));
  SupervisorTrap t{};
  EXPECT_FALSE(enter_supervisor(0, Priv::kUser, 0, 0x80201002, Exception::kEcallFromU, 0, t));
}

TEST(TrapEntry, GuestExceptionsAreOpenSbisDelegatedAndRedirectedOnes) {
  // OpenSBI 1.1's medeleg on QEMU virt (boot log): 0xf0b509. Bits 10 (ECALL from VS) and 20-23
  // (guest page faults) are the hypervisor extension's; the rest are the guest kernel's.
  const uint64_t medeleg = 0xf0b509 & ~((1ull << 10) | (0xfull << 20));
  for (unsigned code = 0; code < 16; ++code) {
    if (code == 10 || code == 11 || code == 14) continue;  // VS/M ECALL, reserved
    const bool redirected = code == static_cast<unsigned>(Exception::kIllegalInsn);
    EXPECT_EQ(belongs_to_guest(static_cast<Exception>(code)),
              ((medeleg >> code) & 1) != 0 || redirected)
        << code;
  }
}

}  // namespace
}  // namespace tandem::riscv64
