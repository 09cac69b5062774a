// SPDX-License-Identifier: Apache-2.0
// The interrupt model of QEMU's riscv64 virt board as an S-mode guest sees it through SBI: the
// PLIC (external interrupts, sip.SEIP from hart h's S context 2h+1), the CLINT (see clint.h for
// how its M-mode registers map onto S-mode), and the SBI TIME and IPI extensions, which drive
// the same per-hart supervisor timer and software interrupt as the CLINT's mtimecmp and msip.
//
// Interrupt inputs per hart (IrqChip::cpu_lines, sip layout):
//   kSeip  level: the hart's S context has a claimable source
//   kStip  level: time >= the hart's timer deadline; only a new deadline in the future clears it
//          (SBI v2.0 chapter 6.1)
//   kSsip  edge (edge_lines()): reported while a software interrupt request is undelivered; the
//          backend sets sip.SSIP once and calls edges_delivered(), the guest clears it itself
// The time CSR is readable as system register 0xC01 (sysreg_read), for backends that emulate
// rdtime.
#pragma once

#include <array>
#include <cstdint>

#include "core/arch/riscv64/sbi.h"
#include "core/irq/irq_chip.h"
#include "devices/irq/plic.h"
#include "devices/timer/clint.h"

namespace tandem {

class RiscvIrqChip final : public IrqChip, public SbiHarts {
 public:
  static constexpr uint64_t kTimebaseHz = Clint::kTimebaseHz;
  static constexpr unsigned kMaxHarts = Plic::kMaxHarts;
  static_assert(Clint::kMaxHarts == kMaxHarts);

  // hart_count is clamped to 1..kMaxHarts.
  RiscvIrqChip(unsigned hart_count, GuestClock clock)
      : m_plic(hart_count), m_clint(hart_count, clock) {}
  RiscvIrqChip(const RiscvIrqChip&) = delete;
  RiscvIrqChip& operator=(const RiscvIrqChip&) = delete;

  const char* name() const override { return "riscv-plic-clint"; }
  // The PLIC and CLINT frames as a board maps them (every access touches the chip).
  Device& plic_frame() { return m_plic_frame; }
  Device& clint_frame() { return m_clint_frame; }
  uint32_t cpu_lines(unsigned cpu) override;
  uint64_t advance(uint64_t now_ns) override;

  // A PLIC source (1..95; others are ignored).
  void set_irq_level(uint32_t irq, bool level) override {
    m_plic.set_level(irq, level);
    touch();
  }

  // SbiHarts: SBI set_timer and send_ipi of the calling guest.
  void set_timer(unsigned hart, uint64_t stime_value) override {
    m_clint.set_timer(hart, stime_value);
    touch();
  }
  void send_ipi(unsigned hart) override {
    m_clint.send_soft_irq(hart);
    touch();
  }

  // sie as the backend last reported it (all enabled until then).
  uint32_t wake_lines(unsigned cpu) override {
    return cpu < kMaxHarts ? cpu_lines(cpu) & m_wake_mask[cpu] : 0;
  }
  void set_wake_mask(unsigned cpu, uint32_t mask) override {
    if (cpu < kMaxHarts) m_wake_mask[cpu] = mask;
  }
  uint32_t edge_lines() const override { return cpu_irq::kSsip; }
  void edges_delivered(unsigned cpu, uint32_t lines) override {
    if ((lines & cpu_irq::kSsip) != 0) m_clint.take_soft_irq(cpu);
    touch();
  }

  // The time CSR (kCsrTime) in kTimebaseHz ticks, for backends that emulate rdtime.
  static constexpr uint32_t kCsrTime = 0xC01;
  bool sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) override;

  // The time CSR now, in kTimebaseHz ticks.
  uint64_t time_ticks() const { return m_clint.time_ticks(); }

 private:
  Plic m_plic;
  Clint m_clint;
  ChipFrame m_plic_frame{*this, m_plic};
  ChipFrame m_clint_frame{*this, m_clint};
  std::array<bool, kMaxHarts> m_timer_seen{};  // STIP as the last advance() saw it
  std::array<uint32_t, kMaxHarts> m_wake_mask = filled(~0u);

  static constexpr std::array<uint32_t, kMaxHarts> filled(uint32_t v) {
    std::array<uint32_t, kMaxHarts> a{};
    for (uint32_t& x : a) x = v;
    return a;
  }
};

}  // namespace tandem
