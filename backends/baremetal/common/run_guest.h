// SPDX-License-Identifier: Apache-2.0
// One VM on the bare-metal HAL: guest RAM from the frame allocator at the board's RAM base (IPA
// != PA: the hypervisor itself lives in the host's RAM there), the guest platform's devices on
// the bus with the real console behind the emulated UART, the guest ELF loaded through the
// core's GuestMemory/load_elf, and the vCPU run until the VM stops. Returns the status the
// machine should exit with: the guest's own, or kExitFault after printing the fault report.
#pragma once

#include <cstdint>

#include "backends/baremetal/common/boot.h"
#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/panic.h"
#include "core/base/log.h"
#include "core/bus/device_bus.h"
#include "core/hal.h"
#include "core/loader/elf.h"
#include "core/mm/address_space.h"
#include "core/mm/guest_memory.h"
#include "core/vm/platform.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal {

// load_elf's writer over guest RAM.
class GuestRamWriter final : public SegmentWriter {
 public:
  explicit GuestRamWriter(GuestMemory& mem) : m_mem(mem) {}
  Result<void> write(Gpa gpa, std::span<const uint8_t> bytes) override {
    return m_mem.write(gpa, bytes);
  }
  Result<void> zero(Gpa gpa, uint64_t size) override { return m_mem.fill(gpa, size, 0); }

 private:
  GuestMemory& m_mem;
};

// The report and status for a stopped VM.
int finish(const StopInfo& stop);

template <class H>
int run_guest(Arch arch, typename H::PagingHandler& frames, const Payload& payload) {
  static_assert(Hal<H>);
  PagingHandlerAdapter<typename H::PagingHandler> alloc(frames);
  const PlatformLayout layout = Platform::layout(arch);
  auto space = AddressSpace::create(alloc, layout.stage2);
  if (!space) panic("cannot create the guest address space: %s", to_string(space.error()));
  if (auto r = space->add_ram_alloc(layout.ram_base, payload.guest_mem); !r) {
    panic("cannot give the guest %llu MiB of RAM: %s",
          static_cast<unsigned long long>(payload.guest_mem >> 20), to_string(r.error()));
  }
  DeviceBus bus;
  ConsoleSink console;
  VmExits exits(arch, bus, &console);
  Platform platform(arch, exits.stop_info(), console);
  if (auto r = platform.attach(*space, bus); !r)
    panic("cannot attach devices: %s", to_string(r.error()));

  const auto image = parse_elf(payload.guest_elf);
  if (!image || image->arch != arch)
    panic("the packed guest is not a loadable %s ELF", to_string(arch));
  GuestMemory memory(*space);
  GuestRamWriter writer(memory);
  const auto entry = load_elf(*image, payload.guest_elf, writer);
  if (!entry)
    panic("cannot load the guest: %s (does it fit in guest RAM?)", to_string(entry.error()));

  auto machine = H::Machine::create(MachineSetup{arch, 1, *space, exits});
  if (!machine) panic("cannot set up the machine: %s", to_string(machine.error()));
  auto vcpu = machine->create_vcpu(0);
  if (!vcpu) panic("cannot create the vCPU: %s", to_string(vcpu.error()));
  BootState boot;
  boot.pc = *entry;
  if (auto r = vcpu->set_boot_state(boot); !r) panic("bad boot state: %s", to_string(r.error()));
  TLOG_INFO("guest: %llu KiB ELF, %llu MiB RAM at %#llx, entry %#llx",
            static_cast<unsigned long long>(payload.guest_elf.size() >> 10),
            static_cast<unsigned long long>(payload.guest_mem >> 20),
            static_cast<unsigned long long>(layout.ram_base.raw()),
            static_cast<unsigned long long>(*entry));

  while (!exits.stopped()) {
    auto exit = vcpu->run();
    if (!exit) {
      exits.stop_info().set_fault(StopKind::kError, "vCPU run failed: %s", to_string(exit.error()));
      break;
    }
    // Halts and interrupts resume the guest: nothing else can wake it on one vCPU yet.
    if (exit->kind == ExitKind::kHalt || exit->kind == ExitKind::kExternalInterrupt) continue;
    exits.handle(*exit);
  }
  return finish(exits.stop_info());
}

}  // namespace tandem::baremetal
