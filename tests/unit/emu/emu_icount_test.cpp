// SPDX-License-Identifier: Apache-2.0
// --icount on the Unicorn backend (backends/emu/emu_icount.h): the count at every exit is the
// number of instructions the guest ran, where a block ended early as well as at block ends,
// guest time follows it, and a timer deadline ends the slice at that count.
#include <utility>
#include <vector>

#include "backends/emu/emu_icount.h"
#include "tests/unit/emu/emu_machine.h"

namespace tandem::test {
namespace {

// The process-wide icount clock, on for one test (before its vCPU is created).
class IcountOn {
 public:
  explicit IcountOn(unsigned shift) { EXPECT_TRUE(emu::enable_icount(shift).ok()); }
  ~IcountOn() { emu::disable_icount(); }
  IcountOn(const IcountOn&) = delete;
  IcountOn& operator=(const IcountOn&) = delete;
};

// The count at each exit the VM handles.
class CountTracer final : public ExitTracer {
 public:
  void trace(unsigned /*cpu*/, const VcpuExit& e) override {
    seen.emplace_back(e.kind, emu::icount_now());
  }
  std::vector<std::pair<ExitKind, uint64_t>> seen;
};

uint64_t icount_clock() { return emu::icount_now_ns(); }

constexpr uint64_t kA64Ram = 0x40000000;
constexpr uint64_t kA64Entry = 0x40080000;
constexpr uint64_t kA64Mmio = 0x09000000;

// Shift 4: 16 ns per instruction, one tick of the 62.5 MHz generic timer, so CNTVCT_EL0 reads
// the instruction count itself.
class EmuIcountAarch64 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(m_vm.build());
    m_vm.exits.set_tracer(&m_tracer, false);
  }
  IcountOn m_icount{4};
  EmuMachine m_vm{{Arch::kAarch64, kA64Ram, 2 << 20, kA64Mmio, true, &icount_clock}};
  CountTracer m_tracer;
};

TEST_F(EmuIcountAarch64, CountsEveryInstructionOfALoopAHypercallAndTheWfi) {
  const uint32_t code[] = {
      0xd2800c80,  //    mov x0, #100
      0xf1000400,  // 1: subs x0, x0, #1
      0x54ffffe1,  //    b.ne 1b
      0xd2b08000,  //    mov x0, #0x84000000   PSCI_VERSION
      0xd4000002,  //    hvc #0                completes: counted at its exit
      0xd503207f,  //    wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kA64Entry, code));
  const VcpuExit e = m_vm.run();
  ASSERT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kA64Entry + 20);
  EXPECT_EQ(m_vm.gpr(0), 0x10001u);  // PSCI 1.1 answered the hypercall
  ASSERT_FALSE(m_tracer.seen.empty());
  EXPECT_EQ(m_tracer.seen.back(), std::make_pair(ExitKind::kHypercall, uint64_t{1 + 200 + 2}));
  EXPECT_EQ(emu::icount_now(), 1u + 200 + 3);
  EXPECT_EQ(emu::icount_now_ns(), (1u + 200 + 3) * 16);
}

TEST_F(EmuIcountAarch64, TheCounterReadInTheMiddleOfABlockIsTheCountBeforeTheRead) {
  const uint32_t code[] = {
      0xd503201f,  // nop
      0xd503201f,  // nop
      0xd503201f,  // nop
      0xd53be040,  // mrs x0, cntvct_el0   after 3 instructions
      0xd503201f,  // nop
      0xd503201f,  // nop
      0xd53be041,  // mrs x1, cntvct_el0   after 6
      0xd503207f,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kA64Entry, code));
  ASSERT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(0), 3u);
  EXPECT_EQ(m_vm.gpr(1), 6u);
  EXPECT_EQ(emu::icount_now(), 8u);
}

TEST_F(EmuIcountAarch64, ATimerDeadlineEndsTheSliceAtThatCount) {
  // The timer fires at CNTVCT 1000, interrupts stay masked (DAIF at reset): the slice ends at the
  // first block boundary at count 1000 or later, and the loop's blocks are 2 instructions.
  const uint32_t code[] = {
      0xd2807d00,  //    mov x0, #1000
      0xd51be340,  //    msr cntv_cval_el0, x0
      0xd2800020,  //    mov x0, #1
      0xd51be320,  //    msr cntv_ctl_el0, x0     enabled, not masked
      0x91000442,  // 1: add x2, x2, #1
      0x17ffffff,  //    b 1b
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kA64Entry, code));
  const VcpuExit e = m_vm.run_slice();
  EXPECT_EQ(e.kind, ExitKind::kTimeout);
  EXPECT_EQ(emu::icount_now(), 4 + 2 * m_vm.gpr(2));
  EXPECT_EQ(emu::icount_now(), 1000u);
}

constexpr uint64_t kRvRam = 0x80000000;
constexpr uint64_t kRvEntry = 0x80200000;
constexpr uint64_t kRvMmio = 0x10000000;

// Shift 10: 1024 ns per instruction, so the 10 MHz `time` CSR (100 ns per tick) tells counts
// apart. Counting starts at the entry (not at the trampoline's mret that enters S-mode).
class EmuIcountRiscv64 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(m_vm.build());
    m_vm.exits.set_tracer(&m_tracer, false);
  }
  IcountOn m_icount{10};
  EmuMachine m_vm{{Arch::kRiscv64, kRvRam, 4 << 20, kRvMmio, true, &icount_clock}};
  CountTracer m_tracer;
};

TEST_F(EmuIcountRiscv64, CountsCompressedAndFullInstructionsAlike) {
  // riscv64-linux-gnu-as -march=rv64imac_zicsr, little-endian halfwords.
  const uint16_t code[] = {
      0x4515,          //    c.li a0, 5
      0x157d,          // 1: c.addi a0, -1
      0x1fe3, 0xfe05,  //    bnez a0, 1b
      0x0593, 0x0030,  //    li a1, 3
      0x0073, 0x1050,  //    wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kRvEntry, code));
  const VcpuExit e = m_vm.run();
  ASSERT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(11), 3u);
  EXPECT_EQ(emu::icount_now(), 1u + 5 * 2 + 2);
}

TEST_F(EmuIcountRiscv64, ATimeReadInTheMiddleOfABlockCountsTheInstructionsBeforeIt) {
  const uint16_t code[] = {
      0x0001,          // c.nop
      0x0001,          // c.nop
      0x0013, 0x0000,  // nop
      0x2673, 0xc010,  // rdtime a2     the 4th instruction: it completes
      0x0073, 0x1050,  // wfi
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kRvEntry, code));
  ASSERT_EQ(m_vm.run().kind, ExitKind::kHalt);
  ASSERT_FALSE(m_tracer.seen.empty());
  EXPECT_EQ(m_tracer.seen.back(), std::make_pair(ExitKind::kSysRegRead, uint64_t{4}));
  EXPECT_EQ(m_vm.gpr(12), 4u * 1024 / 100);  // the count of that exit, as guest time
  EXPECT_EQ(emu::icount_now(), 5u);
}

TEST(EmuIcount, VcpusOfAnArchitectureWithTimersAreCounted) {
  IcountOn icount(0);
  EmuMachine x86{{Arch::kX86_64, 0, 2 << 20, 0xfee00000}};
  Stage2Config s2 = Stage2Config::of(Stage2Format::kEpt);
  Result<AddressSpace> space = AddressSpace::create(x86.frames, s2);
  ASSERT_TRUE(space.ok());
  ASSERT_TRUE(space->add_ram_alloc(Gpa(0), 2 << 20).ok());
  // x86_64 on emu has no timers: nothing there to make deterministic.
  EXPECT_EQ(EmuVcpu::create(VcpuSetup{Arch::kX86_64, 0, *space, x86.exits, 1, nullptr, {}}).error(),
            Status::kUnsupported);
  EmuMachine a64{{Arch::kAarch64, kA64Ram, 2 << 20, kA64Mmio}};
  ASSERT_NO_FATAL_FAILURE(a64.build());
  // A second vCPU shares the count (the VM runs them in turn on one thread).
  EXPECT_TRUE(
      EmuVcpu::create(VcpuSetup{Arch::kAarch64, 1, *a64.space, a64.exits, 2, nullptr, {}}).ok());
}

}  // namespace
}  // namespace tandem::test
