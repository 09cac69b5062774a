// SPDX-License-Identifier: Apache-2.0
// The real GICv3 as the hypervisor uses it at EL2 (QEMU virt's layout: GICD at 0x08000000,
// one redistributor per CPU from 0x080A0000): its own physical CPU interface, which takes the
// PPIs that concern the hypervisor (virtual timer, EL2 physical timer, GIC maintenance), and
// the virtual CPU interface registers (ICH_*_EL2) that deliver the guest's interrupts. The
// guest's own GICD/GICR accesses never reach this hardware: stage 2 leaves those frames
// unmapped and the Gicv3 model serves them.
#pragma once

#include <cstdint>

namespace tandem::baremetal::aarch64 {

// PPIs of QEMU virt (hw/arm/virt.h, + 16): the GIC maintenance interrupt, the EL2 physical
// timer (CNTHP, the hypervisor's preemption timer) and the EL1 virtual timer (the guest's).
inline constexpr uint32_t kMaintenancePpi = 25;
inline constexpr uint32_t kHypTimerPpi = 26;
inline constexpr uint32_t kVirtualTimerPpi = 27;
inline constexpr uint32_t kSpuriousIntid = 1020;
// The SGI one physical CPU sends another to make it leave the guest or an EL2 WFI (with
// several CPUs); it needs nothing more than the exit it causes.
inline constexpr uint32_t kKickSgi = 8;  // 1020..1023: nothing to acknowledge

// Wakes this CPU's redistributor, puts the kick SGI and the three PPIs above in group 1 and
// enables them, turns the EL2 CPU interface on (system registers, EOImode = 1: priority drop and
// deactivation split, so a physical interrupt handed to the guest stays active until the
// guest deactivates it through a HW list register) and the virtual CPU interface
// (ICH_HCR_EL2.En). Returns the number of list registers.
unsigned gic_init_cpu(unsigned cpu);

// The physical CPU interface at EL2 (IHI 0069 12.2): acknowledge (ICC_IAR1_EL1; >= 1020 when
// nothing is pending), priority drop (ICC_EOIR1_EL1), deactivation (ICC_DIR_EL1).
uint32_t gic_ack();
void gic_priority_drop(uint32_t intid);
void gic_deactivate(uint32_t intid);

// Sends the kick SGI to the physical CPUs in `targets` (bit i: MPIDR Aff0 = i, Aff1..3 = 0).
void gic_kick(uint32_t targets);

// The virtual CPU interface: list register `n` (< the count gic_init_cpu returned), ICH_HCR.
uint64_t ich_lr_read(unsigned n);
void ich_lr_write(unsigned n, uint64_t value);
void ich_hcr_write(uint64_t value);

// The guest's EL1 virtual timer output (CNTV_CTL_EL0: ENABLE and ISTATUS set, IMASK clear),
// whether it is armed at all (ENABLE set, IMASK clear), and the EL2 physical timer as the
// hypervisor's deadline in counter ticks (0: off).
bool vtimer_asserted();
bool vtimer_armed();
void hyp_timer_set(uint64_t ticks);
uint64_t counter_hz();

// Waits in WFI until the physical counter reaches `ticks` (the EL2 physical timer's PPI wakes
// the CPU; it is disarmed again before returning, never acknowledged), or returns early when
// another physical interrupt arrives. Polls the counter when the GIC is not set up.
void hyp_wait_until(uint64_t ticks);

}  // namespace tandem::baremetal::aarch64
