// SPDX-License-Identifier: Apache-2.0
#include "core/vm/vm_exits.h"

#include "core/base/log.h"
#include "core/bus/device_bus.h"
#include "core/irq/irq_chip.h"

namespace tandem {

void VmExits::trace_line(ExitKind kind, uint64_t addr, unsigned size, uint64_t value,
                         const PcSource& pc) {
  const bool is_access = kind == ExitKind::kMmioRead || kind == ExitKind::kMmioWrite;
  if (m_trace_mmio_only && !is_access) return;
  VcpuExit e;
  e.kind = kind;
  e.addr = addr;
  e.size = static_cast<uint8_t>(size);
  e.value = value;
  e.pc = pc.get();
  m_tracer->trace(e);
}

uint64_t VmExits::mmio_read(unsigned cpu, Gpa gpa, unsigned size, const PcSource& pc) {
  Guard guard(*this);
  if (m_chip != nullptr) m_chip->set_accessor(cpu);
  uint64_t value = 0;
  if (!m_bus.read(BusSpace::kMmio, gpa.raw(), size, value)) {
    unknown_access("read", "MMIO address", gpa.raw(), size, pc);
    value = 0;
  }
  trace(ExitKind::kMmioRead, gpa.raw(), size, value, pc);
  after_access();
  return value;
}

void VmExits::mmio_write(unsigned cpu, Gpa gpa, unsigned size, uint64_t value, const PcSource& pc) {
  Guard guard(*this);
  if (m_chip != nullptr) m_chip->set_accessor(cpu);
  trace(ExitKind::kMmioWrite, gpa.raw(), size, value, pc);
  if (!m_bus.write(BusSpace::kMmio, gpa.raw(), size, value))
    unknown_access("write", "MMIO address", gpa.raw(), size, pc);
  after_access();
}

uint64_t VmExits::io_read(uint16_t port, unsigned size, const PcSource& pc) {
  Guard guard(*this);
  uint64_t value = 0;
  if (!m_bus.read(BusSpace::kPort, port, size, value)) {
    // Reads of an absent ISA port float high on a PC; guests probe ports this way, so an
    // unclaimed port is never a fault.
    value = extend(~uint64_t{0}, size, false);
    TLOG_DEBUG("unclaimed port read 0x%x size %u at pc %#llx", port, size,
               static_cast<unsigned long long>(pc.get()));
  }
  trace(ExitKind::kIoRead, port, size, value, pc);
  after_access();
  return value;
}

void VmExits::io_write(uint16_t port, unsigned size, uint64_t value, const PcSource& pc) {
  Guard guard(*this);
  trace(ExitKind::kIoWrite, port, size, value, pc);
  if (!m_bus.write(BusSpace::kPort, port, size, value))
    TLOG_DEBUG("unclaimed port write 0x%x size %u value %#llx at pc %#llx", port, size,
               static_cast<unsigned long long>(value), static_cast<unsigned long long>(pc.get()));
  after_access();
}

void VmExits::unknown_access(const char* dir, const char* what, uint64_t addr, unsigned size,
                             const PcSource& pc) {
  if (m_policy == UnknownAccessPolicy::kIgnore) {
    TLOG_DEBUG("ignored %u-byte %s of %s %#llx at pc %#llx", size, dir, what,
               static_cast<unsigned long long>(addr), static_cast<unsigned long long>(pc.get()));
    return;
  }
  m_stop.set_fault(
      StopKind::kFault, "guest %u-byte %s of %s %#llx (no RAM or device there) at pc %#llx", size,
      dir, what, static_cast<unsigned long long>(addr), static_cast<unsigned long long>(pc.get()));
}

HypercallResult VmExits::hypercall(unsigned cpu, const uint64_t args[8], const PcSource& pc) {
  Guard guard(*this);
  trace(ExitKind::kHypercall, args[0], 0, args[0], pc);
  if (m_board != nullptr) return m_board->firmware_call(cpu, args, m_stop, m_cpus);
  HypercallResult r;
  r.ret[0] = static_cast<uint64_t>(-1000);
  r.count = 1;
  return r;
}

bool VmExits::sysreg_read(unsigned cpu, uint32_t id, uint64_t& value, const PcSource& pc) {
  Guard guard(*this);
  if (m_chip == nullptr || !m_chip->sysreg_read(cpu, id, value)) return false;
  trace(ExitKind::kSysRegRead, id, 8, value, pc);
  return true;
}

bool VmExits::sysreg_write(unsigned cpu, uint32_t id, uint64_t value, const PcSource& pc) {
  Guard guard(*this);
  if (m_chip == nullptr || !m_chip->sysreg_write(cpu, id, value)) return false;
  trace(ExitKind::kSysRegWrite, id, 8, value, pc);
  return true;
}

void VmExits::fault(const char* what, uint64_t addr, uint64_t pc) {
  Guard guard(*this);
  m_stop.set_fault(StopKind::kFault, "guest %s at address %#llx, pc %#llx", what,
                   static_cast<unsigned long long>(addr), static_cast<unsigned long long>(pc));
  trace(ExitKind::kFault, addr, 0, 0, pc);
}

// Every exit but a device access (handle(), vm_exits.h).
ExitAction VmExits::handle_other(unsigned cpu, VcpuExit& exit, const PcSource& pc) {
  bool handled = true;
  switch (exit.kind) {
    case ExitKind::kHypercall: {
      const HypercallResult r = hypercall(cpu, exit.args, pc);
      exit.args[0] = r.ret[0];
      exit.args[1] = r.ret[1];
      exit.results = static_cast<uint8_t>(r.count);
      break;
    }
    case ExitKind::kSysRegRead:
      handled = sysreg_read(cpu, static_cast<uint32_t>(exit.addr), exit.value, pc);
      if (!handled) exit.value = 0;
      break;
    case ExitKind::kSysRegWrite:
      handled = sysreg_write(cpu, static_cast<uint32_t>(exit.addr), exit.value, pc);
      break;
    case ExitKind::kSystemDown: m_stop.system_off(static_cast<int>(exit.value)); break;
    case ExitKind::kSystemReset: m_stop.system_reset(); break;
    case ExitKind::kFault:
      fault(exit.reason != nullptr ? exit.reason : "fault", exit.addr, pc.get());
      break;
    default: {
      Guard guard(*this);
      trace(exit.kind, exit.addr, exit.size, exit.value, pc);
      break;
    }
  }
  if (stopped()) return stop_exit(exit, pc);
  return handled ? ExitAction::kResume : ExitAction::kNotHandled;
}

ExitAction VmExits::stop_exit(VcpuExit& exit, const PcSource& pc) {
  exit = m_stop.as_exit(pc.get());
  return ExitAction::kReturn;
}

}  // namespace tandem
