// SPDX-License-Identifier: Apache-2.0
// A KVM VM for backend tests (one vCPU unless a test's fixture asks for more; only vCPU 0 is
// created): 2 MiB of RAM at 0, an MMIO hole at 0xd0000000 with a recording device, a recording
// port device at 0x500, isa-debug-exit at 0xf4. Guests are inline machine code, kept tiny: CPL0
// guest code is emulated at ~1-2 MIPS on the CI machines (PLATFORM.md). They end with
// `out %al, $0xf4` (isa-debug-exit: kSystemDown with AL as the value): with KVM's in-kernel irqchip
// a HLT waits inside KVM_RUN for an interrupt instead of coming back. Every test skips with the
// reason when /dev/kvm cannot be used.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "backends/hosted/host_paging.h"
#include "backends/kvm/kvm_machine.h"
#include "core/arch/x86_64/long_mode.h"
#include "core/bus/device_bus.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"
#include "devices/exit/isa_debug_exit.h"

namespace tandem::kvm_test {

struct Access {
  bool write;
  uint64_t offset;
  unsigned size;
  uint64_t value;
  uint64_t ns;  // host time of the access
};

// Records every access; reads return `read_value` cut to the access width.
class RecordingDevice final : public Device {
 public:
  const char* name() const override { return "recorder"; }
  uint64_t read(uint64_t offset, unsigned size) override {
    const uint64_t v = size == 8 ? read_value : read_value & ((uint64_t{1} << (8 * size)) - 1);
    accesses.push_back({false, offset, size, v, hosted::now_ns()});
    return v;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    accesses.push_back({true, offset, size, value, hosted::now_ns()});
  }

  uint64_t read_value = 0;
  std::vector<Access> accesses;
};

inline constexpr uint64_t kRamSize = 2ull << 20;
inline constexpr uint64_t kMmioBase = 0xd0000000;
inline constexpr uint16_t kPort = 0x500;
inline constexpr uint64_t kTablesGpa = 0x1000;  // long-mode GDT + page tables: 0x1000..0x8000
inline constexpr uint64_t kCodeGpa = 0x10000;
inline constexpr uint64_t kStackTop = 0x80000;

class KvmTest : public ::testing::Test {
 protected:
  // vCPUs of the machine; SetUp creates vCPU 0 only.
  virtual unsigned cpu_count() const { return 1; }

  void SetUp() override {
    const KvmAvailability kvm = KvmMachine::availability();
    if (!kvm.usable) GTEST_SKIP() << "KVM unavailable: " << kvm.reason;
    auto space = AddressSpace::create(m_frames, Stage2Config::of(Stage2Format::kEpt));
    ASSERT_TRUE(space.ok());
    m_space.emplace(std::move(space).value());
    ASSERT_TRUE(m_space->add_ram_alloc(Gpa(0), kRamSize).ok());
    ASSERT_TRUE(m_space->add_mmio(Gpa(kMmioBase), 0x1000).ok());
    ASSERT_TRUE(m_bus.add(BusSpace::kMmio, kMmioBase, 0x1000, m_mmio).ok());
    ASSERT_TRUE(m_bus.add(BusSpace::kPort, kPort, 8, m_port).ok());
    ASSERT_TRUE(m_bus.add(BusSpace::kPort, 0xf4, IsaDebugExit::kSize, m_debug_exit).ok());
    auto hva = m_space->host_address(*m_space->find(Gpa(0)));
    ASSERT_TRUE(hva.ok());
    m_ram = {to_ptr<uint8_t>(*hva), kRamSize};

    auto machine = KvmMachine::create({Arch::kX86_64, cpu_count(), *m_space, m_exits});
    ASSERT_TRUE(machine.ok());
    m_machine.emplace(std::move(machine).value());
    auto vcpu = m_machine->create_vcpu(0);
    ASSERT_TRUE(vcpu.ok());
    m_vcpu.emplace(std::move(vcpu).value());
  }

  // Copies `code` to kCodeGpa and enters it in 64-bit long mode.
  void boot64(std::span<const uint8_t> code) {
    std::memcpy(m_ram.data() + kCodeGpa, code.data(), code.size());
    auto lm = x86::build_long_mode(m_ram, Gpa(0), Gpa(kTablesGpa));
    ASSERT_TRUE(lm.ok());
    BootState boot;
    boot.pc = kCodeGpa;
    boot.sp = kStackTop;
    boot.x86 = *lm;
    ASSERT_TRUE(vcpu().set_boot_state(boot).ok());
  }

  VcpuExit run() {
    auto exit = vcpu().run();
    EXPECT_TRUE(exit.ok());
    return exit.ok() ? *exit : VcpuExit{};
  }

  uint64_t gpr(unsigned n) { return vcpu().read_gpr(n).value_or(~0ull); }

  KvmVcpu& vcpu() { return *m_vcpu; }

  // Declaration order is construction order: the bus and the exit handler before the devices
  // and the machine that refer to them.
  hosted::HostPagingHandler m_paging;
  PagingHandlerAdapter<hosted::HostPagingHandler> m_frames{m_paging};
  std::optional<AddressSpace> m_space;
  DeviceBus m_bus;
  VmExits m_exits{m_bus};
  RecordingDevice m_mmio, m_port;
  IsaDebugExit m_debug_exit{m_exits.stop_info()};
  std::span<uint8_t> m_ram;
  std::optional<KvmMachine> m_machine;
  std::optional<KvmVcpu> m_vcpu;
};

// x86 GPR numbers (KvmVcpu::read_gpr).
inline constexpr unsigned kRax = 0, kRcx = 1, kRbx = 3;

}  // namespace tandem::kvm_test
