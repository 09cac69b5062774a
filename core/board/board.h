// SPDX-License-Identifier: Apache-2.0
// A board is the guest machine (DESIGN.md "Boards"): its memory map, which devices sit where
// and which interrupt each raises, its interrupt controller, its console UART, its firmware
// interface (PSCI, SBI, none), the state its CPUs start in and the device tree that describes
// exactly that. Vm<H> asks its board and never switches on the architecture; a new board or a
// new device on a board touches that board (and the registry in boards.cpp), nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/addr.h"
#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/bus/device_bus.h"
#include "core/irq/irq_chip.h"
#include "core/mm/stage2_layout.h"
#include "core/vcpu/boot_state.h"

namespace tandem {

class AddressSpace;
class CharSink;
class CpuControl;
class PowerControl;
struct LoadedGuest;
namespace virtio {
class VirtioDevice;
}

struct BoardLayout {
  Gpa ram_base;
  uint64_t max_ram;  // RAM must end below the first device above it (or the stage-2 limit)
  Stage2Config stage2;
};

// What a board's devices need from the VM.
struct BoardServices {
  PowerControl& power;   // exit devices and firmware power calls
  CharSink& console;     // the console UART's output
  uint64_t (*now_ns)();  // the host's monotonic clock (boot timer)
  // The backend backs RAM as the guest touches it (MachineTraits::ram_on_demand): boards give
  // their flash as such RAM rather than fill it up front.
  bool ram_on_demand = false;
  // The guest's harts compare their timer themselves (riscv64 Sstc in the images): the device
  // tree offers it, and the guest needs no SBI set_timer.
  bool guest_timer_compare = false;
};

// One device at its place on the board: bus range, the stage-2 hole guest accesses fault
// through (a whole page at least), and its interrupt in the chip's numbering (or none).
struct PlacedDevice {
  const char* dt_node;  // device tree path without the unit address ("/soc/serial"), or null
  Device* device;
  BusSpace space;
  uint64_t base;
  uint64_t size;
  uint64_t window;  // MMIO hole in the address space; 0 for port I/O
  static constexpr uint32_t kNoIrq = ~0u;
  uint32_t irq = kNoIrq;
};

// A firmware call's registers to write back (x0[,x1] on aarch64, a0/a1 on riscv64).
struct HypercallResult {
  uint64_t ret[2] = {};
  unsigned count = 0;  // how many of ret[] to write back
};

// What the device tree describes besides the board's fixed hardware.
struct DtbOptions {
  uint64_t ram_size = 0;
  unsigned cpus = 1;
  std::span<const char> bootargs;  // without a NUL; empty: no bootargs property
  uint64_t initrd_start = 0;       // guest-physical; initrd_end > initrd_start to describe one
  uint64_t initrd_end = 0;
};

// Largest DTB a board writes: room for 8 CPUs, every node and a long command line.
inline constexpr size_t kMaxDtbSize = size_t{16} * 1024;

class Board {
 public:
  virtual const char* name() const = 0;
  virtual Arch arch() const = 0;
  virtual BoardLayout layout() const = 0;

  // Where a kernel that carries no addresses of its own (an arm64 / RISC-V Image, a raw binary)
  // goes: place_kernel()'s `kernel_base` (core/loader/boot_layout.h).
  virtual Gpa kernel_base() const { return layout().ram_base; }

  // Firmware that runs in place from the board's flash, as QEMU's -bios: maps the flash into
  // the address space (and any device beside it), copies `image` to its start and returns the
  // boot vCPU's state there. kUnsupported on a board without firmware flash, kOutOfRange when
  // `image` is bigger than the flash.
  [[nodiscard]] virtual Result<LoadedGuest> load_firmware(AddressSpace& space, DeviceBus& bus,
                                                          std::span<const uint8_t> image);

  // The board's interrupt controller model for `cpus` vCPUs (null when it has none the VM can
  // model: x86 guests get KVM's in-kernel irqchip). `hardware_timer`: the backend runs the
  // CPU's own timer (bare metal), so the model must not own the timer registers.
  virtual IrqChip* create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) = 0;

  // Registers the devices (and the chip made by create_irq_chip) on the bus and their MMIO
  // windows in the address space. Device interrupts go to `external` when the backend has its
  // own irqchip (KVM), else to the chip.
  [[nodiscard]] virtual Result<void> attach(AddressSpace& space, DeviceBus& bus,
                                            IrqController* external) = 0;

  // Every device (interrupt controller frames included, once create_irq_chip has run) at its
  // place, as attach() registers them and the device tree describes them.
  virtual std::span<const PlacedDevice> devices() const = 0;

  // A firmware call (HVC/SMC, ECALL, x86 VMCALL) from vCPU `cpu`: args = x0..x7 / a0..a7.
  virtual HypercallResult firmware_call(unsigned cpu, const uint64_t args[8], PowerControl& power,
                                        CpuControl* cpus) = 0;

  // Puts a virtio device behind the board's highest free virtio-mmio transport (before
  // attach()). kCapacity when all are taken.
  [[nodiscard]] virtual Result<void> plug_virtio(virtio::VirtioDevice& device) = 0;

  // Every virtio-mmio transport (plugged or empty) for a board whose firmware tables describe
  // them (the PC's DSDT); boards with a device tree describe theirs there and return none.
  virtual std::span<const PlacedDevice> virtio_transports() const { return {}; }

  // Lets the virtio devices take what their host side has for the guest (between vCPU slices).
  virtual void poll_virtio() {}

  // Console input: whether the console UART can take a byte, and giving it one.
  virtual bool console_can_receive() const = 0;
  virtual void console_push(uint8_t c) = 0;
  // The host has no more console input for now: a UART with a receive timeout takes it as the
  // line going quiet (Ns16550::rx_timeout).
  virtual void console_input_quiet() {}
  // Moves console input into the console UART while it has room; the rest stays queued.
  template <class Queue>
  void feed_console(Queue& input) {
    uint8_t c = 0;
    while (console_can_receive() && input.peek(c)) {
      console_push(c);
      input.pop(c);
    }
    if (input.empty()) console_input_quiet();
  }

  // The boot vCPU's argument registers and any tables it needs in RAM, once the image is
  // loaded: `dtb` is where the device tree sits (0: none).
  [[nodiscard]] virtual Result<void> prepare_boot(AddressSpace& space, LoadedGuest& guest,
                                                  Gpa dtb) = 0;
  // The state a secondary vCPU starts in (PSCI CPU_ON, SBI HSM hart_start).
  virtual BootState secondary_boot(uint64_t target, uint64_t entry, uint64_t context) const = 0;

  // Whether write_dtb() describes the machine (boards with a device tree take an initrd).
  virtual bool has_device_tree() const { return false; }

  // Writes the board's device tree; its size. kUnsupported on a board without one (pc),
  // kCapacity when `out` is too small.
  [[nodiscard]] virtual Result<size_t> write_dtb(std::span<uint8_t> out, const DtbOptions& opts) {
    (void)out, (void)opts;
    return Error(Status::kUnsupported);
  }
  // Where a DTB of `size` bytes goes in RAM for `guest`, as QEMU places it; kOutOfRange when
  // it does not fit beside the image.
  [[nodiscard]] virtual Result<Gpa> dtb_address(const LoadedGuest& guest, uint64_t size,
                                                uint64_t ram_size) const {
    (void)guest, (void)size, (void)ram_size;
    return Error(Status::kUnsupported);
  }

 protected:
  ~Board() = default;
};

// Registers `d` on the bus and its window as an MMIO region of the address space.
[[nodiscard]] Result<void> place(AddressSpace& space, DeviceBus& bus, const PlacedDevice& d);

}  // namespace tandem
