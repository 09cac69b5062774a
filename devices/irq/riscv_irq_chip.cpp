// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/riscv_irq_chip.h"

#include "core/bus/device_bus.h"
#include "core/mm/address_space.h"

namespace tandem {

Result<void> RiscvIrqChip::attach(AddressSpace& space, DeviceBus& bus) {
  TRY(space.add_mmio(Gpa(Clint::kBase), Clint::kSize));
  TRY(bus.add(BusSpace::kMmio, Clint::kBase, Clint::kSize, m_clint));
  TRY(space.add_mmio(Gpa(Plic::kBase), Plic::kSize));
  TRY(bus.add(BusSpace::kMmio, Plic::kBase, Plic::kSize, m_plic));
  return ok();
}

uint32_t RiscvIrqChip::cpu_lines(unsigned cpu) {
  uint32_t lines = 0;
  if (m_plic.context_pending(Plic::supervisor_context(cpu))) lines |= cpu_irq::kSeip;
  if (m_clint.timer_pending(cpu)) lines |= cpu_irq::kStip;
  if (m_clint.soft_irq_pending(cpu)) lines |= cpu_irq::kSsip;
  return lines;
}

bool RiscvIrqChip::sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) {
  (void)cpu;
  if (id != kCsrTime) return false;
  value = m_clint.time_ticks();
  return true;
}

// The timers are levels computed from the clock in cpu_lines(), so nothing fires here; what is
// left is the next deadline.
uint64_t RiscvIrqChip::advance(uint64_t now_ns) { return m_clint.next_deadline_ns(now_ns); }

}  // namespace tandem
