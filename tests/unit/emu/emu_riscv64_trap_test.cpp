// SPDX-License-Identifier: Apache-2.0
// A riscv64 guest's own synchronous exceptions on the Unicorn backend: taken into its S-mode at
// stvec with scause, sepc, stval and sstatus as the RISC-V Privileged Specification (4.1.1,
// 4.1.7-4.1.9) has a hart write them, from S-mode and from U-mode; ECALL from S stays an SBI
// call. Encodings from riscv64-linux-gnu-as (-march=rv64imac_zicsr, .option norvc) / objdump.
#include "core/arch/riscv64/trap_entry.h"
#include "devices/irq/riscv_irq_chip.h"
#include "tests/unit/emu/emu_machine.h"

namespace tandem::test {
namespace {

using riscv64::SSTATUS_SIE;
using riscv64::SSTATUS_SPIE;
using riscv64::SSTATUS_SPP;

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kEntry = 0x80200000;
constexpr uint64_t kHandler = kEntry + 0x100;
constexpr uint64_t kMmio = 0x10000000;
constexpr unsigned kA0 = 10, kS2 = 18, kS3 = 19, kS4 = 20, kS5 = 21, kS6 = 22;

// Every test starts by pointing stvec at kHandler, which records the trap and halts.
constexpr uint32_t kSetStvec0 = 0x00000297;  // auipc t0, 0
constexpr uint32_t kSetStvec1 = 0x10028293;  // add   t0, t0, 0x100
constexpr uint32_t kSetStvec2 = 0x10529073;  // csrw  stvec, t0
constexpr uint32_t kHandlerCode[] = {
    0x14202973,  // csrr s2, scause
    0x141029f3,  // csrr s3, sepc
    0x14302a73,  // csrr s4, stval
    0x10002af3,  // csrr s5, sstatus
    0x10500073,  // wfi
};

class EmuRiscv64Trap : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(m_vm.build());
    ASSERT_NO_FATAL_FAILURE(m_vm.load(kHandler, kHandlerCode, sizeof kHandlerCode));
  }
  // Runs the guest to the handler's WFI.
  void run_to_handler() {
    const VcpuExit e = m_vm.run();
    ASSERT_EQ(e.kind, ExitKind::kHalt) << (e.reason != nullptr ? e.reason : "");
    ASSERT_EQ(e.pc, kHandler + 16);
  }
  uint64_t scause() { return m_vm.gpr(kS2); }
  uint64_t sepc() { return m_vm.gpr(kS3); }
  uint64_t stval() { return m_vm.gpr(kS4); }
  uint64_t sstatus() { return m_vm.gpr(kS5); }

  EmuMachine m_vm{{Arch::kRiscv64, kRam, 4 << 20, kMmio}};
};

TEST_F(EmuRiscv64Trap, IllegalInstructionFromSupervisorMode) {
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x10016073,  // csrsi sstatus, 2     SIE on: the trap moves it to SPIE
      0x300029f3,  // csrr  s3, mstatus    illegal below M-mode
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 2u);
  EXPECT_EQ(sepc(), kEntry + 16);
  EXPECT_EQ(stval(), 0x300029f3u);  // the instruction's bits, as QEMU writes them
  EXPECT_EQ(sstatus() & (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE), SSTATUS_SPP | SSTATUS_SPIE);
}

TEST_F(EmuRiscv64Trap, EcallFromUserModeIsASystemCallNotAnSbiCall) {
  // The guest's clock for rdtime: 1.2345 ms since the start, 12345 ticks at 10 MHz.
  RiscvIrqChip chip(1, GuestClock{[] { return uint64_t{1'234'500}; }, 0});
  m_vm.exits.set_irq_chip(&chip);
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x00000297,  // auipc  t0, 0
      0x01828293,  // add    t0, t0, 24     the user code below
      0x14129073,  // csrw   sepc, t0
      0x10000293,  // li     t0, 0x100
      0x1002b073,  // csrc   sstatus, t0    SPP = U
      0x10200073,  // sret
      0xc0102b73,  // rdtime s6             user mode from here
      0x01000893,  // li     a7, 16         an SBI base call, if it went to the SBI
      0x00000813,  // li     a6, 0
      0x04d00513,  // li     a0, 77
      0x00000073,  // ecall
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 8u);  // environment call from U-mode
  EXPECT_EQ(sepc(), kEntry + 0x34);
  EXPECT_EQ(stval(), 0u);
  EXPECT_EQ(sstatus() & SSTATUS_SPP, 0u);  // came from U
  EXPECT_EQ(m_vm.gpr(kA0), 77u);           // untouched: the SBI never saw it
  EXPECT_EQ(m_vm.gpr(kS6), 12345u);        // rdtime from U-mode reads the VM's clock
}

TEST_F(EmuRiscv64Trap, EcallFromSupervisorModeStaysAnSbiCall) {
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x01000893,  // li a7, 16            SBI base extension
      0x00000813,  // li a6, 0             sbi_get_spec_version
      0x00000073,  // ecall
      0x00058913,  // mv s2, a1
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  const VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 28);
  EXPECT_EQ(m_vm.gpr(kS2), 2ull << 24);  // version 2.0
}

// Sv39 with one 1 GiB leaf mapping RAM (0x80000000) to itself: anything else faults.
class EmuRiscv64PageFault : public EmuRiscv64Trap {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(EmuRiscv64Trap::SetUp());
    const uint64_t root[4] = {0, 0, (0x80000ull << 10) | 0xCF, 0};  // V R W X A D
    ASSERT_NO_FATAL_FAILURE(m_vm.load(kRam + 0x1000, root, sizeof root));
  }
  // The code that turns paging on, then `insn` and `next` with a1 = 0x40000000.
  void boot_with(uint32_t insn, uint32_t next = 0x10500073) {
    const uint32_t code[] = {
        kSetStvec0, kSetStvec1, kSetStvec2,
        0x00800293,  // li   t0, 8           satp.MODE = Sv39
        0x03c29293,  // sll  t0, t0, 0x3c
        0x00080337,  // lui  t1, 0x80
        0x00130313,  // add  t1, t1, 1       root table at 0x80001000
        0x0062e2b3,  // or   t0, t0, t1
        0x18029073,  // csrw satp, t0
        0x12000073,  // sfence.vma
        0x400005b7,  // lui  a1, 0x40000
        insn,       next,
        0x10500073,  // wfi
    };
    ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  }
};

TEST_F(EmuRiscv64PageFault, LoadPageFaultReportsTheAddress) {
  ASSERT_NO_FATAL_FAILURE(boot_with(0x0085b503));  // ld a0, 8(a1)
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 13u);
  EXPECT_EQ(sepc(), kEntry + 0x2c);
  EXPECT_EQ(stval(), 0x40000008u);
  EXPECT_NE(sstatus() & SSTATUS_SPP, 0u);
}

TEST_F(EmuRiscv64PageFault, StorePageFaultReportsTheAddress) {
  ASSERT_NO_FATAL_FAILURE(boot_with(0x00a5b823));  // sd a0, 16(a1)
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 15u);
  EXPECT_EQ(sepc(), kEntry + 0x2c);
  EXPECT_EQ(stval(), 0x40000010u);
}

TEST_F(EmuRiscv64PageFault, InstructionPageFaultIsAtTheTarget) {
  ASSERT_NO_FATAL_FAILURE(boot_with(0x00058067));  // jr a1
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 12u);
  EXPECT_EQ(sepc(), 0x40000000u);
  EXPECT_EQ(stval(), 0x40000000u);
}

TEST_F(EmuRiscv64PageFault, AFaultTheVectorCannotTakeEndsTheVm) {
  // stvec at an unmapped page: the handler's own fetch would fault again, forever.
  ASSERT_NO_FATAL_FAILURE(boot_with(0x10559073, 0x0085b503));  // csrw stvec, a1; ld a0, 8(a1)
  const VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_STREQ(e.reason, "load page fault");
  EXPECT_EQ(e.addr, 0x40000008u);
  EXPECT_EQ(e.pc, kEntry + 0x30);
}

TEST_F(EmuRiscv64Trap, MisalignedAtomicIsTheGuests) {
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x00000617,  // auipc    a2, 0
      0x00260613,  // add      a2, a2, 2   kEntry + 14: not 4-byte aligned
      0x00b6252f,  // amoadd.w a0, a1, (a2)
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 6u);  // store/AMO address misaligned
  EXPECT_EQ(sepc(), kEntry + 20);
  EXPECT_EQ(stval(), kEntry + 14);
}

TEST_F(EmuRiscv64Trap, MisalignedLoadReservedIsALoad) {
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x00000617,  // auipc a2, 0
      0x00360613,  // add   a2, a2, 3    kEntry + 15: not 8-byte aligned
      0x1006352f,  // lr.d  a0, (a2)
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 4u);  // load address misaligned
  EXPECT_EQ(sepc(), kEntry + 20);
  EXPECT_EQ(stval(), kEntry + 15);
}

TEST_F(EmuRiscv64Trap, BreakpointIsTheGuests) {
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x00100073,  // ebreak
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  ASSERT_NO_FATAL_FAILURE(run_to_handler());
  EXPECT_EQ(scause(), 3u);
  EXPECT_EQ(sepc(), kEntry + 12);
  EXPECT_EQ(stval(), kEntry + 12);
}

TEST_F(EmuRiscv64Trap, AccessWithNoRamOrDeviceStaysTheVmsPolicy) {
  const uint32_t code[] = {
      kSetStvec0, kSetStvec1, kSetStvec2,
      0x200005b7,  // lui a1, 0x20000
      0x0085b503,  // ld  a0, 8(a1)
      0x10500073,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  const VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x20000008u);
}

}  // namespace
}  // namespace tandem::test
