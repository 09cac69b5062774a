// SPDX-License-Identifier: Apache-2.0
// The VM's interrupt controller as Vm<H> and the backends see it: the model of one board's
// interrupt hardware (aarch64: GICv3 plus each vCPU's generic timer; riscv64: PLIC, CLINT and
// the SBI timer), whatever backend runs the vCPUs. Devices reach it through IrqLines; the
// backend asks it which interrupt inputs of a vCPU to assert (emu: HCR_EL2.VI or the SIP bits;
// bare metal: a list register or hvip) and lets it see the system registers it owns.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/base/result.h"
#include "core/bus/device.h"
#include "core/irq/irq_line.h"

namespace tandem {

// "Nothing is due": the deadline of a source that is not armed.
inline constexpr uint64_t kNoDeadline = ~uint64_t{0};

// A vCPU's interrupt inputs, in the layout of the architecture's own pending register for the
// guest kernel's privilege level, so a backend can copy them without translation.
namespace cpu_irq {
// aarch64: the IRQ and FIQ inputs of the PE (HCR_EL2.VI / VF on a hypervisor).
inline constexpr uint32_t kIrq = 1u << 0;
inline constexpr uint32_t kFiq = 1u << 1;
// riscv64: sip bits (priv spec 4.1.3): supervisor software, timer and external interrupt.
inline constexpr uint32_t kSsip = 1u << 1;
inline constexpr uint32_t kStip = 1u << 5;
inline constexpr uint32_t kSeip = 1u << 9;
}  // namespace cpu_irq

// The time a VM has spent paused, which its guest time leaves out (Vm::pause / resume).
struct PausedTime {
  std::atomic<uint64_t> total_ns{0};  // pauses that have ended
  std::atomic<uint64_t> since_ns{0};  // host time the pause under way began; 0 while running
};

// The guest's time base: nanoseconds since the VM was created, from the HAL's monotonic clock,
// less the time the VM spent paused (`paused`: the VM's own record, shared by every copy; null
// where a VM is never paused). While paused, guest time stands still, so the guest's counters
// and timers go on after a resume from where they stopped.
struct GuestClock {
  uint64_t (*host_now_ns)() = nullptr;
  uint64_t start_ns = 0;
  const PausedTime* paused = nullptr;

  uint64_t offset_ns() const {
    return start_ns + (paused != nullptr ? paused->total_ns.load(std::memory_order_acquire) : 0);
  }
  uint64_t now_ns() const {
    // A resume adds the pause to total_ns before it clears since_ns: a reading in between is
    // early by the pause, never late, so no timer fires before its time.
    const uint64_t since = paused != nullptr ? paused->since_ns.load(std::memory_order_acquire) : 0;
    return (since != 0 ? since : host_now_ns()) - offset_ns();
  }
  // The host clock's reading when guest time reaches `guest_ns` (while running).
  uint64_t host_ns(uint64_t guest_ns) const { return offset_ns() + guest_ns; }
};

class IrqChip : public IrqController {
 public:
  virtual const char* name() const = 0;

  // The interrupt inputs (cpu_irq layout) that must be asserted on vCPU `cpu` now: a level,
  // recomputed after every device access, system-register access and advance().
  virtual uint32_t cpu_lines(unsigned cpu) = 0;

  // The inputs among cpu_lines() that are edges rather than levels: riscv64 SSIP, which the
  // guest clears in sip itself. A backend sets such an input once when it appears and then
  // calls edges_delivered(), after which the chip stops reporting it.
  virtual uint32_t edge_lines() const { return 0; }
  virtual void edges_delivered(unsigned cpu, uint32_t lines) { (void)cpu, (void)lines; }

  // The inputs that wake vCPU `cpu` from WFI / HLT: cpu_lines() narrowed to those the vCPU has
  // enabled, for CPUs that mask their inputs in a register the chip does not hold (riscv64's
  // sie: a hart in WFI wakes only for a pending interrupt it enabled, priv spec 3.3.3). The
  // backend reports that register with set_wake_mask() when the vCPU halts; by default every
  // asserted input wakes it.
  virtual uint32_t wake_lines(unsigned cpu) { return cpu_lines(cpu); }
  virtual void set_wake_mask(unsigned cpu, uint32_t mask) { (void)cpu, (void)mask; }

  // Time passed: every timer due at or before `now_ns` (GuestClock time) fires. Returns the
  // earliest deadline still ahead, or kNoDeadline.
  virtual uint64_t advance(uint64_t now_ns) = 0;

  // System registers the chip implements for vCPU `cpu` (aarch64: the GICv3 ICC_* CPU
  // interface and, on backends that trap them, the virtual timer and counter), encoded as
  // core/arch/aarch64/sysreg_id.h. false when `id` is not the chip's.
  virtual bool sysreg_read(unsigned cpu, uint32_t id, uint64_t& value) {
    (void)cpu, (void)id, (void)value;
    return false;
  }
  virtual bool sysreg_write(unsigned cpu, uint32_t id, uint64_t value) {
    (void)cpu, (void)id, (void)value;
    return false;
  }

  // Device interrupt lines: `irq` in the chip's own numbering (GIC INTID, PLIC source).
  IrqLine line(uint32_t irq) { return IrqLine(this, irq); }

  // Changes whenever cpu_lines() may have changed (an input level, a register access, a timer
  // firing), so a backend can skip recomputing it after accesses that touched nothing. Lines
  // that follow the clock between advance() calls are not covered: backends recompute at the
  // start of every run, which the next deadline forces.
  uint32_t generation() const { return m_generation; }
  void touch() { ++m_generation; }

  // The vCPU whose MMIO access is under way (VmExits sets it before each one), for a chip whose
  // register frames are banked per CPU (the GICv2 CPU interface).
  void set_accessor(unsigned cpu) { m_accessor = cpu; }
  unsigned accessor() const { return m_accessor; }

 protected:
  ~IrqChip() = default;

 private:
  uint32_t m_generation = 0;
  unsigned m_accessor = 0;
};

// One of a chip's register frames as the bus sees it: forwards every access and touches the
// chip, since any access may change what it signals.
class ChipFrame final : public Device {
 public:
  ChipFrame(IrqChip& chip, Device& frame) : m_chip(chip), m_frame(frame) {}
  ChipFrame(const ChipFrame&) = delete;
  ChipFrame& operator=(const ChipFrame&) = delete;

  const char* name() const override { return m_frame.name(); }
  uint64_t read(uint64_t offset, unsigned size) override {
    const uint64_t value = m_frame.read(offset, size);
    m_chip.touch();
    return value;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    m_frame.write(offset, size, value);
    m_chip.touch();
  }
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override {
    return m_frame.register_name(offset, write, out);
  }

 private:
  IrqChip& m_chip;
  Device& m_frame;
};

}  // namespace tandem
