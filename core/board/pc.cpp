// SPDX-License-Identifier: Apache-2.0
#include "core/board/pc.h"

#include "core/arch/x86_64/long_mode.h"
#include "core/mm/address_space.h"
#include "core/vm/boot.h"

namespace tandem {

PcBoard::PcBoard(const BoardServices& services)
    : m_com1(services.console, Ns16550Access::kPortIo),
      m_debug_exit(services.power),
      m_acpi_pm(services.power, kAcpi.s5_slp_typ),
      m_boot_timer(services.now_ns) {
  m_devices[kCom1] = {nullptr,       &m_com1, BusSpace::kPort,     kCom1Port,
                      m_com1.size(), 0,       PlacedDevice::kNoIrq};
  m_devices[kDebugExit] = {nullptr,        &m_debug_exit,       BusSpace::kPort,
                           kDebugExitPort, IsaDebugExit::kSize, 0};
  m_devices[kAcpiPm] = {nullptr, &m_acpi_pm, BusSpace::kPort, kAcpi.pm1a_evt, AcpiPm::kSize, 0};
  m_devices[kBootTimer] = {nullptr, &m_boot_timer, BusSpace::kPort, kBootTimerPort, 4, 0};
}

BoardLayout PcBoard::layout() const {
  return {Gpa(0), 3ull << 30, Stage2Config::of(Stage2Format::kEpt)};
}

IrqChip* PcBoard::create_irq_chip(unsigned cpus, GuestClock clock, bool hardware_timer) {
  (void)cpus, (void)clock, (void)hardware_timer;
  return nullptr;
}

Result<void> PcBoard::attach(AddressSpace& space, DeviceBus& bus, IrqController* external) {
  if (external != nullptr) m_com1.connect_irq(IrqLine(external, kCom1Irq));
  for (const PlacedDevice& d : m_devices) TRY(place(space, bus, d));
  m_virtio.connect(space, external);
  return ok();
}

HypercallResult PcBoard::firmware_call(unsigned cpu, const uint64_t args[8], PowerControl& power,
                                       CpuControl* cpus) {
  (void)cpu, (void)args, (void)power, (void)cpus;
  // No hypercall interface is defined for x86 guests yet; report "not implemented" the way
  // KVM's hypercall ABI does (-KVM_ENOSYS) rather than stopping the guest.
  HypercallResult r;
  r.ret[0] = static_cast<uint64_t>(-1000);
  r.count = 1;
  return r;
}

Result<void> PcBoard::prepare_boot(AddressSpace& space, LoadedGuest& guest, Gpa dtb) {
  (void)dtb;
  const uint64_t tables = kBootTablesGpa;
  const uint64_t tables_end = tables + x86::kLongModeTablesSize;
  if (guest.image_start < tables_end && tables < guest.image_end) return Error(Status::kOverlap);
  const Region* region = space.find(Gpa(tables));
  if (region == nullptr || region->kind != RegionKind::kRam || !region->contiguous())
    return Error(Status::kOutOfRange);
  const Hva host = TRY(space.host_address(*region));
  std::span<uint8_t> ram(to_ptr<uint8_t>(host), region->size);
  guest.boot.x86 = TRY(x86::build_long_mode(ram, region->base, Gpa(tables)));
  return ok();
}

BootState PcBoard::secondary_boot(uint64_t target, uint64_t entry, uint64_t context) const {
  // x86 secondaries start by INIT/SIPI inside the in-kernel irqchip; nothing calls this.
  (void)target;
  BootState boot;
  boot.pc = entry;
  boot.args[0] = context;
  return boot;
}

}  // namespace tandem
