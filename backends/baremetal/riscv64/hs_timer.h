// SPDX-License-Identifier: Apache-2.0
// The hypervisor's own timer: the HS-level supervisor timer interrupt (sip.STIP, never
// delegated to the guest: hideleg holds only the VS-level bits), armed at the VM's next timer
// deadline so that a running guest traps back to HS-mode then, and used to sleep in WFI while
// every vCPU is halted. Programmed through SBI TIME set_timer to the firmware (SBI spec v2.0,
// 6.1), which works with or without Sstc (OpenSBI writes stimecmp or mtimecmp for us).
#pragma once

#include <cstdint>

namespace tandem::baremetal::riscv64 {

// QEMU virt's timebase (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ, the DTB's
// /cpus/timebase-frequency) and the guest's, which the interrupt model fixes at 10 MHz: the
// guest's time CSR is the host's minus an offset (htimedelta), never scaled, so the image
// needs a board with this timebase.
inline constexpr uint64_t kTimebaseHz = 10'000'000;
inline constexpr uint64_t kNsPerTick = 1'000'000'000 / kTimebaseHz;

// The first time CSR tick at or after host time `ns` (arch::now_ns() time).
constexpr uint64_t ticks_at_or_after(uint64_t ns) {
  return ns / kNsPerTick + (ns % kNsPerTick != 0);
}

// Arms the timer for host tick `ticks` (~0: disarms it); a new value also clears a pending
// STIP that is not due again. Skips the SBI call when the timer is already armed there.
void hs_timer_arm(uint64_t ticks);

// The timer interrupt was taken (or seen pending): disarms the timer, which clears STIP.
void hs_timer_fired();

// Waits until host time `deadline_ns` in WFI with the timer armed at it (sstatus.SIE stays 0:
// WFI wakes on the pending, enabled STIP without trapping). kNoDeadline returns at once.
void hs_idle_until(uint64_t deadline_ns);

}  // namespace tandem::baremetal::riscv64
