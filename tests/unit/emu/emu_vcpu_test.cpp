// SPDX-License-Identifier: Apache-2.0
// Backend behaviour that does not depend on the architecture, shown with aarch64 guests:
// stopping a guest that never exits, a device that stops the VM mid-run, creation limits, and
// the cost of an MMIO exit.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "tests/unit/emu/emu_machine.h"

namespace tandem::test {
namespace {

constexpr uint64_t kRam = 0x40000000;
constexpr uint64_t kEntry = 0x40080000;
constexpr uint64_t kMmio = 0x09000000;

class EmuVcpuTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(m_vm.build()); }
  EmuMachine m_vm{{Arch::kAarch64, kRam, 2 << 20, kMmio}};
};

TEST_F(EmuVcpuTest, RequestStopFromAnotherThreadEndsAGuestThatNeverExits) {
  const uint32_t code[] = {
      0x91000400,  // 1: add x0, x0, #1
      0x17ffffff,  //    b 1b
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  // A time-slice timer: one request per slice, landing anywhere from before run() starts to
  // well into it, including the window where Unicorn itself would drop a uc_emu_stop.
  for (int slice = 0; slice < 50; ++slice) {
    std::thread timer([&] {
      std::this_thread::sleep_for(std::chrono::microseconds(slice % 50 * 5));
      m_vm.vcpu->request_stop();
    });
    const uint64_t before = m_vm.gpr(0);
    VcpuExit e = m_vm.run_slice();
    timer.join();
    EXPECT_EQ(e.kind, ExitKind::kTimeout);
    EXPECT_GE(m_vm.gpr(0), before);  // the guest resumes where it stopped
    ASSERT_FALSE(m_vm.exits.stopped());
  }
  EXPECT_GT(m_vm.gpr(0), 0u);
}

// A cross-thread uc_emu_stop that lands after a guest load makes Unicorn resume at the start of
// the translation block, re-running what the block had already done (UNICORN.md, Linux probe:
// 1999 of 2000 such stops). Here the block counts in x3 before its loads and in memory after
// them, so a replayed block leaves x3 ahead of memory. Stops come from another thread at random
// points; every one must leave the two equal.
TEST_F(EmuVcpuTest, StopsFromAnotherThreadNeverReplayPartOfABlock) {
  const uint32_t code[] = {
      0xd2a80201,  // mov x1, #0x40100000
      0x91000463,  // 1: add x3, x3, #1
      0xf9400022,  //    ldr x2, [x1]
      0xf9400424,  //    ldr x4, [x1, #8]
      0xf9400825,  //    ldr x5, [x1, #16]
      0xf9400c26,  //    ldr x6, [x1, #24]
      0x91000442,  //    add x2, x2, #1
      0xf9000022,  //    str x2, [x1]
      0x17fffff9,  //    b 1b
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  std::atomic<bool> done{false};
  std::thread stopper([&] {
    std::minstd_rand rng(11);
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
      m_vm.vcpu->request_stop();
    }
  });
  constexpr int kSlices = 2000;
  int mismatches = 0;
  for (int slice = 0; slice < kSlices; ++slice) {
    ASSERT_EQ(m_vm.run_slice().kind, ExitKind::kTimeout);
    uint64_t memory = 0;
    std::memcpy(&memory, m_vm.ram + 0x100000, sizeof memory);
    if (m_vm.gpr(3) != memory) ++mismatches;
  }
  done.store(true);
  stopper.join();
  EXPECT_EQ(mismatches, 0) << "of " << kSlices << " stops; x3 = " << m_vm.gpr(3);
  EXPECT_GT(m_vm.gpr(3), uint64_t{kSlices});  // the guest made progress between stops
}

TEST_F(EmuVcpuTest, MmioWriteThatPowersOffIsSeenOnceAndStopsTheGuest) {
  m_vm.mmio_dev.power = &m_vm.exits.stop_info();  // like sifive_test / an exit device
  const uint32_t code[] = {
      0xd2a12003,  // mov x3, #0x9000000
      0x52800064,  // mov w4, #3
      0xb9000064,  // str w4, [x3]
      0xf9000020,  // str x0, [x1]          x1 = 0: would be an unmapped write
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kSystemDown);
  EXPECT_EQ(e.value, 3u);
  // Stopping inside the MMIO callback would replay the store on resume (UNICORN.md section 3);
  // the backend never resumes a stopped VM, so the device saw it exactly once.
  EXPECT_EQ(m_vm.run().kind, ExitKind::kSystemDown);
  EXPECT_EQ(m_vm.mmio_dev.writes, (std::vector<Access>{{0, 4, 3}}));
}

TEST(EmuVcpuCreate, OnDemandRamIsRefused) {
  hosted::HostPagingHandler paging;
  PagingHandlerAdapter<hosted::HostPagingHandler> frames{paging};
  DeviceBus bus;
  VmExits exits(bus);
  Result<AddressSpace> as = AddressSpace::create(frames, Stage2Config{});
  ASSERT_TRUE(as.ok());
  ASSERT_TRUE(as->add_ram_on_demand(Gpa(kRam), 1 << 20).ok());
  Result<EmuVcpu> v = EmuVcpu::create(VcpuSetup{Arch::kAarch64, 0, *as, exits});
  EXPECT_EQ(v.error(), Status::kUnsupported);
}

// Not an assertion on speed (hosts vary): prints the cost of one MMIO exit round trip, guest
// load -> VmExits -> DeviceBus -> device -> register, over a RAM-load baseline.
// A guest that runs through more fresh code than the engine's translation buffer holds: the
// buffer is dropped between runs before it fills (2.1.1 may crash when it fills mid-run), so its
// resident size stays within the bound and the guest finishes (emu_code_buffer.h).
TEST(EmuTranslationBuffer, FreshCodeBeyondTheBufferIsDroppedBetweenRuns) {
  constexpr uint64_t kCodeMiB = 64;  // ~90 MiB of host code, more than the 64 MiB buffer
  EmuMachine vm{{Arch::kAarch64, kRam, (kCodeMiB + 2) << 20, kMmio}};
  ASSERT_NO_FATAL_FAILURE(vm.build());
  const uint32_t entry[] = {
      0x94040000,  // bl   kEntry + 0x100000
      0xd503207f,  // wfi
  };
  std::vector<uint32_t> code((kCodeMiB << 20) / 4, 0xd503201f);  // nop
  code.back() = 0xd65f03c0;                                      // ret
  const uint64_t code_at = kEntry + 0x100000;
  ASSERT_NO_FATAL_FAILURE(vm.load(code_at, code.data(), code.size() * 4));
  ASSERT_NO_FATAL_FAILURE(vm.boot(kEntry, entry));
  const VcpuExit e = vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 4);
  EXPECT_GE(vm.vcpu->translation_drops(), 1u);
  EXPECT_LE(vm.vcpu->translation_resident_bytes(), size_t{64} << 20);
}

TEST_F(EmuVcpuTest, MmioExitRoundTripCost) {
  uint32_t code[] = {
      0xd2a12003,  // mov  x3, #0x9000000   (patched to #0x40000000 for the RAM baseline)
      0xd2800005,  // mov  x5, #0
      0xd2a00206,  // mov  x6, #0x100000
      0xb9400064,  // 1: ldr w4, [x3]
      0x910004a5,  //    add x5, x5, #1
      0xeb0600bf,  //    cmp x5, x6
      0x54ffffa1,  //    b.ne 1b
      0xd503207f,  // wfi
  };
  auto time_run = [&](uint32_t first) {
    code[0] = first;
    EmuMachine fresh{{Arch::kAarch64, kRam, 2 << 20, kMmio}};
    fresh.build();
    fresh.mmio_dev.record = false;
    fresh.boot(kEntry, code);
    const auto t0 = std::chrono::steady_clock::now();
    VcpuExit e = fresh.run();
    const auto t1 = std::chrono::steady_clock::now();
    EXPECT_EQ(e.kind, ExitKind::kHalt);
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
  };
  constexpr double kIterations = 0x100000;
  const double ram = time_run(0xd2a80003);   // mov x3, #0x40000000
  const double mmio = time_run(0xd2a12003);  // mov x3, #0x9000000
  std::printf("[ measure  ] MMIO exit round trip: %.1f ns (loop with RAM load: %.1f ns)\n",
              (mmio - ram) / kIterations, ram / kIterations);
}

}  // namespace
}  // namespace tandem::test
