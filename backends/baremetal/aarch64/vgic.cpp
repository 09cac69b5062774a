// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/aarch64/vgic.h"

#include "backends/baremetal/aarch64/gic_hw.h"
#include "core/arch/aarch64/sysreg_id.h"
#include "core/base/log.h"
#include "core/irq/irq_chip.h"
#include "devices/irq/gicv3.h"

namespace tandem::baremetal::aarch64 {
namespace {

constexpr uint32_t kCtlrEoiMode = 1u << 1;  // ICC_CTLR_EL1.EOImode
// At most this many physical interrupts are taken per entry: a level that stays high (a
// maintenance condition not yet cleared) must not keep the hypervisor from entering.
constexpr unsigned kMaxPhysicalPerEntry = 8;

}  // namespace

Vgic::Vgic(IrqChip* chip, unsigned cpu, unsigned lrs)
    : m_chip(chip), m_cpu(cpu), m_lrs(lrs < kMaxLrs ? lrs : kMaxLrs) {
  if (m_chip == nullptr) return;
  // The model's CPU interface is the hypervisor's view (vgic.h): everything it has is handed
  // out, the guest's masks apply in the virtual interface.
  (void)m_chip->sysreg_write(cpu, a64::ICC_PMR_EL1, 0xff);
  (void)m_chip->sysreg_write(cpu, a64::ICC_CTLR_EL1, kCtlrEoiMode);
  (void)m_chip->sysreg_write(cpu, a64::ICC_IGRPEN0_EL1, 1);
  (void)m_chip->sysreg_write(cpu, a64::ICC_IGRPEN1_EL1, 1);
}

Vgic::Entry Vgic::prepare_entry() {
  Entry entry;
  if (m_chip == nullptr || m_lrs == 0) return entry;
  retire();
  entry.deadline = take_physical();
  entry.listed = fill();
  return entry;
}

// A list register whose state went to invalid: the guest deactivated the interrupt (EOI with
// EOImode 0, or DIR). The model deactivates it too, so a level still high pends again.
void Vgic::retire() {
  for (unsigned n = 0; n < m_lrs; n++) {
    if (m_shadow[n] == 0 || !lr_retired(ich_lr_read(n))) continue;
    const uint32_t intid = lr_intid(m_shadow[n]);
    if (lr_hw(m_shadow[n])) {
      // The guest's deactivation deactivated the physical vtimer PPI as well: if the timer
      // still fires it is pending again, and take_physical() raises the line again.
      m_vtimer_held = false;
      m_vtimer_listed = false;
      m_chip->set_irq_level(Gicv3::ppi_line(m_cpu, Gicv3::kVirtualTimerPpi), false);
    }
    ich_lr_write(n, 0);  // also clears a pending EOI maintenance condition
    m_shadow[n] = 0;
    (void)m_chip->sysreg_write(m_cpu, a64::ICC_DIR_EL1, intid);
  }
  // A vtimer interrupt the model could not deliver (the guest disabled PPI 27) whose timer
  // stopped firing meanwhile: the level is gone, as on hardware.
  if (m_vtimer_held && !m_vtimer_listed && !vtimer_asserted()) {
    m_vtimer_held = false;
    m_chip->set_irq_level(Gicv3::ppi_line(m_cpu, Gicv3::kVirtualTimerPpi), false);
    gic_deactivate(kVirtualTimerPpi);
  }
}

bool Vgic::take_physical() {
  bool deadline = false;
  for (unsigned i = 0; i < kMaxPhysicalPerEntry; i++) {
    const uint32_t intid = gic_ack();
    if (intid >= kSpuriousIntid) break;
    gic_priority_drop(intid);
    switch (intid) {
      case kVirtualTimerPpi:
        // Stays active until the guest deactivates it through the HW list register: it cannot
        // fire again before the guest has seen it.
        m_vtimer_held = true;
        m_chip->set_irq_level(Gicv3::ppi_line(m_cpu, Gicv3::kVirtualTimerPpi), true);
        break;
      case kHypTimerPpi:
        hyp_timer_set(0);
        gic_deactivate(intid);
        deadline = true;
        break;
      case kMaintenancePpi:  // retire() and fill() have done what it asks for
      default: gic_deactivate(intid); break;
    }
  }
  return deadline;
}

// Hands the model's pending interrupts to free list registers: acknowledge in the model (it
// becomes active there), read its priority back (ICC_RPR_EL1, exact with the minimum binary
// point), drop the model's running priority again at once. Skipped while the model is untouched
// since the last fill (IrqChip::generation: retire() and take_physical() touch it when they
// change anything), so most exits cost no model work.
unsigned Vgic::fill() {
  if (m_chip->generation() == m_seen_generation) return 0;
  unsigned listed = 0;
  bool overflow = false;
  for (unsigned n = 0; n < m_lrs; n++) {
    if (m_shadow[n] != 0) continue;
    const uint32_t lines = m_chip->cpu_lines(m_cpu);
    if (lines == 0) break;
    const unsigned group = (lines & cpu_irq::kIrq) != 0 ? 1 : 0;
    uint64_t intid = Gicv3State::kSpurious;
    uint64_t priority = 0;
    (void)m_chip->sysreg_read(m_cpu, group != 0 ? a64::ICC_IAR1_EL1 : a64::ICC_IAR0_EL1, intid);
    if (intid >= kSpuriousIntid) break;
    (void)m_chip->sysreg_read(m_cpu, a64::ICC_RPR_EL1, priority);
    (void)m_chip->sysreg_write(m_cpu, group != 0 ? a64::ICC_EOIR1_EL1 : a64::ICC_EOIR0_EL1, intid);
    LrEntry e{static_cast<uint32_t>(intid), static_cast<uint8_t>(priority), group};
    if (intid == kVirtualTimerPpi && m_vtimer_held && !m_vtimer_listed) {
      e.hw = true;
      e.physical = kVirtualTimerPpi;
      m_vtimer_listed = true;
    }
    m_shadow[n] = lr_encode(e);
    ich_lr_write(n, m_shadow[n]);
    listed++;
  }
  // Every list register is taken and the model has more: ask for a maintenance interrupt
  // once the guest has worked through them (underflow), to refill.
  if (listed > 0 || m_overflow) {
    bool full = true;
    for (unsigned n = 0; n < m_lrs; n++) full = full && m_shadow[n] != 0;
    overflow = full && m_chip->cpu_lines(m_cpu) != 0;
  }
  if (overflow != m_overflow) {
    m_overflow = overflow;
    ich_hcr_write(ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0));
  }
  m_seen_generation = m_chip->generation();
  return listed;
}

}  // namespace tandem::baremetal::aarch64
