// SPDX-License-Identifier: Apache-2.0
// The PC's interrupt hardware as the x86_64 guests use it, the same on QEMU's pc board and on
// Tandem's KVM backend (KVM's in-kernel irqchip): the local APIC at 0xfee00000 (Intel SDM vol.3
// ch.11), the IOAPIC at 0xfec00000 (82093AA datasheet) and the 8259 pair, which the guests
// mask so that every interrupt comes through the APICs. Both windows are in the identity map
// (multiboot.S and Tandem's loader map [0, 4 GiB)).
#pragma once

#include <cstdint>

#include "io.h"

namespace guest::apic {

inline constexpr std::uintptr_t kLapicBase = 0xfee00000;
inline constexpr std::uintptr_t kIoapicBase = 0xfec00000;

// Local APIC registers (SDM vol.3 table 11-1).
inline constexpr unsigned kId = 0x20;
inline constexpr unsigned kTpr = 0x80;
inline constexpr unsigned kEoi = 0xb0;
inline constexpr unsigned kSvr = 0xf0;
inline constexpr unsigned kIcrLow = 0x300;
inline constexpr unsigned kIcrHigh = 0x310;
inline constexpr unsigned kLvtTimer = 0x320;
inline constexpr unsigned kTimerInitial = 0x380;
inline constexpr unsigned kTimerCurrent = 0x390;
inline constexpr unsigned kTimerDivide = 0x3e0;

inline constexpr std::uint32_t kSvrEnable = 1u << 8;
inline constexpr std::uint32_t kLvtMasked = 1u << 16;
inline constexpr std::uint32_t kLvtPeriodic = 1u << 17;
inline constexpr std::uint32_t kTimerDivideBy16 = 0x3;  // SDM vol.3 figure 11-10
inline constexpr std::uint32_t kIcrDeliveryPending = 1u << 12;

// ICR (SDM vol.3 11.6.1): delivery mode, level, destination shorthand.
inline constexpr std::uint32_t kIcrInit = 0x5u << 8;
inline constexpr std::uint32_t kIcrStartup = 0x6u << 8;
inline constexpr std::uint32_t kIcrAssert = 1u << 14;
inline constexpr std::uint32_t kIcrAllButSelf = 0x3u << 18;

inline std::uint32_t lapic_read(unsigned reg) {
  return *reinterpret_cast<volatile std::uint32_t*>(kLapicBase + reg);
}
inline void lapic_write(unsigned reg, std::uint32_t value) {
  *reinterpret_cast<volatile std::uint32_t*>(kLapicBase + reg) = value;
}

inline unsigned lapic_id() { return lapic_read(kId) >> 24; }
inline void eoi() { lapic_write(kEoi, 0); }

// Software-enables this CPU's local APIC with spurious vector 0xff, accepting every priority.
inline void lapic_enable() {
  lapic_write(kTpr, 0);
  lapic_write(kSvr, kSvrEnable | 0xff);
}

// The timer in periodic mode: `count` ticks of the APIC bus clock divided by 16 per interrupt
// on `vector` (SDM vol.3 11.5.4). QEMU and KVM both clock the timer at 1 GHz.
inline void timer_periodic(unsigned vector, std::uint32_t count) {
  lapic_write(kTimerDivide, kTimerDivideBy16);
  lapic_write(kLvtTimer, kLvtPeriodic | vector);
  lapic_write(kTimerInitial, count);
}
inline void timer_stop() {
  lapic_write(kLvtTimer, kLvtMasked);
  lapic_write(kTimerInitial, 0);
}

// Sends an IPI and waits until the local APIC has delivered it.
inline void send_ipi(std::uint32_t destination, std::uint32_t icr_low) {
  lapic_write(kIcrHigh, destination << 24);
  lapic_write(kIcrLow, icr_low);
  while ((lapic_read(kIcrLow) & kIcrDeliveryPending) != 0) {
  }
}

// IOAPIC redirection entry for input `pin`: fixed delivery of `vector` to the local APIC with
// ID `apic_id`, edge-triggered, active high, unmasked (82093AA datasheet, 3.2.4).
inline void ioapic_route(unsigned pin, unsigned vector, unsigned apic_id) {
  auto* select = reinterpret_cast<volatile std::uint32_t*>(kIoapicBase);
  auto* window = reinterpret_cast<volatile std::uint32_t*>(kIoapicBase + 0x10);
  *select = 0x10 + 2 * pin + 1;
  *window = apic_id << 24;
  *select = 0x10 + 2 * pin;
  *window = vector;
}

// Re-bases both 8259s to vectors 0xf0..0xff, away from the exceptions (a BIOS leaves the
// master at 8), and masks all their inputs (8259A datasheet, ICW1..ICW4 and OCW1). On KVM the
// boot CPU's LINT0 starts in virtual-wire mode, so an unmasked 8259 would deliver too.
inline void pic_disable() {
  io::out8(0x20, 0x11);  // ICW1: edge, cascade, ICW4 follows
  io::out8(0xa0, 0x11);
  io::out8(0x21, 0xf0);  // ICW2: vector base
  io::out8(0xa1, 0xf8);
  io::out8(0x21, 0x04);  // ICW3: slave on IR2
  io::out8(0xa1, 0x02);
  io::out8(0x21, 0x01);  // ICW4: 8086 mode
  io::out8(0xa1, 0x01);
  io::out8(0x21, 0xff);  // OCW1: mask everything
  io::out8(0xa1, 0xff);
}

// Waits for an interrupt with interrupts enabled only inside the wait: STI's one-instruction
// shadow makes STI; HLT atomic, so an interrupt that is already pending wakes the HLT instead
// of being taken before it (SDM vol.2, STI). Returns with interrupts disabled again.
inline void wait_for_interrupt() { asm volatile("sti; hlt; cli" ::: "memory"); }

}  // namespace guest::apic
