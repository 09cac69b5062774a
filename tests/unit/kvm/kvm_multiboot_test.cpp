// SPDX-License-Identifier: Apache-2.0
// A multiboot v1 image entered in 32-bit protected mode (Multiboot 0.6.96, 3.2): the guest
// reports EAX, EBX, the info flags it reads through EBX and CR0 on a port.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/arch/x86_64/protected_mode.h"
#include "core/loader/multiboot.h"
#include "unit/kvm/kvm_fixture.h"

namespace tandem::kvm_test {
namespace {

constexpr uint32_t kLoad = 0x100000;
constexpr uint64_t kGdtGpa = 0x8000;
constexpr uint64_t kInfoGpa = 0x9000;

// An a.out-kludge image: the header at its start, loaded at 1 MiB, code right after it.
std::vector<uint8_t> multiboot_image() {
  const uint32_t flags = multiboot::kHeaderMemInfo | multiboot::kHeaderAddresses;
  const uint32_t header[] = {multiboot::kHeaderMagic,
                             flags,
                             0u - multiboot::kHeaderMagic - flags,
                             kLoad,
                             kLoad,
                             0,
                             0,
                             kLoad + 32};
  const uint8_t code[] = {
      0x66, 0xba, 0x00, 0x05,  // mov    $0x500,%dx
      0xef,                    // out    %eax,(%dx)   EAX: the boot magic
      0x89, 0xd8,              // mov    %ebx,%eax
      0xef,                    // out    %eax,(%dx)   EBX: the info address
      0x8b, 0x03,              // mov    (%ebx),%eax
      0xef,                    // out    %eax,(%dx)   the info flags, read with paging off
      0x0f, 0x20, 0xc0,        // mov    %cr0,%eax
      0xef,                    // out    %eax,(%dx)
      0xe6, 0xf4,              // out %al,$0xf4 (isa-debug-exit; the same bytes in 32-bit code)
  };
  std::vector<uint8_t> image(sizeof header + sizeof code);
  std::memcpy(image.data(), header, sizeof header);
  std::memcpy(image.data() + sizeof header, code, sizeof code);
  return image;
}

TEST_F(KvmTest, MultibootEntryHasTheMagicTheInfoAndFlatProtectedMode) {
  const std::vector<uint8_t> file = multiboot_image();
  auto image = multiboot::parse(file);
  ASSERT_TRUE(image.ok());
  ASSERT_TRUE(multiboot::load(file, *image, m_ram, Gpa(0)).ok());

  const multiboot::MemoryRange map[] = {
      {0, 0x9fc00, multiboot::MemoryType::kAvailable},
      {0x9fc00, 0x60400, multiboot::MemoryType::kReserved},
      {0x100000, kRamSize - 0x100000, multiboot::MemoryType::kAvailable},
  };
  const char cmdline[] = "kvm";
  auto used = multiboot::build_info({map, {cmdline, sizeof cmdline - 1}}, Gpa(kInfoGpa),
                                    m_ram.subspan(kInfoGpa, 0x1000));
  ASSERT_TRUE(used.ok());
  auto pm = x86::build_protected_mode(m_ram, Gpa(0), Gpa(kGdtGpa));
  ASSERT_TRUE(pm.ok());
  ASSERT_TRUE(vcpu().set_boot_state(multiboot::boot_state(*image, Gpa(kInfoGpa), *pm)).ok());

  const VcpuExit exit = run();
  EXPECT_EQ(exit.kind, ExitKind::kSystemDown);
  ASSERT_EQ(m_port.accesses.size(), 4u);
  EXPECT_EQ(m_port.accesses[0].value, multiboot::kBootMagic);
  EXPECT_EQ(m_port.accesses[1].value, kInfoGpa);
  EXPECT_EQ(m_port.accesses[2].value, multiboot::kInfoMemory | multiboot::kInfoCmdline |
                                          multiboot::kInfoMmap | multiboot::kInfoLoaderName);
  const uint64_t cr0 = m_port.accesses[3].value;
  EXPECT_EQ(cr0 & x86::CR0_PE, x86::CR0_PE);
  EXPECT_EQ(cr0 & x86::CR0_PG, 0u);
}

}  // namespace
}  // namespace tandem::kvm_test
