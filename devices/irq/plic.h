// SPDX-License-Identifier: Apache-2.0
// The RISC-V Platform-Level Interrupt Controller as QEMU 7.2's virt board has it
// (hw/intc/sifive_plic.c with virt.c's parameters), which guests hard-code. RISC-V PLIC
// specification v1.0.0, chapters 3-9; register map (offsets from the base, 4-byte registers):
//
//   0x000000 + 4*id                 source priority, id 1..95 (0 is "no interrupt")
//   0x001000 + 4*w                  pending bits of sources 32w..32w+31 (read-only)
//   0x002000 + 0x80*ctx + 4*w       enable bits of context ctx
//   0x200000 + 0x1000*ctx           priority threshold of context ctx
//   0x200004 + 0x1000*ctx           claim (read) / complete (write)
//
// Two contexts per hart, in QEMU virt's numbering ("MS"): context 2h is hart h's M-mode and
// context 2h+1 its S-mode. Tandem runs no M-mode software, so the M contexts work as registers
// but their interrupts go nowhere.
//
// Every source is level-triggered (chapter 5, gateways): while the line is high and the source
// is not claimed it is pending; claim clears pending and marks the source claimed; complete
// releases it and re-pends it if the line is still high. Claimed state is per source, shared by
// all contexts, as in QEMU. Accesses other than aligned 4-byte ones read 0 and are ignored.
#pragma once

#include <array>
#include <cstdint>

#include "core/bus/device.h"

namespace tandem {

class Plic final : public Device {
 public:
  static constexpr uint64_t kSize = 0x60'0000;  // room for QEMU virt's 512 harts
  static constexpr unsigned kSources = 96;      // IDs 0..95 (VIRT_IRQCHIP_NUM_SOURCES)
  static constexpr uint32_t kMaxPriority = 7;   // VIRT_IRQCHIP_NUM_PRIO_BITS = 3
  static constexpr unsigned kMaxHarts = 8;
  static constexpr unsigned kMaxContexts = 2 * kMaxHarts;

  static constexpr uint64_t kPriorityBase = 0x0;
  static constexpr uint64_t kPendingBase = 0x1000;
  static constexpr uint64_t kEnableBase = 0x2000;
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContextBase = 0x20'0000;
  static constexpr uint64_t kContextStride = 0x1000;

  static constexpr unsigned supervisor_context(unsigned hart) { return 2 * hart + 1; }

  // hart_count is clamped to 1..kMaxHarts.
  explicit Plic(unsigned hart_count);
  Plic(const Plic&) = delete;
  Plic& operator=(const Plic&) = delete;

  const char* name() const override { return "plic"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  bool register_name(uint64_t offset, bool write, RegisterName& out) const override;

  // The level of source `id`'s input line; IDs 0 and >= kSources are ignored.
  void set_level(uint32_t id, bool level);

  // True when a claim by `context` now would return a source (its interrupt output).
  // False for a context that does not exist.
  bool context_pending(unsigned context) const {
    return context < m_contexts && best_source(context) != 0;
  }

 private:
  static constexpr unsigned kWords = kSources / 32;
  using Bits = std::array<uint32_t, kWords>;

  static bool test(const Bits& bits, uint32_t id) { return (bits[id / 32] >> (id % 32)) & 1; }
  static void assign(Bits& bits, uint32_t id, bool on);

  uint32_t best_source(unsigned context) const;
  uint32_t claim(unsigned context);
  void complete(unsigned context, uint64_t id);
  uint32_t read_context(unsigned context, uint64_t reg);
  void write_context(unsigned context, uint64_t reg, uint32_t value);

  unsigned m_contexts;
  std::array<uint8_t, kSources> m_priority{};
  Bits m_level{};
  Bits m_pending{};
  Bits m_claimed{};
  std::array<Bits, kMaxContexts> m_enable{};
  std::array<uint8_t, kMaxContexts> m_threshold{};
};

}  // namespace tandem
