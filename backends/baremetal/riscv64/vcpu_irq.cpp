// SPDX-License-Identifier: Apache-2.0
// Interrupt delivery to the guest: before each entry, hvip follows the interrupt model's lines
// for this vCPU and the HS timer is armed at the model's next deadline.
#include "backends/baremetal/riscv64/csr.h"
#include "backends/baremetal/riscv64/hs_timer.h"
#include "backends/baremetal/riscv64/vcpu.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal::riscv64 {
namespace {

// hvip (18.2.3) holds the VS-level bits, each one above its sip counterpart (cpu_irq layout):
// VSSIP 2 = SSIP 1 << 1, VSTIP 6 = STIP 5 << 1, VSEIP 10 = SEIP 9 << 1. hideleg hands all three
// to VS-mode, so the guest takes them through its own vstvec without an exit.
constexpr uint64_t to_hvip(uint32_t lines) { return uint64_t{lines} << 1; }
static_assert(to_hvip(cpu_irq::kSsip) == IRQ_VSSIP && to_hvip(cpu_irq::kStip) == IRQ_VSTIP &&
              to_hvip(cpu_irq::kSeip) == IRQ_VSEIP);

constexpr uint32_t kLevels = cpu_irq::kStip | cpu_irq::kSeip;

}  // namespace

// VSTIP and VSEIP are levels: copied on every entry. VSSIP is an edge (IrqChip::edge_lines):
// set once when the model reports it, then the guest clears sip.SSIP (an alias of hvip.VSSIP)
// itself, so it is never cleared here. The timer is the hypervisor's own: the model's timers
// are levels computed from the clock, so the guest only needs an exit at the next deadline to
// see VSTIP rise; a trap taken at the deadline ends run() with kTimeout.
//
// Nothing is recomputed while the model is untouched since the last entry (IrqChip::generation)
// and no time-driven event (the HS timer, a kick, a return to the VM) came in between: most
// exits (an MMIO access to a device without an interrupt, an SBI call that changes nothing)
// then cost no model work.
void HypVcpu::sync_irqs() {
  if (m_chip == nullptr) return;
  VmExits::Guard guard(*m_exits);  // the model is shared with the other harts' vCPUs
  if (!m_resync_irqs && m_chip->generation() == m_seen_generation) return;
  m_resync_irqs = false;
  const uint32_t lines = m_chip->cpu_lines(m_id);
  uint64_t hvip = (csr_read<CSR_HVIP>() & ~to_hvip(kLevels)) | to_hvip(lines & kLevels);
  const uint32_t edges = lines & m_chip->edge_lines();
  if (edges != 0) {
    hvip |= to_hvip(edges);
    m_chip->edges_delivered(m_id, edges);
  }
  csr_write<CSR_HVIP>(hvip);
  const uint64_t next = m_chip->advance(m_clock.now_ns());
  hs_timer_arm(next == kNoDeadline ? ~uint64_t{0} : ticks_at_or_after(m_clock.host_ns(next)));
  m_seen_generation = m_chip->generation();
}

// A WFI must end at once for a pending interrupt the guest enabled: an IPI injected into
// hvip.VSSIP while the guest had interrupts off (as Linux's idle loop has them) is an edge the
// model has handed over and no longer reports.
bool HypVcpu::guest_irq_pending() const {
  constexpr uint32_t kLines = cpu_irq::kSsip | kLevels;
  const auto enabled = static_cast<uint32_t>(csr_read<CSR_VSIE>() & kLines);
  return (csr_read<CSR_HVIP>() & to_hvip(enabled)) != 0;
}

}  // namespace tandem::baremetal::riscv64
