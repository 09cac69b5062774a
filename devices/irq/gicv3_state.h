// SPDX-License-Identifier: Apache-2.0
// The state of a GICv3 (GIC architecture spec IHI 0069) with one security state
// (GICD_CTLR.DS == 1) and affinity routing always on, shared by its three register views: the
// distributor frame (gicv3_distributor), the redistributor frames (gicv3_redistributor) and
// the CPU interface system registers (gicv3_cpu_interface). A GICv2 (gicv2.h) keeps the same
// state with affinity routing off (`legacy`): SPIs go by GICD_ITARGETSR, and each SGI
// remembers which CPUs sent it (IHI 0048B 3.2.4). The views decode registers; this
// file holds the interrupt state and the one piece of logic they all need: which interrupt
// each CPU interface sees as its highest-priority pending interrupt (IHI 0069 4.4).
//
// The model follows QEMU 7.2's hw/intc/arm_gicv3*.c, the reference for differential tests.
// Nothing is cached: the pending interrupt of a CPU is recomputed when asked, so every
// register write takes effect at the next cpu_lines() or ICC_* access.
#pragma once

#include <array>
#include <cstdint>

namespace tandem {

// 32 interrupts, one bit each in the bitmaps: the SGIs and PPIs of one redistributor, or one
// word of SPIs in the distributor.
struct GicIrqBank {
  uint32_t group = 0;    // IGROUPR: 1 = Group 1 (IRQ), 0 = Group 0 (FIQ)
  uint32_t enabled = 0;  // ISENABLER
  uint32_t latch = 0;    // pending state set by an edge, ISPENDR or an SGI
  uint32_t active = 0;   // ISACTIVER
  uint32_t level = 0;    // the input lines
  uint32_t edge = 0;     // ICFGR odd bits: 1 = edge-triggered
  std::array<uint8_t, 32> priority{};

  // IHI 0069 4.1.1: a level-sensitive interrupt is pending while its input is asserted.
  uint32_t pending() const { return latch | (level & ~edge); }
};

// A pending interrupt as the CPU interface sees it; intid kSpurious when there is none.
struct GicPendingIrq {
  uint32_t intid;
  uint8_t priority;
  unsigned group;
};

class Gicv3State {
 public:
  static constexpr unsigned kMaxCpus = 8;
  static constexpr uint32_t kSpiCount = 128;
  static constexpr uint32_t kIrqCount = 32 + kSpiCount;  // INTIDs 0..159
  static constexpr uint32_t kSpurious = 1023;

  // GICD_CTLR (IHI 0069 12.9.4, the DS == 1 layout).
  static constexpr uint32_t CTLR_EnableGrp0 = 1u << 0;
  static constexpr uint32_t CTLR_EnableGrp1 = 1u << 1;
  static constexpr uint32_t CTLR_ARE = 1u << 4;
  static constexpr uint32_t CTLR_DS = 1u << 6;
  // GICD_IROUTER<n>.Interrupt_Routing_Mode: 1 = any participating PE (IHI 0069 12.9.22).
  static constexpr uint64_t IROUTER_IRM = 1ull << 31;

  // The CPU interface registers of one PE (IHI 0069 12.2); priorities have 5 bits as
  // QEMU's cortex-a72, so the active-priority bitmap is one 32-bit register per group.
  struct CpuInterface {
    uint8_t pmr = 0;
    std::array<uint8_t, 2> bpr = {2, 3};  // the minimum values with 5 priority bits
    std::array<uint32_t, 2> apr{};        // ICC_AP0R0_EL1 / ICC_AP1R0_EL1
    std::array<bool, 2> igrpen{};
    uint32_t ctlr = 0;  // the writable ICC_CTLR_EL1 bits (CBPR, EOImode)
  };

  struct Cpu {
    GicIrqBank bank;              // SGIs 0..15 and PPIs 16..31
    bool processor_sleep = true;  // GICR_WAKER.ProcessorSleep
    CpuInterface icc;
    std::array<uint8_t, 16> sgi_sources{};  // legacy: bit s = SGI n pending from CPU s
  };

  // Interrupt input lines as IrqChip::set_irq_level numbers them: an SPI by its INTID; PPI
  // `intid` (16..31) of CPU `cpu` at kPpiLineBase + 32 * cpu + intid.
  static constexpr uint32_t kPpiLineBase = 1024;

  explicit Gicv3State(unsigned cpu_count);

  unsigned cpu_count() const { return m_cpu_count; }
  Cpu& cpu(unsigned index) { return m_cpus[index]; }

  // The bank holding `intid` as `cpu` sees it (SGIs and PPIs are banked per CPU), or nullptr
  // for an INTID the GIC does not implement.
  GicIrqBank* bank(unsigned cpu, uint32_t intid);

  // An interrupt input changed: a PPI of `cpu` or an SPI.
  void set_level(unsigned cpu, uint32_t intid, bool level);
  // The same by line number (kPpiLineBase); false for a line the GIC does not have.
  bool set_line(uint32_t line, bool level);

  // The CPU an SPI is delivered to, or kMaxCpus when no CPU takes it.
  unsigned spi_target(uint32_t intid);

  // The highest-priority interrupt that is pending, enabled, not active, of a group enabled in
  // GICD_CTLR and routed to `cpu`; ties go to the lowest INTID (as QEMU).
  GicPendingIrq highest_pending(unsigned cpu);

  uint32_t ctlr = CTLR_ARE | CTLR_DS;
  std::array<uint64_t, kSpiCount> router{};
  bool legacy = false;                       // GICv2: affinity routing off
  std::array<uint8_t, kSpiCount> targets{};  // legacy: GICD_ITARGETSR, one CPU bit each

 private:
  uint32_t forwarded(const GicIrqBank& bank) const;
  void consider(unsigned cpu, uint32_t base, GicPendingIrq& best);

  unsigned m_cpu_count;
  std::array<GicIrqBank, kSpiCount / 32> m_spis{};
  std::array<Cpu, kMaxCpus> m_cpus{};
};

}  // namespace tandem
