// SPDX-License-Identifier: Apache-2.0
// riscv64 guests on the Unicorn backend, entered in S-mode. Encodings from riscv64-linux-gnu-as
// (-march=rv64imac_zicsr, .option norvc) / objdump; the layout is QEMU virt's (RAM at
// 0x80000000, entry 0x80200000, the test device where the NS16550 sits).
#include <string>

#include "core/arch/riscv64/sbi.h"
#include "devices/irq/riscv_irq_chip.h"
#include "tests/unit/emu/emu_machine.h"

namespace tandem::test {
namespace {

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kEntry = 0x80200000;
constexpr uint64_t kMmio = 0x10000000;
constexpr unsigned kA0 = 10, kA1 = 11, kS2 = 18, kS3 = 19, kS4 = 20, kS5 = 21, kS6 = 22, kS7 = 23,
                   kS8 = 24;

class EmuRiscv64 : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(m_vm.build()); }
  EmuMachine m_vm{{Arch::kRiscv64, kRam, 4 << 20, kMmio}};
};

TEST_F(EmuRiscv64, EntersSupervisorModeWithHartIdAndDtbInA0A1) {
  const uint32_t code[] = {
      0x10002973,  // csrr s2, sstatus     legal in S-mode (mstatus is not: emu_riscv64_trap_test)
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code, 0x82000000));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 4);
  EXPECT_EQ(m_vm.gpr(kA0), 0u);  // hart id
  EXPECT_EQ(m_vm.gpr(kA1), 0x82000000u);
  EXPECT_EQ(m_vm.gpr(2), kRam + (4 << 20) - 16);  // sp
  // The trampoline only works once: the engine has left M-mode.
  BootState again;
  again.pc = kEntry;
  EXPECT_EQ(m_vm.vcpu->set_boot_state(again).error(), Status::kUnsupported);
}

TEST_F(EmuRiscv64, BranchesBackToTheEntryRunOn) {
  // The trampoline run stops on arrival at the entry; that stop must not stay in the
  // translation of the entry block.
  const uint32_t code[] = {
      0x00190913,  // 1: add s2, s2, 1
      0x00300293,  //    li  t0, 3
      0xfe594ce3,  //    blt s2, t0, 1b
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 12);
  EXPECT_EQ(m_vm.gpr(kS2), 3u);
}

TEST_F(EmuRiscv64, MmioStoresReachTheDeviceWithOffsetWidthAndValue) {
  const uint32_t code[] = {
      0x100006b7,  // lui  a3, 0x10000
      0x00038737,  // lui  a4, 0x38
      0xab77071b,  // addw a4, a4, -1353
      0x00e71713,  // sll  a4, a4, 0xe
      0xeef70713,  // add  a4, a4, -273    a4 = 0xdeadbeef
      0x00e6a823,  // sw   a4, 16(a3)
      0x00e681a3,  // sb   a4, 3(a3)
      0x00e69323,  // sh   a4, 6(a3)
      0x02071793,  // sll  a5, a4, 0x20
      0x00e7e7b3,  // or   a5, a5, a4      a5 = 0xdeadbeefdeadbeef
      0x00f6bc23,  // sd   a5, 24(a3)
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  // The 8-byte store arrives as two 4-byte halves (see the aarch64 test).
  const std::vector<Access> want = {{0x10, 4, 0xdeadbeef},
                                    {0x3, 1, 0xef},
                                    {0x6, 2, 0xbeef},
                                    {0x18, 4, 0xdeadbeef},
                                    {0x1c, 4, 0xdeadbeef}};
  EXPECT_EQ(m_vm.mmio_dev.writes, want);
}

TEST_F(EmuRiscv64, MmioLoadsAreSignOrZeroExtendedIntoTheRegister) {
  const uint32_t code[] = {
      0x100006b7,  // lui a3, 0x10000
      0x00468903,  // lb  s2, 4(a3)
      0x0046c983,  // lbu s3, 4(a3)
      0x00869a03,  // lh  s4, 8(a3)
      0x0086da83,  // lhu s5, 8(a3)
      0x00c6ab03,  // lw  s6, 12(a3)
      0x00c6eb83,  // lwu s7, 12(a3)
      0x0106bc03,  // ld  s8, 16(a3)
      0x10500073,  // wfi
  };
  m_vm.mmio_dev.read_value = 0x88776655f4f38281;
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(kS2), 0xffffffffffffff81u);
  EXPECT_EQ(m_vm.gpr(kS3), 0x81u);
  EXPECT_EQ(m_vm.gpr(kS4), 0xffffffffffff8281u);
  EXPECT_EQ(m_vm.gpr(kS5), 0x8281u);
  EXPECT_EQ(m_vm.gpr(kS6), 0xfffffffff4f38281u);
  EXPECT_EQ(m_vm.gpr(kS7), 0xf4f38281u);
  EXPECT_EQ(m_vm.gpr(kS8), 0xf4f38281f4f38281u);
}

TEST_F(EmuRiscv64, EcallReachesSbi) {
  const uint32_t code[] = {
      0x01000893,  // li a7, 16            SBI base extension
      0x00000813,  // li a6, 0             sbi_get_spec_version
      0x00000073,  // ecall
      0x00050913,  // mv s2, a0
      0x00058993,  // mv s3, a1
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(kS2), static_cast<uint64_t>(SBI_SUCCESS));
  EXPECT_EQ(m_vm.gpr(kS3), kSbiSpecVersion2_0);
}

TEST_F(EmuRiscv64, SbiShutdownStopsBeforeTheNextInstruction) {
  const uint32_t code[] = {
      0x535258b7,  // lui  a7, 0x53525
      0x3548889b,  // addw a7, a7, 852     SRST
      0x00000813,  // li   a6, 0           sbi_system_reset
      0x00000513,  // li   a0, 0           shutdown
      0x00000593,  // li   a1, 0           no reason
      0x00000073,  // ecall
      0x00a03023,  // sd   a0, 0(zero)     would be an unmapped write
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kSystemDown);
  EXPECT_EQ(m_vm.exits.stop_info().kind, StopKind::kPowerOff);
  EXPECT_EQ(m_vm.exits.stop_info().status, 0);
}

TEST_F(EmuRiscv64, IllegalInstructionWithoutAHandlerIsAFaultAtItsPc) {
  // stvec is still 0 at entry, where nothing is mapped: the guest cannot take it.
  const uint32_t code[] = {
      0x00000013,  // nop
      0x00000000,  // .word 0              illegal
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.pc, kEntry + 4);
  EXPECT_STREQ(e.reason, "illegal instruction");
}

TEST_F(EmuRiscv64, UnmappedReadIsAFaultNamingTheAddress) {
  const uint32_t code[] = {
      0x200005b7,  // lui a1, 0x20000
      0x0085b503,  // ld  a0, 8(a1)
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x20000008u);
  EXPECT_NE(std::string(m_vm.exits.stop_info().message).find("0x20000008"), std::string::npos)
      << m_vm.exits.stop_info().message;
}

// With the virt board's PLIC + CLINT model driving the hart's interrupt inputs.
class EmuRiscv64Irq : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(m_vm.build()); }
  EmuMachine m_vm{{Arch::kRiscv64, kRam, 4 << 20, kMmio, true}};
};

TEST_F(EmuRiscv64Irq, EveryIpiToAWaitingHartIsTaken) {
  // Another hart's IPIs, as the VM's SBI raises them while this one waits in WFI. sip.SSIP is
  // an edge the guest clears itself; after the first, the guest halts again without any device
  // or SBI access, and the second must still reach it.
  const uint32_t code[] = {
      0x00000297,  // auipc t0, 0
      0x10028293,  // add   t0, t0, 0x100    stvec = the handler below
      0x10529073,  // csrw  stvec, t0
      0x00200293,  // li    t0, 2
      0x1042a073,  // csrs  sie, t0          SSIE
      0x10016073,  // csrsi sstatus, 2       SIE
      0x00000913,  // li    s2, 0            interrupts taken
      0x10500073,  // 1: wfi
      0xffdff06f,  //    j 1b
  };
  const uint32_t handler[] = {
      0x00200293,  // li    t0, 2
      0x1442b073,  // csrc  sip, t0
      0x00190913,  // add   s2, s2, 1
      0x10200073,  // sret
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.load(kEntry + 0x100, handler, sizeof handler));
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  auto* chip = static_cast<RiscvIrqChip*>(m_vm.exits.irq_chip());
  ASSERT_NE(chip, nullptr);
  for (uint64_t n = 0; n <= 3; ++n) {
    const VcpuExit e = m_vm.run();
    EXPECT_EQ(e.kind, ExitKind::kHalt);
    EXPECT_EQ(e.pc, kEntry + 0x1c);
    EXPECT_EQ(m_vm.gpr(kS2), n);
    EXPECT_EQ(chip->cpu_lines(0), 0u);  // delivered: the chip no longer reports it
    chip->send_ipi(0);
    EXPECT_EQ(chip->wake_lines(0), cpu_irq::kSsip);
  }
}

TEST_F(EmuRiscv64Irq, AnIpiAlreadyInSipCompletesWfi) {
  // Linux's idle loop: interrupts off (sstatus.SIE clear), an IPI arrives and lands in sip,
  // then WFI. The chip has handed the edge over, so only the engine knows; the WFI must
  // complete (priv spec 3.3.3), not wait for some later interrupt.
  const uint32_t code[] = {
      0x00200293,  // li    t0, 2
      0x1042a073,  // csrs  sie, t0          SSIE; sstatus.SIE stays clear
      0x10500073,  // wfi                    SSIP is pending: completes at once
      0x14402973,  // csrr  s2, sip
      0x1442b073,  // csrc  sip, t0
      0x10500073,  // wfi                    nothing pending: halts here
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  auto* chip = static_cast<RiscvIrqChip*>(m_vm.exits.irq_chip());
  ASSERT_NE(chip, nullptr);
  chip->send_ipi(0);
  VcpuExit e = m_vm.run();
  for (int i = 0; i < 4 && e.kind == ExitKind::kTimeout; ++i) e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 0x14);
  EXPECT_EQ(m_vm.gpr(kS2) & cpu_irq::kSsip, cpu_irq::kSsip);
  EXPECT_EQ(chip->cpu_lines(0), 0u);
}

TEST_F(EmuRiscv64Irq, AHaltedHartIsWokenOnlyByWhatItEnabledInSie) {
  const uint32_t code[] = {
      0x00200293,  // li    t0, 2
      0x1042a073,  // csrs  sie, t0          SSIE only
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  auto* chip = static_cast<RiscvIrqChip*>(m_vm.exits.irq_chip());
  ASSERT_NE(chip, nullptr);
  chip->set_timer(0, 0);  // due, but STIE is clear: WFI does not wake for it (priv spec 3.3.3)
  const VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(chip->cpu_lines(0), cpu_irq::kStip);
  EXPECT_EQ(chip->wake_lines(0), 0u);
  chip->send_ipi(0);
  EXPECT_EQ(chip->wake_lines(0), cpu_irq::kSsip);
}

}  // namespace
}  // namespace tandem::test
