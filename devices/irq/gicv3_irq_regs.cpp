// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv3_irq_regs.h"

namespace tandem {
namespace {

// The register (a multiple of 0x80) a bitmap offset below IPRIORITYR falls in.
constexpr uint64_t bitmap_reg(uint64_t offset) { return offset & ~uint64_t{0x7F}; }

}  // namespace

GicIrqBank* GicIrqRegs::bank_for(uint32_t intid) {
  if (banks != Banks::kAll && (intid < 32) != (banks == Banks::kPrivate)) return nullptr;
  return state.bank(cpu, intid);
}

uint32_t* GicIrqRegs::bitmap(GicIrqBank& b, uint64_t reg) {
  switch (reg) {
    case IGROUPR: return &b.group;
    case ISENABLER:
    case ICENABLER: return &b.enabled;
    case ISACTIVER:
    case ICACTIVER: return &b.active;
    default: return nullptr;
  }
}

uint32_t GicIrqRegs::read(uint64_t offset, unsigned size) {
  if (offset >= IPRIORITYR && offset < ITARGETSR && (size == 1 || size == 4) &&
      offset % size == 0) {
    uint32_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
      const uint32_t intid = static_cast<uint32_t>(offset - IPRIORITYR) + i;
      if (const GicIrqBank* b = bank_for(intid))
        value |= uint32_t{b->priority[intid % 32]} << (8 * i);
    }
    return value;
  }
  if (size != 4 || offset % 4 != 0) return 0;
  if (offset >= ICFGR) {
    // Two bits per interrupt, bit 2k+1 = edge-triggered (IHI 0069 12.9.9).
    const uint32_t first = static_cast<uint32_t>(offset - ICFGR) * 4;
    const GicIrqBank* b = bank_for(first);
    if (b == nullptr) return 0;
    const uint32_t edges = (b->edge >> (first % 32)) & 0xFFFF;
    uint32_t value = 0;
    for (unsigned k = 0; k < 16; ++k) value |= ((edges >> k) & 1) << (2 * k + 1);
    return value;
  }
  if (offset >= IPRIORITYR) return 0;  // ITARGETSR and reserved space
  GicIrqBank* b = bank_for(static_cast<uint32_t>(offset % 0x80) * 8);
  if (b == nullptr) return 0;
  const uint64_t reg = bitmap_reg(offset);
  if (reg == ISPENDR || reg == ICPENDR) return b->pending();
  const uint32_t* bits = bitmap(*b, reg);
  return bits != nullptr ? *bits : 0;
}

void GicIrqRegs::write(uint64_t offset, unsigned size, uint32_t value) {
  if (offset >= IPRIORITYR && offset < ITARGETSR && (size == 1 || size == 4) &&
      offset % size == 0) {
    for (unsigned i = 0; i < size; ++i) {
      const uint32_t intid = static_cast<uint32_t>(offset - IPRIORITYR) + i;
      if (GicIrqBank* b = bank_for(intid))
        b->priority[intid % 32] = static_cast<uint8_t>(value >> (8 * i));
    }
    return;
  }
  if (size != 4 || offset % 4 != 0) return;
  if (offset >= ICFGR) {
    const uint32_t first = static_cast<uint32_t>(offset - ICFGR) * 4;
    GicIrqBank* b = bank_for(first);
    if (b == nullptr || first < 16) return;  // SGIs are always edge-triggered (RO)
    uint32_t edges = 0;
    for (unsigned k = 0; k < 16; ++k) edges |= ((value >> (2 * k + 1)) & 1) << k;
    const unsigned shift = first % 32;
    b->edge = (b->edge & ~(0xFFFFu << shift)) | (edges << shift);
    return;
  }
  if (offset >= IPRIORITYR) return;
  GicIrqBank* b = bank_for(static_cast<uint32_t>(offset % 0x80) * 8);
  if (b == nullptr) return;
  switch (bitmap_reg(offset)) {
    case IGROUPR: b->group = value; break;
    case ISENABLER: b->enabled |= value; break;
    case ICENABLER: b->enabled &= ~value; break;
    // Set/clear-pending act on the latch; a level-sensitive interrupt whose input is still
    // asserted stays pending after ICPENDR (IHI 0069 4.1.1).
    case ISPENDR: b->latch |= value; break;
    case ICPENDR: b->latch &= ~value; break;
    case ISACTIVER: b->active |= value; break;
    case ICACTIVER: b->active &= ~value; break;
    default: break;
  }
}

}  // namespace tandem
