// SPDX-License-Identifier: Apache-2.0
// Exception entry to EL1 checked bit by bit against the Arm ARM (DDI 0487, AArch64.TakeException
// and D1 "Exception vectors"), with the PSTATE values Linux runs with.
#include "core/arch/aarch64/exception_entry.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tandem::aarch64 {
namespace {

constexpr uint64_t kVbar = 0xffff800008010800;  // a Linux vectors address (2 KiB aligned)
constexpr uint64_t kSctlrLinux = 0x0000000034d5d91d | SCTLR_EL1_SPAN;  // SPAN set, DSSBS clear

TEST(ExceptionEntry, SvcFromEl0GoesToTheLowerElSynchronousEntry) {
  const uint64_t el0 = (0b1000ull << 28) | PSTATE_M_EL0t;  // N set, interrupts unmasked
  const El1Entry e = enter_el1(el0, 0x4000a4, kVbar, kSctlrLinux, ExceptionKind::kSync);
  EXPECT_EQ(e.pc, kVbar + 0x400);
  EXPECT_EQ(e.elr, 0x4000a4u);  // SVC: the instruction after it, as the caller passes
  EXPECT_EQ(e.spsr, el0);
  EXPECT_EQ(e.pstate, 0x800003c5u);  // NZCV kept, D/A/I/F masked, EL1h
}

TEST(ExceptionEntry, VectorGroupFollowsTheOrigin) {
  EXPECT_EQ(el1_vector_offset(PSTATE_M_EL1h | PSTATE_DAIF, ExceptionKind::kSync), 0x200u);
  EXPECT_EQ(el1_vector_offset(PSTATE_M_EL1t, ExceptionKind::kSync), 0x000u);
  EXPECT_EQ(el1_vector_offset(PSTATE_M_EL0t, ExceptionKind::kSync), 0x400u);
  // AArch32 EL0 (User mode, M[4:0] = 0b10000).
  EXPECT_EQ(el1_vector_offset(PSTATE_nRW | 0b0000, ExceptionKind::kSync), 0x600u);
  EXPECT_EQ(el1_vector_offset(PSTATE_M_EL1h, ExceptionKind::kIrq), 0x280u);
  EXPECT_EQ(el1_vector_offset(PSTATE_M_EL0t, ExceptionKind::kFiq), 0x500u);
  EXPECT_EQ(el1_vector_offset(PSTATE_M_EL0t, ExceptionKind::kSError), 0x580u);
}

TEST(ExceptionEntry, DataAbortInTheKernelKeepsItsStateInSpsr) {
  const uint64_t el1h = PSTATE_M_EL1h | PSTATE_I | PSTATE_F | (0b0110ull << 28);
  const El1Entry e = enter_el1(el1h, 0xffff800008123450, kVbar, kSctlrLinux, ExceptionKind::kSync);
  EXPECT_EQ(e.pc, kVbar + 0x200);
  EXPECT_EQ(e.elr, 0xffff800008123450u);  // the faulting instruction
  EXPECT_EQ(e.spsr, el1h);
  EXPECT_EQ(e.pstate, (0b0110ull << 28) | PSTATE_DAIF | PSTATE_M_EL1h);
}

TEST(ExceptionEntry, BitsClearedOnEntry) {
  // UAO (23), SS (21), IL (20), BTYPE (11:10) and the old SSBS do not survive; DIT (24) does.
  const uint64_t uao = 1ull << 23, ss = 1ull << 21, il = 1ull << 20, btype = 0b11ull << 10;
  const uint64_t before = PSTATE_M_EL0t | uao | ss | il | btype | PSTATE_SSBS | PSTATE_DIT;
  const El1Entry e = enter_el1(before, 0, 0, kSctlrLinux, ExceptionKind::kSync);
  EXPECT_EQ(e.pstate, PSTATE_DIT | PSTATE_DAIF | PSTATE_M_EL1h);
  EXPECT_EQ(e.spsr, before);
}

TEST(ExceptionEntry, PanSsbsAndTcoOnlyWithTheirFeatures) {
  const El1Features v8_0{};
  const El1Features all{.pan = true, .ssbs = true, .mte = true};
  const uint64_t span0 = SCTLR_EL1_DSSBS;  // SPAN clear: entry sets PAN
  EXPECT_EQ(enter_el1(PSTATE_M_EL0t, 0, 0, span0, ExceptionKind::kSync, v8_0).pstate,
            PSTATE_DAIF | PSTATE_M_EL1h);
  EXPECT_EQ(enter_el1(PSTATE_M_EL0t, 0, 0, span0, ExceptionKind::kSync, all).pstate,
            PSTATE_PAN | PSTATE_SSBS | PSTATE_TCO | PSTATE_DAIF | PSTATE_M_EL1h);
  // SPAN set: PAN keeps its value.
  const El1Features pan{.pan = true};
  EXPECT_EQ(
      enter_el1(PSTATE_M_EL0t, 0, 0, SCTLR_EL1_SPAN, ExceptionKind::kSync, pan).pstate & PSTATE_PAN,
      0u);
  EXPECT_EQ(enter_el1(PSTATE_M_EL1h | PSTATE_PAN, 0, 0, SCTLR_EL1_SPAN, ExceptionKind::kSync, pan)
                    .pstate &
                PSTATE_PAN,
            PSTATE_PAN);
}

TEST(ExceptionEntry, El0RedirectFromTheVirtualIrqEntry) {
  const ViRedirect r = el0_sync_via_virtual_irq(kVbar);
  EXPECT_EQ(r.irq_entry, kVbar + 0x480);
  EXPECT_EQ(r.sync_entry, kVbar + 0x400);
  // The engine's IRQ entry from EL0 leaves the same ELR, SPSR and PSTATE as a synchronous one.
  const uint64_t el0 = PSTATE_M_EL0t;
  const El1Entry irq = enter_el1(el0, 0x1000, kVbar, kSctlrLinux, ExceptionKind::kIrq);
  const El1Entry sync = enter_el1(el0, 0x1000, kVbar, kSctlrLinux, ExceptionKind::kSync);
  EXPECT_EQ(irq.pc, r.irq_entry);
  EXPECT_EQ(sync.pc, r.sync_entry);
  EXPECT_EQ(irq.pstate, sync.pstate);
  EXPECT_EQ(irq.spsr, sync.spsr);
}

}  // namespace
}  // namespace tandem::aarch64
