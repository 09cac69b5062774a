// SPDX-License-Identifier: Apache-2.0
// The CLINT (SiFive core-local interruptor; as QEMU 7.2's virt board builds it from an ACLINT
// MSWI and MTIMER, RISC-V ACLINT spec v1.0-rc4), mapped onto what an S-mode guest can use.
//
//   0x0000 + 4*h   msip of hart h      (4-byte)
//   0x4000 + 8*h   mtimecmp of hart h  (4 or 8 bytes; a 4-byte access reaches one half)
//   0xBFF8         mtime               (4 or 8 bytes)
//
// mtime counts at QEMU virt's timebase-frequency, 10 MHz: one tick per 100 ns of guest time.
//
// Tandem runs no M-mode software: the guest kernel runs in S-mode (VS-mode on hardware) and
// the hypervisor plays the SBI firmware. What the M-mode registers drive on a real board is what
// OpenSBI turns them into for the S-mode kernel, so here:
//   - mtime reads the guest clock, the same value as the guest's time CSR. Writes are ignored:
//     the time CSR cannot be set from S-mode either.
//   - a write of 1 to msip requests a supervisor software interrupt (sip.SSIP) on hart h, as an
//     SBI send_ipi does. The guest clears sip.SSIP itself; each write of 1 is one request. A
//     write of 0 withdraws a request not yet delivered; msip reads 1 while one is outstanding.
//   - mtimecmp is hart h's supervisor timer, the value of SBI set_timer: sip.STIP is pending
//     while time >= mtimecmp, and a new value in the future clears it.
// Other offsets and widths read 0 and ignore writes.
#pragma once

#include <array>
#include <cstdint>

#include "core/bus/device.h"
#include "core/irq/irq_chip.h"

namespace tandem {

class Clint final : public Device {
 public:
  static constexpr uint64_t kSize = 0x1'0000;
  static constexpr uint64_t kTimebaseHz = 10'000'000;
  static constexpr uint64_t kNsPerTick = 1'000'000'000 / kTimebaseHz;
  static constexpr unsigned kMaxHarts = 8;

  static constexpr uint64_t kMsipBase = 0x0;
  static constexpr uint64_t kMtimecmpBase = 0x4000;
  static constexpr uint64_t kMtime = 0xBFF8;

  // hart_count is clamped to 1..kMaxHarts.
  Clint(unsigned hart_count, GuestClock clock);
  Clint(const Clint&) = delete;
  Clint& operator=(const Clint&) = delete;

  const char* name() const override { return "clint"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  // The time CSR (and mtime) now.
  uint64_t time_ticks() const { return m_clock.now_ns() / kNsPerTick; }

  // Supervisor timer of `hart` (ignored for a hart that does not exist), in ticks;
  // ~0 (the reset value) never fires.
  void set_timer(unsigned hart, uint64_t ticks);
  bool timer_pending(unsigned hart) const;
  // The earliest supervisor timer deadline after `now_ns`, in guest ns, or kNoDeadline.
  uint64_t next_deadline_ns(uint64_t now_ns) const;

  // Supervisor software interrupt requests of `hart` (ignored for a hart that does not exist).
  void send_soft_irq(unsigned hart);
  // True once per request: the request is consumed.
  bool take_soft_irq(unsigned hart);
  bool soft_irq_pending(unsigned hart) const { return hart < m_harts && m_soft[hart]; }

 private:
  unsigned m_harts;
  GuestClock m_clock;
  std::array<uint64_t, kMaxHarts> m_deadline;
  std::array<bool, kMaxHarts> m_soft{};
};

}  // namespace tandem
