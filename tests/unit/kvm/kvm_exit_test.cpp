// SPDX-License-Identifier: Apache-2.0
// Port I/O, MMIO, isa-debug-exit and fault exits of the KVM backend with tiny 64-bit guests.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "unit/kvm/kvm_fixture.h"

namespace tandem::kvm_test {
namespace {

TEST_F(KvmTest, OutReachesThePortDeviceWithItsWidthAndValue) {
  const uint8_t code[] = {
      0x66, 0xba, 0x00, 0x05,        // mov    $0x500,%dx
      0xb0, 0xab,                    // mov    $0xab,%al
      0xee,                          // out    %al,(%dx)
      0x66, 0xb8, 0xef, 0xbe,        // mov    $0xbeef,%ax
      0x66, 0xef,                    // out    %ax,(%dx)
      0xb8, 0xef, 0xbe, 0xad, 0xde,  // mov    $0xdeadbeef,%eax
      0xef,                          // out    %eax,(%dx)
      0xe6, 0xf4,                    // out %al,$0xf4: isa-debug-exit ends the run
  };
  boot64(code);
  const VcpuExit exit = run();
  EXPECT_EQ(exit.kind, ExitKind::kSystemDown);
  EXPECT_EQ(exit.value, 0xefu);
  ASSERT_EQ(m_port.accesses.size(), 3u);
  const Access want[] = {
      {true, 0, 1, 0xab, 0}, {true, 0, 2, 0xbeef, 0}, {true, 0, 4, 0xdeadbeef, 0}};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(m_port.accesses[i].write);
    EXPECT_EQ(m_port.accesses[i].offset, want[i].offset);
    EXPECT_EQ(m_port.accesses[i].size, want[i].size);
    EXPECT_EQ(m_port.accesses[i].value, want[i].value);
  }
}

TEST_F(KvmTest, InReturnsTheDeviceValueInAlAxEax) {
  const uint8_t code[] = {
      0x31, 0xc0,              // xor    %eax,%eax
      0x66, 0xba, 0x00, 0x05,  // mov    $0x500,%dx
      0xec,                    // in     (%dx),%al
      0x48, 0x89, 0xc3,        // mov    %rax,%rbx
      0x66, 0xed,              // in     (%dx),%ax
      0x48, 0x89, 0xc1,        // mov    %rax,%rcx
      0xed,                    // in     (%dx),%eax
      0xe6, 0xf4,              // out %al,$0xf4: isa-debug-exit ends the run
  };
  m_port.read_value = 0x12345678;
  boot64(code);
  EXPECT_EQ(run().kind, ExitKind::kSystemDown);
  EXPECT_EQ(gpr(kRbx), 0x78u);
  EXPECT_EQ(gpr(kRcx), 0x5678u);
  EXPECT_EQ(gpr(kRax), 0x12345678u);
  ASSERT_EQ(m_port.accesses.size(), 3u);
  EXPECT_EQ(m_port.accesses[0].size, 1u);
  EXPECT_EQ(m_port.accesses[1].size, 2u);
  EXPECT_EQ(m_port.accesses[2].size, 4u);
}

TEST_F(KvmTest, MmioStoresAndLoadsReachTheDevice) {
  const uint8_t code[] = {
      0x48, 0xbf, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x00, 0x00, 0x00,  // movabs $0xd0000000,%rdi
      0xc7, 0x47, 0x10, 0x0d, 0xf0, 0xfe, 0xca,                    // movl   $0xcafef00d,0x10(%rdi)
      0x66, 0xc7, 0x47, 0x18, 0x34, 0x12,                          // movw   $0x1234,0x18(%rdi)
      0x48, 0x8b, 0x47, 0x20,                                      // mov    0x20(%rdi),%rax
      0x0f, 0xb6, 0x5f, 0x28,                                      // movzbl 0x28(%rdi),%ebx
      0xe6, 0xf4,  // out %al,$0xf4: isa-debug-exit ends the run
  };
  m_mmio.read_value = 0x1122334455667788;
  boot64(code);
  EXPECT_EQ(run().kind, ExitKind::kSystemDown);
  ASSERT_EQ(m_mmio.accesses.size(), 4u);
  const Access want[] = {{true, 0x10, 4, 0xcafef00d, 0},
                         {true, 0x18, 2, 0x1234, 0},
                         {false, 0x20, 8, 0x1122334455667788, 0},
                         {false, 0x28, 1, 0x88, 0}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m_mmio.accesses[i].write, want[i].write) << i;
    EXPECT_EQ(m_mmio.accesses[i].offset, want[i].offset) << i;
    EXPECT_EQ(m_mmio.accesses[i].size, want[i].size) << i;
    EXPECT_EQ(m_mmio.accesses[i].value, want[i].value) << i;
  }
  EXPECT_EQ(gpr(kRax), 0x1122334455667788u);
  EXPECT_EQ(gpr(kRbx), 0x88u);
}

TEST_F(KvmTest, ExceptionWithoutAnIdtIsATripleFault) {
  const uint8_t code[] = {
      0x0f, 0x0b,  // ud2: #UD, and the IDT the backend loads is empty
  };
  boot64(code);
  const VcpuExit exit = run();
  ASSERT_EQ(exit.kind, ExitKind::kFault);
  ASSERT_NE(exit.reason, nullptr);
  EXPECT_NE(std::string(exit.reason).find("triple fault"), std::string::npos) << exit.reason;
}

TEST_F(KvmTest, StoreOutsideRamAndDevicesStopsTheVmWithAFault) {
  const uint8_t code[] = {
      0x48, 0xbf, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,  // movabs $0x40000000,%rdi
      0xc7, 0x07, 0x01, 0x00, 0x00, 0x00,  // movl   $0x1,(%rdi): no slot, no device
      0xf4,                                // hlt
  };
  boot64(code);
  const VcpuExit exit = run();
  ASSERT_EQ(exit.kind, ExitKind::kFault);
  EXPECT_EQ(m_exits.stop_info().kind, StopKind::kFault);
  const std::string message = m_exits.stop_info().message;
  EXPECT_NE(message.find("0x40000000"), std::string::npos) << message;
  EXPECT_STREQ(exit.reason, m_exits.stop_info().message);
  // A stopped VM is never resumed.
  EXPECT_EQ(run().kind, ExitKind::kFault);
}

TEST_F(KvmTest, IsaDebugExitEndsTheRunWithItsStatus) {
  const uint8_t code[] = {
      0x66, 0xba, 0xf4, 0x00,  // mov    $0xf4,%dx
      0xb0, 0x2a,              // mov    $0x2a,%al
      0xee,                    // out    %al,(%dx)
      0xf4,                    // hlt (never reached)
  };
  boot64(code);
  const VcpuExit exit = run();
  EXPECT_EQ(exit.kind, ExitKind::kSystemDown);
  EXPECT_EQ(exit.value, 0x2au);
  EXPECT_EQ(m_exits.stop_info().kind, StopKind::kPowerOff);
  EXPECT_EQ(m_exits.stop_info().status, 0x2a);
}

}  // namespace
}  // namespace tandem::kvm_test
