// SPDX-License-Identifier: Apache-2.0
#include "core/board/virt_aarch64.h"

#include "core/arch/aarch64/psci.h"
#include "core/board/dtb_common.h"
#include "core/mm/address_space.h"
#include "core/mm/guest_memory.h"
#include "core/vm/boot.h"

namespace tandem {

VirtAarch64Board::VirtAarch64Board(const BoardServices& services, GicVersion gic)
    : m_pl011(services.console),
      m_boot_timer(services.now_ns),
      m_flash_on_demand(services.ram_on_demand),
      m_gic_version(gic) {
  m_devices[kPl011] = {"/pl011",     &m_pl011, BusSpace::kMmio, kPl011Base,
                       Pl011::kSize, 0x1000,   kPl011Irq};
  m_devices[kBootTimer] = {nullptr, &m_boot_timer, BusSpace::kMmio, kBootTimerBase, 0x1000, 0x1000};
}

BoardLayout VirtAarch64Board::layout() const {
  // RAM up to the 256 GiB mark (virt's high MMIO above it); 40-bit IPA, 3 levels: what a
  // cortex-a72 (PARange 40 bits) supports.
  return {Gpa(kRamBase), 255ull << 30, Stage2Config::aarch64(40, 3, 40)};
}

// hw/arm/boot.c: an Image's text_offset counts from a 2 MiB-aligned base 2 MiB above the RAM
// base (room below for a boot loader and the DTB); raw binaries go there too.
Gpa VirtAarch64Board::kernel_base() const { return Gpa(kRamBase + (2ull << 20)); }

// QEMU's -bios: the firmware is in flash bank 0 at address 0 and the CPU resets there (PC 0,
// x0..x30 = 0, EL1h, MMU off); bank 1 reads as erased flash.
//
// Where the backend backs RAM on demand (bare metal), both banks are such RAM, so nothing is
// filled up front, and bank 1 is QEMU's pflash in read-array mode: read-only RAM reading 0xff,
// whose writes fault to the stage-2 permission check and reach the device (U-Boot reads its
// 256 KiB environment with byte loads: a trap each under an MMIO bank). Elsewhere bank 1 is
// the device alone.
Result<LoadedGuest> VirtAarch64Board::load_firmware(AddressSpace& space, DeviceBus& bus,
                                                    std::span<const uint8_t> image) {
  if (image.size() > kFlashBankSize) return Error(Status::kOutOfRange);
  const Gpa bank1_base(kFlashBase + kFlashBankSize);
  if (m_flash_on_demand) {
    TRY(space.add_ram_on_demand(Gpa(kFlashBase), kFlashBankSize, kMemRx));
    TRY(space.add_ram_on_demand(bank1_base, kFlashBankSize, kMemRo, ErasedFlash::kErased));
  } else {
    TRY(space.add_ram_alloc(Gpa(kFlashBase), kFlashBankSize, kMemRx));
  }
  TRY(GuestMemory(space).write(Gpa(kFlashBase), image));
  // No stage-2 hole for the device when bank 1 is RAM: only its writes come to the bus.
  const PlacedDevice bank1{nullptr,         &m_flash1,
                           BusSpace::kMmio, bank1_base.raw(),
                           kFlashBankSize,  m_flash_on_demand ? 0 : kFlashBankSize};
  TRY(place(space, bus, bank1));
  LoadedGuest guest;
  guest.boot.pc = kFlashBase;
  guest.image_start = kFlashBase;
  guest.image_end = kFlashBase + image.size();
  return guest;
}

IrqChip* VirtAarch64Board::create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) {
  if (m_gic_version == GicVersion::k2) {
    // The GICv2 model owns the timer registers, which only a backend that traps them can
    // give it; on the others the board has no interrupt controller model.
    if (hardware_timer) return nullptr;
    Gicv2& gic = m_gicv2.emplace(cpus, clock);
    m_devices[kGicd] = {"/intc",   &gic.distributor_frame(), BusSpace::kMmio,
                        kGicdBase, Gicv2Distributor::kSize,  kGicv2Window};
    m_devices[kGicr] = {nullptr,   &gic.cpu_interface_frame(), BusSpace::kMmio,
                        kGiccBase, Gicv2CpuInterface::kSize,   kGicv2Window};
    m_device_count = kSlots;
    return &gic;
  }
  Gicv3& gic = m_gic.emplace(
      cpus, clock, hardware_timer ? Gicv3::TimerMode::kHardware : Gicv3::TimerMode::kModel);
  m_devices[kGicd] = {"/intc",   &gic.distributor_frame(), BusSpace::kMmio,
                      kGicdBase, Gicv3::kGicdSize,         Gicv3::kGicdSize};
  m_devices[kGicr] = {nullptr,   &gic.redistributor_frame(), BusSpace::kMmio,
                      kGicrBase, gic.redistributor_size(),   gic.redistributor_size()};
  m_device_count = kSlots;
  return &gic;
}

std::span<const PlacedDevice> VirtAarch64Board::devices() const {
  return {m_devices, m_device_count};
}

Result<void> VirtAarch64Board::attach(AddressSpace& space, DeviceBus& bus,
                                      IrqController* external) {
  // With a backend's own irqchip (KVM on an Arm host) the GIC is the kernel's.
  const unsigned count = external != nullptr ? kGicd : m_device_count;
  for (unsigned i = 0; i < count; i++) TRY(place(space, bus, m_devices[i]));
  IrqController* irqs = external != nullptr ? external : gic();
  m_pl011.connect_irq(IrqLine(irqs, kPl011Irq));
  m_virtio.connect(space, irqs);
  return ok();
}

IrqChip* VirtAarch64Board::gic() {
  if (m_gic) return &*m_gic;
  if (m_gicv2) return &*m_gicv2;
  return nullptr;
}

HypercallResult VirtAarch64Board::firmware_call(unsigned cpu, const uint64_t args[8],
                                                PowerControl& power, CpuControl* cpus) {
  PsciContext psci{power, cpus, cpu};
  HypercallResult r;
  r.ret[0] = psci_call(args, psci);
  r.count = 1;
  return r;
}

Result<void> VirtAarch64Board::prepare_boot(AddressSpace& space, LoadedGuest& guest, Gpa dtb) {
  (void)space;
  guest.boot.args[0] = dtb.raw();
  return ok();
}

BootState VirtAarch64Board::secondary_boot(uint64_t target, uint64_t entry,
                                           uint64_t context) const {
  (void)target;
  BootState boot;
  boot.pc = entry;
  boot.args[0] = context;
  return boot;
}

// hw/arm/boot.c: an image that leaves room at the RAM base (firmware in flash, a kernel above
// it) gets the DTB there, where U-Boot looks for it; otherwise it goes to the top of RAM.
Result<Gpa> VirtAarch64Board::dtb_address(const LoadedGuest& guest, uint64_t size,
                                          uint64_t ram_size) const {
  if (guest.image_end <= kRamBase || guest.image_start >= kRamBase + size) return Gpa(kRamBase);
  return dtb_at_top(guest, size, kRamBase, kRamBase + ram_size);
}

}  // namespace tandem
