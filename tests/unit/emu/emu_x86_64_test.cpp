// SPDX-License-Identifier: Apache-2.0
// x86_64 guests on the Unicorn backend, entered in long mode with the page tables from
// core/arch/x86_64/long_mode.h. Encodings from GNU as --64 / objdump.
#include <string>

#include "tests/unit/emu/emu_machine.h"

namespace tandem::test {
namespace {

constexpr uint64_t kEntry = 0x100000;
constexpr uint64_t kMmio = 0xd0000000;
constexpr unsigned kRax = 0, kRcx = 1, kRdx = 2, kRbx = 3, kRsi = 6;

class EmuX86 : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(m_vm.build()); }
  EmuMachine m_vm{{Arch::kX86_64, 0, 4 << 20, kMmio}};
};

TEST_F(EmuX86, GuestSeesLongModeWithPagingAndTheFlatSelectors) {
  const uint8_t code[] = {
      0x0f, 0x20, 0xc0,  // mov %cr0, %rax
      0x0f, 0x20, 0xe3,  // mov %cr4, %rbx
      0x0f, 0x20, 0xd9,  // mov %cr3, %rcx
      0x8c, 0xca,        // mov %cs, %edx
      0x8c, 0xd6,        // mov %ss, %esi
      0xf4,              // hlt
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kHalt);
  EXPECT_EQ(e.pc, kEntry + 13);
  EXPECT_EQ(m_vm.gpr(kRax), x86::CR0_PE | x86::CR0_MP | x86::CR0_ET | x86::CR0_NE | x86::CR0_PG);
  EXPECT_EQ(m_vm.gpr(kRbx) & x86::CR4_PAE, x86::CR4_PAE);
  EXPECT_EQ(m_vm.gpr(kRcx), EmuMachine::kX86Tables + 0x1000);  // PML4
  EXPECT_EQ(m_vm.gpr(kRdx), x86::kCodeSelector);
  EXPECT_EQ(m_vm.gpr(kRsi), x86::kDataSelector);
}

TEST_F(EmuX86, TheGuestsPageTablesAreWalked) {
  const uint8_t code[] = {
      0xbb, 0x10, 0x00, 0x20, 0x00,  // mov $0x200010, %ebx
      0x48, 0x8b, 0x03,              // mov (%rbx), %rax
      0xf4,                          // hlt
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  // Clear the present bit of the PD entry for [2 MiB, 4 MiB): a real walk must #PF there.
  m_vm.ram[EmuMachine::kX86Tables + 0x3000 + 8] &= ~uint8_t{x86::PTE_P};
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_STREQ(e.reason, "page fault (#PF)");
  EXPECT_EQ(e.addr, 0x200010u);  // CR2
  EXPECT_EQ(e.pc, kEntry + 5);
}

TEST_F(EmuX86, OnlyLongModeEntryIsAccepted) {
  BootState b;  // paging off: a 16/32-bit entry
  b.pc = kEntry;
  EXPECT_EQ(m_vm.vcpu->set_boot_state(b).error(), Status::kUnsupported);
}

TEST_F(EmuX86, OutReachesThePortDeviceWithWidthAndValue) {
  const uint8_t code[] = {
      0xb8, 0xcd, 0xab, 0x34, 0x12,  // mov $0x1234abcd, %eax
      0xe6, 0x80,                    // out %al, $0x80
      0x66, 0xba, 0xf8, 0x03,        // mov $0x3f8, %dx
      0x66, 0xef,                    // out %ax, (%dx)
      0x66, 0x83, 0xc2, 0x03,        // add $0x3, %dx
      0xef,                          // out %eax, (%dx)
      0xf4,                          // hlt
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.post_dev.writes, (std::vector<Access>{{0, 1, 0xcd}}));
  EXPECT_EQ(m_vm.com_dev.writes, (std::vector<Access>{{0, 2, 0xabcd}, {3, 4, 0x1234abcd}}));
}

TEST_F(EmuX86, InWritesOnlyTheAccessWidthOfRax) {
  const uint8_t code[] = {
      0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff,  // mov $-1, %rax
      0x66, 0xba, 0xf9, 0x03,                    // mov $0x3f9, %dx
      0xec,                                      // in (%dx), %al
      0x48, 0x89, 0xc3,                          // mov %rax, %rbx
      0x66, 0xed,                                // in (%dx), %ax
      0x48, 0x89, 0xc1,                          // mov %rax, %rcx
      0xed,                                      // in (%dx), %eax
      0xf4,                                      // hlt
  };
  m_vm.com_dev.read_value = 0x11223344;
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.gpr(kRbx), 0xffffffffffffff44u);
  EXPECT_EQ(m_vm.gpr(kRcx), 0xffffffffffff3344u);
  EXPECT_EQ(m_vm.gpr(kRax), 0x11223344u);  // a 32-bit destination zero-extends
  ASSERT_EQ(m_vm.com_dev.reads.size(), 3u);
  EXPECT_EQ(m_vm.com_dev.reads[0].offset, 1u);
  EXPECT_EQ(m_vm.com_dev.reads[0].size, 1u);
  EXPECT_EQ(m_vm.com_dev.reads[2].size, 4u);
}

TEST_F(EmuX86, MmioStoresAndLoads) {
  const uint8_t code[] = {
      0xbf, 0x00, 0x00, 0x00, 0xd0,              // mov $0xd0000000, %edi
      0xc7, 0x47, 0x10, 0xef, 0xbe, 0xad, 0xde,  // movl $0xdeadbeef, 0x10(%rdi)
      0xc6, 0x47, 0x03, 0x5a,                    // movb $0x5a, 0x3(%rdi)
      0x66, 0xc7, 0x47, 0x06, 0xef, 0xbe,        // movw $0xbeef, 0x6(%rdi)
      0x48, 0x0f, 0xbe, 0x5f, 0x04,              // movsbq 0x4(%rdi), %rbx
      0x0f, 0xb6, 0x4f, 0x04,                    // movzbl 0x4(%rdi), %ecx
      0x48, 0x0f, 0xbf, 0x57, 0x08,              // movswq 0x8(%rdi), %rdx
      0x8b, 0x77, 0x0c,                          // mov 0xc(%rdi), %esi
      0xf4,                                      // hlt
  };
  m_vm.mmio_dev.read_value = 0xf4f38281;
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  EXPECT_EQ(m_vm.run().kind, ExitKind::kHalt);
  EXPECT_EQ(m_vm.mmio_dev.writes,
            (std::vector<Access>{{0x10, 4, 0xdeadbeef}, {0x3, 1, 0x5a}, {0x6, 2, 0xbeef}}));
  EXPECT_EQ(m_vm.gpr(kRbx), 0xffffffffffffff81u);
  EXPECT_EQ(m_vm.gpr(kRcx), 0x81u);
  EXPECT_EQ(m_vm.gpr(kRdx), 0xffffffffffff8281u);
  EXPECT_EQ(m_vm.gpr(kRsi), 0xf4f38281u);
}

TEST_F(EmuX86, PortWriteThatPowersOffStopsTheVm) {
  m_vm.post_dev.power = &m_vm.exits.stop_info();  // like isa-debug-exit
  const uint8_t code[] = {
      0xb8, 0xcd, 0xab, 0x34, 0x12,  // mov $0x1234abcd, %eax
      0xe6, 0x80,                    // out %al, $0x80
      0xf4,                          // hlt
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kSystemDown);
  EXPECT_EQ(e.value, 0xcdu);
}

TEST_F(EmuX86, Ud2IsAFault) {
  const uint8_t code[] = {
      0x90,        // nop
      0x0f, 0x0b,  // ud2
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.pc, kEntry + 1);
  EXPECT_STREQ(e.reason, "undefined instruction");
}

TEST_F(EmuX86, UnmappedReadIsAFaultNamingTheAddress) {
  const uint8_t code[] = {
      0xbb, 0x00, 0x00, 0x00, 0x40,  // mov $0x40000000, %ebx
      0x48, 0x8b, 0x43, 0x08,        // mov 0x8(%rbx), %rax
      0xf4,                          // hlt
  };
  ASSERT_NO_FATAL_FAILURE(m_vm.boot(kEntry, code));
  VcpuExit e = m_vm.run();
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x40000008u);
  EXPECT_NE(std::string(m_vm.exits.stop_info().message).find("0x40000008"), std::string::npos)
      << m_vm.exits.stop_info().message;
}

}  // namespace
}  // namespace tandem::test
