// SPDX-License-Identifier: Apache-2.0
// One PE's virtual timer and virtual counter (Arm ARM DDI 0487 D11.2, "The Generic Timer in
// AArch64 state"), for backends that trap the guest's timer registers. The counter runs at
// 62.5 MHz, the frequency QEMU and Unicorn report in CNTFRQ_EL0, so one tick is exactly 16 ns
// of guest time and CNTVCT_EL0 = GuestClock ns / 16 (CNTVOFF is 0).
//
// The timer condition ENABLE && CNTVCT >= CVAL sets CNTV_CTL_EL0.ISTATUS; the output line (the
// CPU's PPI 27 on QEMU virt) is ISTATUS && !IMASK (D11.2.4). It is re-evaluated on every
// register access and on advance().
#pragma once

#include <cstdint>

#include "core/irq/irq_chip.h"
#include "core/irq/irq_line.h"

namespace tandem {

class GenericTimer {
 public:
  static constexpr uint64_t kFrequencyHz = 62'500'000;
  static constexpr uint64_t kNsPerTick = 1'000'000'000 / kFrequencyHz;
  static_assert(kNsPerTick * kFrequencyHz == 1'000'000'000);

  // CNTV_CTL_EL0 (D13.8.x): ENABLE and IMASK are writable, ISTATUS is read-only.
  static constexpr uint64_t CTL_ENABLE = 1u << 0;
  static constexpr uint64_t CTL_IMASK = 1u << 1;
  static constexpr uint64_t CTL_ISTATUS = 1u << 2;

  // An unconnected timer (an unused slot of a fixed array); connect before use.
  GenericTimer() = default;
  GenericTimer(GuestClock clock, IrqLine out);

  // CNTFRQ_EL0, CNTVCT_EL0, CNTV_CTL_EL0, CNTV_CVAL_EL0 and CNTV_TVAL_EL0 (sysreg_id.h ids);
  // false for any other register. Writes to the read-only CNTFRQ/CNTVCT are ignored.
  bool read(uint32_t id, uint64_t& value);
  bool write(uint32_t id, uint64_t value);

  // Sets the output for `now_ns` and returns the guest time at which it will rise, or
  // kNoDeadline when it is already up or cannot rise without a register write.
  uint64_t advance(uint64_t now_ns);

 private:
  uint64_t ctl(uint64_t count) const;

  GuestClock m_clock;
  IrqLine m_out;
  uint64_t m_ctl = 0;
  uint64_t m_cval = 0;
};

}  // namespace tandem
