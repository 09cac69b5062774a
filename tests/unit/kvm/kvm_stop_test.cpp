// SPDX-License-Identifier: Apache-2.0
// request_stop(): from another thread while the guest spins, and before run().
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "unit/kvm/kvm_fixture.h"

namespace tandem::kvm_test {
namespace {

const uint8_t kSpin[] = {
    0xeb, 0xfe,  // 1: jmp 1b
};

TEST_F(KvmTest, RequestStopFromAnotherThreadEndsRunWithTimeout) {
  boot64(kSpin);
  for (int round = 0; round < 3; ++round) {  // the vCPU resumes after each stop
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      vcpu().request_stop();
    });
    const VcpuExit exit = run();
    stopper.join();
    EXPECT_EQ(exit.kind, ExitKind::kTimeout);
    EXPECT_EQ(exit.pc, kCodeGpa);
  }
  EXPECT_FALSE(m_exits.stopped());
}

TEST_F(KvmTest, RequestStopBeforeRunReturnsAtOnce) {
  boot64(kSpin);
  vcpu().request_stop();
  EXPECT_EQ(run().kind, ExitKind::kTimeout);
}

TEST_F(KvmTest, MachineRefusesOtherArchitecturesAndVcpuIds) {
  DeviceBus bus;
  VmExits exits(bus);
  EXPECT_EQ(KvmMachine::create({Arch::kAarch64, 1, *m_space, exits}).error(), Status::kUnsupported);
  EXPECT_EQ(m_machine->create_vcpu(1).error(), Status::kInvalidArgument);
}

TEST_F(KvmTest, OnDemandRamCannotBeAMemorySlot) {
  auto space = AddressSpace::create(m_frames, Stage2Config::of(Stage2Format::kEpt));
  ASSERT_TRUE(space.ok());
  ASSERT_TRUE(space->add_ram_on_demand(Gpa(0), 1 << 20).ok());
  EXPECT_EQ(KvmMachine::create({Arch::kX86_64, 1, *space, m_exits}).error(), Status::kUnsupported);
}

}  // namespace
}  // namespace tandem::kvm_test
