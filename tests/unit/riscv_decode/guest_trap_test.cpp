// SPDX-License-Identifier: Apache-2.0
// riscv64 guest-trap decoding (core/arch/riscv64/guest_trap) against the privileged spec
// (20240411, 18.6): each trap the HS-mode backend takes becomes the exit the spec's cause,
// stval, htval and htinst describe. Instruction words are GNU as 2.40's encodings.
#include "core/arch/riscv64/guest_trap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "core/arch/riscv64/csr.h"
#include "core/arch/riscv64/insn_decode.h"

namespace tandem::riscv64 {
namespace {

constexpr uint64_t kPc = 0x8000'1000;
constexpr uint32_t kLwA0A1 = 0x0005a503;  // lw a0, 0(a1)
constexpr uint16_t kCLwA0A1 = 0x4188;     // c.lw a0, 0(a1)
constexpr uint32_t kSbA1A0 = 0x00b50023;  // sb a1, 0(a0)

// The guest's instruction memory for the fake fetch: one instruction at kPc, or none.
uint8_t g_code[4];
bool g_fetch_faults = false;

Result<uint16_t> fetch(uint64_t pc) {
  if (g_fetch_faults || pc < kPc || pc + 2 > kPc + sizeof g_code) return Error(Status::kGuestFault);
  uint16_t half = 0;
  std::memcpy(&half, g_code + (pc - kPc), 2);
  return half;
}

class GuestTrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::memset(g_code, 0, sizeof g_code);
    g_fetch_faults = false;
  }
  void code(uint32_t insn) { std::memcpy(g_code, &insn, sizeof insn); }
  // A guest-page fault at guest-physical `gpa`: htval = gpa >> 2, stval's low bits the rest.
  GuestTrap page_fault(uint64_t cause, uint64_t gpa, uint64_t htinst = 0) {
    const TrapState t{m_x, kPc, cause, 0x4000'0000 | (gpa & 3), gpa >> 2, htinst};
    return decode_guest_trap(t, &fetch);
  }
  GuestTrap trap(uint64_t cause, uint64_t stval) {
    return decode_guest_trap({m_x, kPc, cause, stval, 0, 0}, &fetch);
  }
  uint64_t m_x[32] = {};
};

TEST_F(GuestTrapTest, LoadFaultFetchesTheInstructionWhenHtinstIsZero) {
  code(kLwA0A1);
  const GuestTrap g = page_fault(EXC_LOAD_GUEST_PAGE_FAULT, 0x1000'0005);
  EXPECT_EQ(g.exit.kind, ExitKind::kMmioRead);
  EXPECT_EQ(g.exit.addr, 0x1000'0005u);
  EXPECT_EQ(g.exit.size, 4);
  EXPECT_EQ(g.exit.reg, 10);
  EXPECT_TRUE(g.exit.sign_extend);
  EXPECT_EQ(g.exit.pc, kPc);
  EXPECT_EQ(g.advance, 4u);
}

TEST_F(GuestTrapTest, CompressedLoadAdvancesTwoBytes) {
  code(kCLwA0A1);
  const GuestTrap g = page_fault(EXC_LOAD_GUEST_PAGE_FAULT, 0x1000'0000);
  EXPECT_EQ(g.exit.kind, ExitKind::kMmioRead);
  EXPECT_EQ(g.exit.size, 4);
  EXPECT_EQ(g.exit.reg, 10);
  EXPECT_EQ(g.advance, 2u);
}

TEST_F(GuestTrapTest, StoreFromHtinstCarriesTheValueMaskedToItsWidth) {
  m_x[11] = 0x1234'5678'9abc'def0;
  // Transformed (18.6.3): rs1 replaced by the address offset 0, bits 1:0 = 11 (32-bit form).
  const GuestTrap g = page_fault(EXC_STORE_GUEST_PAGE_FAULT, 0x1000'0000, kSbA1A0 & ~(31u << 15));
  EXPECT_EQ(g.exit.kind, ExitKind::kMmioWrite);
  EXPECT_EQ(g.exit.size, 1);
  EXPECT_EQ(g.exit.value, 0xf0u);
  EXPECT_EQ(g.advance, 4u);
}

TEST_F(GuestTrapTest, AccessesThatAreNotPlainLoadsOrStoresFault) {
  code(kLwA0A1);  // a load behind a store fault
  GuestTrap g = page_fault(EXC_STORE_GUEST_PAGE_FAULT, 0x1000'0000);
  EXPECT_EQ(g.exit.kind, ExitKind::kFault);
  EXPECT_STREQ(g.exit.reason, "MMIO access by an instruction other than an integer load/store");
  EXPECT_TRUE(g.exit.write);
  EXPECT_EQ(g.exit.addr, 0x1000'0000u);
  g_fetch_faults = true;
  g = page_fault(EXC_LOAD_GUEST_PAGE_FAULT, 0x1000'0008);
  EXPECT_EQ(g.exit.kind, ExitKind::kFault);
  EXPECT_STREQ(g.exit.reason, "MMIO access whose instruction cannot be read");
  EXPECT_EQ(g.exit.addr, 0x1000'0008u);
  EXPECT_EQ(g.advance, 0u);
}

TEST_F(GuestTrapTest, InstructionGuestPageFaultNamesTheAddress) {
  const GuestTrap g = page_fault(EXC_INST_GUEST_PAGE_FAULT, 0x2000'0000);
  EXPECT_EQ(g.exit.kind, ExitKind::kFault);
  EXPECT_EQ(g.exit.addr, 0x2000'0000u);
  EXPECT_EQ(g.advance, 0u);
}

TEST_F(GuestTrapTest, EcallFromVsIsAHypercallWithA0ToA7) {
  for (unsigned i = 0; i < 8; i++) m_x[10 + i] = 100 + i;
  const GuestTrap g = trap(EXC_ECALL_VS, 0);
  EXPECT_EQ(g.exit.kind, ExitKind::kHypercall);
  for (unsigned i = 0; i < 8; i++) EXPECT_EQ(g.exit.args[i], 100 + i);
  EXPECT_EQ(g.advance, 4u);
}

TEST_F(GuestTrapTest, WfiIsAHaltFromStvalOrFromMemory) {
  GuestTrap g = trap(EXC_VIRTUAL_INST, kInsnWfi);
  EXPECT_EQ(g.exit.kind, ExitKind::kHalt);
  EXPECT_EQ(g.advance, 4u);
  code(kInsnWfi);  // stval 0 (QEMU 7.2): read at sepc
  g = trap(EXC_VIRTUAL_INST, 0);
  EXPECT_EQ(g.exit.kind, ExitKind::kHalt);
  // Any other virtual instruction (csrr a0, hstatus = 0x60002573) is a fault at the PC.
  g = trap(EXC_VIRTUAL_INST, 0x60002573);
  EXPECT_EQ(g.exit.kind, ExitKind::kFault);
  EXPECT_STREQ(g.exit.reason, "virtual instruction exception");
  EXPECT_EQ(g.exit.addr, kPc);
}

TEST_F(GuestTrapTest, InterruptsCarryTheirCode) {
  const GuestTrap g = trap(SCAUSE_INTERRUPT | IRQ_S_TIMER, 0);
  EXPECT_EQ(g.exit.kind, ExitKind::kExternalInterrupt);
  EXPECT_EQ(g.exit.value, IRQ_S_TIMER);
}

TEST_F(GuestTrapTest, OtherExceptionsFaultWithTheSpecsNameAndAddress) {
  GuestTrap g = trap(EXC_ILLEGAL_INST, 0xdead);  // stval: the instruction bits, not an address
  EXPECT_EQ(g.exit.kind, ExitKind::kFault);
  EXPECT_STREQ(g.exit.reason, "illegal instruction");
  EXPECT_EQ(g.exit.addr, kPc);
  g = trap(EXC_LOAD_ACCESS, 0x1234);  // stval: the faulting address
  EXPECT_STREQ(g.exit.reason, "load access fault");
  EXPECT_EQ(g.exit.addr, 0x1234u);
  EXPECT_STREQ(exception_name(EXC_STORE_GUEST_PAGE_FAULT), "store/AMO guest-page fault");
  EXPECT_STREQ(exception_name(14), "unknown exception");  // reserved (18.6.1)
}

TEST(GuestPageFaultGpa, OnlyGuestPageFaultsHaveOne) {
  EXPECT_EQ(guest_page_fault_gpa(EXC_LOAD_GUEST_PAGE_FAULT, 0x7, 0x400'0000), 0x1000'0003u);
  EXPECT_FALSE(guest_page_fault_gpa(EXC_LOAD_PAGE_FAULT, 0x7, 0x400'0000));
}

// CSR numbers and cause codes as the privileged spec lists them (2.2, 18.2, 18.6.1).
static_assert(CSR_HSTATUS == 0x600 && CSR_HGATP == 0x680 && CSR_VSATP == 0x280);
static_assert(EXC_ECALL_VS == 10 && EXC_LOAD_GUEST_PAGE_FAULT == 21 && EXC_VIRTUAL_INST == 22);

}  // namespace
}  // namespace tandem::riscv64
