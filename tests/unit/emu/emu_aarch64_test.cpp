// SPDX-License-Identifier: Apache-2.0
// aarch64 guests on the Unicorn backend. Encodings from aarch64-linux-gnu-as / objdump; the
// layout is QEMU virt's (RAM at 0x40000000, the test device where the PL011 sits).
#include <string>

#include "core/arch/aarch64/psci.h"
#include "tests/unit/emu/emu_machine.h"

namespace tandem::test {
namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kEntry = 0x40080000;
constexpr uint64_t kMmio = 0x09000000;

class EmuAarch64 : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(m_vm.build()); }
  EmuMachine m_vm{{Arch::kAarch64, kRam, 2 << 20, kMmio}};
};

TEST_F(EmuAarch64, MmioStoresReachTheDeviceWithOffsetWidthAndValue) {
  const uint32_t code[] = {
      0xd2a12003,  // mov  x3, #0x9000000
      0x5297dde4,  // mov  w4, #0xbeef
      0x72bbd5a4,  // movk w4, #0xdead, lsl #16
      0xaa048085,  // orr  x5, x4, x4, lsl #32
      0xb9001064,  // str  w4, [x3, #16]
      0x39000c64,  // strb w4, [x3, #3]
      0x79000c64,  // strh w4, [x3, #6]
      0xf9000c65,  // str  x5, [x3, #24]
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 0x20);
  // Unicorn hands an 8-byte access to uc_mmio_map callbacks as two 4-byte halves, low half
  // first (emu_memory.cpp); devices see what a 32-bit guest would do.
  const std::vector<Access> want = {{0x10, 4, 0xdeadbeef},
                                    {0x3, 1, 0xef},
                                    {0x6, 2, 0xbeef},
                                    {0x18, 4, 0xdeadbeef},
                                    {0x1c, 4, 0xdeadbeef}};
  EXPECT_EQ(m_vm.mmio_dev.writes, want);
}

TEST_F(EmuAarch64, MmioLoadsAreSignOrZeroExtendedIntoTheRegister) {
  const uint32_t code[] = {
      0xd2a12003,  // mov   x3, #0x9000000
      0x39801062,  // ldrsb x2, [x3, #4]
      0x39401066,  // ldrb  w6, [x3, #4]
      0x79801067,  // ldrsh x7, [x3, #8]
      0x79401068,  // ldrh  w8, [x3, #8]
      0xb9800c69,  // ldrsw x9, [x3, #12]
      0xb9400c6a,  // ldr   w10, [x3, #12]
      0xf940086b,  // ldr   x11, [x3, #16]
      0xd503207f,  // wfi
  };
  m_vm.mmio_dev.read_value = 0x88776655f4f38281;
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(2), 0xffffffffffffff81u);
  EXPECT_EQ(m_vm.gpr(6), 0x81u);
  EXPECT_EQ(m_vm.gpr(7), 0xffffffffffff8281u);
  EXPECT_EQ(m_vm.gpr(8), 0x8281u);
  EXPECT_EQ(m_vm.gpr(9), 0xfffffffff4f38281u);
  EXPECT_EQ(m_vm.gpr(10), 0xf4f38281u);
  // The 8-byte load is two 4-byte device reads (the device answers both with its low word).
  EXPECT_EQ(m_vm.gpr(11), 0xf4f38281f4f38281u);
  const std::vector<Access> want = {{4, 1, 0},  {4, 1, 0},  {8, 2, 0},  {8, 2, 0},
                                    {12, 4, 0}, {12, 4, 0}, {16, 4, 0}, {20, 4, 0}};
  ASSERT_EQ(m_vm.mmio_dev.reads.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(m_vm.mmio_dev.reads[i].offset, want[i].offset) << i;
    EXPECT_EQ(m_vm.mmio_dev.reads[i].size, want[i].size) << i;
  }
}

TEST_F(EmuAarch64, HvcAndSmcReachPsci) {
  const uint32_t code[] = {
      0x52b08000,  // mov w0, #0x84000000   PSCI_VERSION
      0xd4000002,  // hvc #0x0
      0xaa0003f3,  // mov x19, x0
      0x52b08000,  // mov w0, #0x84000000
      0xd4000003,  // smc #0x0
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(19), 0x10001u);  // PSCI 1.1
  EXPECT_EQ(m_vm.gpr(0), 0x10001u);
}

TEST_F(EmuAarch64, PsciSystemOffStopsBeforeTheNextInstruction) {
  const uint32_t code[] = {
      0x52b08000,  // mov  w0, #0x84000000
      0x72800100,  // movk w0, #0x8          PSCI_SYSTEM_OFF
      0xd4000002,  // hvc  #0x0
      0xf9000020,  // str  x0, [x1]          x1 = 0: would be an unmapped write
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kSystemDown);
  EXPECT_EQ(e.value, 0u);
  EXPECT_EQ(m_vm.exits.stop_info().kind, StopKind::kPowerOff);
  // A stopped VM is never resumed.
  EXPECT_EQ(m_vm.run().kind, ExitKind::kSystemDown);
}

TEST_F(EmuAarch64, SemihostingSysExitSetsTheExitStatus) {
  const uint32_t code[] = {
      0xd2800300,              // mov x0, #0x18          SYS_EXIT
      0x10000061,              // adr x1, block
      0xd45e0000,              // hlt #0xf000
      0xd503207f,              // wfi
      0x00020026, 0x00000000,  // block: .quad 0x20026   ADP_Stopped_ApplicationExit
      0x0000002a, 0x00000000,  //        .quad 42        exit code
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kSystemDown);
  EXPECT_EQ(e.value, 42u);
  EXPECT_EQ(m_vm.exits.stop_info().kind, StopKind::kPowerOff);
  EXPECT_EQ(m_vm.exits.stop_info().status, 42);
}

TEST_F(EmuAarch64, SemihostingExitExtendedWithAnAbnormalReasonExitsWithOne) {
  const uint32_t code[] = {
      0xd2800400,              // mov x0, #0x20          SYS_EXIT_EXTENDED
      0x10000061,              // adr x1, block
      0xd45e0000,              // hlt #0xf000
      0xd503207f,              // wfi
      0x00020023, 0x00000000,  // block: .quad 0x20023   ADP_Stopped_RunTimeErrorUnknown
      0x0000002a, 0x00000000,  //        .quad 42        ignored for this reason
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kSystemDown);
  EXPECT_EQ(m_vm.exits.stop_info().status, 1);  // as QEMU
}

TEST_F(EmuAarch64, OtherSemihostingCallsReturnMinusOneAndContinue) {
  const uint32_t code[] = {
      0xd2800060,  // mov x0, #0x3           SYS_WRITEC: not provided
      0xd45e0000,  // hlt #0xf000
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 8);
  EXPECT_EQ(m_vm.gpr(0), ~uint64_t{0});
}

TEST_F(EmuAarch64, UnmappedReadIsAFaultNamingTheAddress) {
  const uint32_t code[] = {
      0xd2a20001,  // mov x1, #0x10000000
      0xf9400420,  // ldr x0, [x1, #8]
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x10000008u);
  EXPECT_FALSE(e.write);
  EXPECT_NE(std::string(e.reason).find("unmapped read"), std::string::npos);
  EXPECT_EQ(m_vm.exits.stop_info().kind, StopKind::kFault);
  EXPECT_NE(std::string(m_vm.exits.stop_info().message).find("0x10000008"), std::string::npos)
      << m_vm.exits.stop_info().message;
}

TEST_F(EmuAarch64, UnmappedWriteIsAFault) {
  const uint32_t code[] = {
      0xd2a20001,  // mov x1, #0x10000000
      0xf9000820,  // str x0, [x1, #16]
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x10000010u);
  EXPECT_TRUE(e.write);
  EXPECT_NE(std::string(e.reason).find("unmapped write"), std::string::npos);
}

TEST_F(EmuAarch64, UndefinedInstructionIsAFaultAtItsPc) {
  const uint32_t code[] = {
      0xd503201f,  // nop
      0x00000000,  // udf #0
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.pc, kEntry + 4);
  EXPECT_NE(std::string(e.reason).find("undefined instruction"), std::string::npos) << e.reason;
  EXPECT_NE(std::string(e.reason).find("ESR 0x2000000"), std::string::npos) << e.reason;
}

TEST_F(EmuAarch64, BrkIsAFault) {
  const uint32_t code[] = {
      0xd42000e0,  // brk #0x7
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.pc, kEntry);
  EXPECT_NE(std::string(e.reason).find("ESR 0xf2000007"), std::string::npos) << e.reason;
}

TEST_F(EmuAarch64, DataAbortReportsTheSyndromeAndFaultAddress) {
  const uint32_t code[] = {
      0xd2a80000,  // mov  x0, #0x40000000
      0x91040c00,  // add  x0, x0, #0x103
      0xc85f7c01,  // ldxr x1, [x0]          unaligned exclusive: alignment fault
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.pc, kEntry + 8);
  EXPECT_EQ(e.addr, kRam + 0x103);
  EXPECT_NE(std::string(e.reason).find("data abort (ESR 0x96000021)"), std::string::npos)
      << e.reason;
}

TEST_F(EmuAarch64, WfiHaltsAndRunResumesAfterIt) {
  const uint32_t code[] = {
      0xd2800020,  // mov x0, #0x1
      0xd503207f,  // wfi
      0xd2800040,  // mov x0, #0x2
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 4);
  EXPECT_EQ(m_vm.gpr(0), 1u);
  e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 12);
  EXPECT_EQ(m_vm.gpr(0), 2u);
}

// The guest's own synchronous exceptions go to its vectors once it has set VBAR_EL1
// (emu_a64_exception.h). Layout: code at kEntry, EL0 code at +0x800, VBAR at +0x1000 with
// handlers at +0x200 (current EL, SP_EL1) and +0x400 (lower EL, AArch64) that copy ESR, FAR,
// ELR and SPSR into x2, x3, x4, x6 and halt; the IRQ entry (+0x480) halts at once.
class Aarch64Vectors : public EmuAarch64 {
 protected:
  static constexpr uint64_t kVbar = kEntry + 0x1000;
  static constexpr uint32_t kNop = 0xd503201f, kWfi = 0xd503207f;
  uint32_t code[0x1500 / 4];

  void SetUp() override {
    EmuAarch64::SetUp();
    for (uint32_t& w : code) w = kNop;
    const uint32_t set_vbar[] = {
        0xd2a80005,  // mov  x5, #0x40000000
        0x914204a5,  // add  x5, x5, #0x81, lsl #12     x5 = kVbar
        0xd518c005,  // msr  vbar_el1, x5
    };
    put(0, set_vbar);
    const uint32_t handler[] = {
        0xd5385202,  // mrs x2, esr_el1
        0xd5386003,  // mrs x3, far_el1
        0xd5384024,  // mrs x4, elr_el1
        0xd5384006,  // mrs x6, spsr_el1
        kWfi,
    };
    put(0x1200, handler);
    put(0x1400, handler);
    const uint32_t irq[] = {kWfi};
    put(0x1480, irq);
  }
  template <size_t N>
  void put(size_t offset, const uint32_t (&words)[N]) {
    for (size_t i = 0; i < N; i++) code[offset / 4 + i] = words[i];
  }
};

TEST_F(Aarch64Vectors, AnAlignmentFaultAtEl1GoesToTheCurrentElVector) {
  const uint32_t fault[] = {
      0xd2a80000,  // mov  x0, #0x40000000
      0x91040c00,  // add  x0, x0, #0x103
      0xc85f7c01,  // ldxr x1, [x0]          unaligned exclusive: alignment fault
  };
  put(0x10, fault);
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  ASSERT_EQ(e.kind, ExitKind::kHalt) << (e.reason != nullptr ? e.reason : "");
  EXPECT_EQ(e.pc, kVbar + 0x200 + 16);
  EXPECT_EQ(m_vm.gpr(2), 0x96000021u);     // EC 0x25 (data abort, same EL), alignment fault
  EXPECT_EQ(m_vm.gpr(3), kRam + 0x103);    // FAR
  EXPECT_EQ(m_vm.gpr(4), kEntry + 0x18);   // ELR: the ldxr itself
  EXPECT_EQ(m_vm.gpr(6) & 0x3ff, 0x3c5u);  // SPSR: EL1h, D A I F masked as at reset
}

TEST_F(Aarch64Vectors, AnSvcFromEl0GoesToTheLowerElVector) {
  const uint32_t to_el0[] = {
      0xd2a80007,  // mov  x7, #0x40000000
      0x914200e7,  // add  x7, x7, #0x80, lsl #12
      0x912000e7,  // add  x7, x7, #0x800      x7 = the EL0 code
      0xd5184027,  // msr  elr_el1, x7
      0xd518401f,  // msr  spsr_el1, xzr       EL0t, interrupts unmasked
      0xd69f03e0,  // eret
  };
  put(0x10, to_el0);
  const uint32_t user[] = {0xd4000841};  // svc #0x42
  put(0x800, user);
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  ASSERT_EQ(e.kind, ExitKind::kHalt) << (e.reason != nullptr ? e.reason : "");
  EXPECT_EQ(e.pc, kVbar + 0x400 + 16);     // the synchronous entry, not the IRQ entry at +0x480
  EXPECT_EQ(m_vm.gpr(2), 0x56000042u);     // EC 0x15 (SVC64), IL, imm16 0x42
  EXPECT_EQ(m_vm.gpr(4), kEntry + 0x804);  // ELR: after the SVC
  EXPECT_EQ(m_vm.gpr(6), 0u);              // SPSR: EL0t
}

TEST_F(Aarch64Vectors, WithoutVectorsAnExceptionStaysAVmFault) {
  const uint32_t udf[] = {0x00000000};  // udf #0 before VBAR_EL1 is set
  uint32_t plain[1];
  plain[0] = udf[0];
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, plain));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.pc, kEntry);
}

}  // namespace
}  // namespace tandem::test
