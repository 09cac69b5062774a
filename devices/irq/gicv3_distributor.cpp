// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/gicv3_distributor.h"

#include "core/base/log.h"
#include "devices/irq/gicv3_ids.h"
#include "devices/irq/gicv3_irq_regs.h"

namespace tandem {
namespace {

// GICD_TYPER (IHI 0069 12.9.38): No1N (25), A3V (24), IDbits = 15 (16-bit INTIDs, [23:19]),
// ITLinesNumber = SPIs / 32 ([4:0]); no LPIs, SecurityExtn 0.
constexpr uint32_t kTyper = (1u << 25) | (1u << 24) | (15u << 19) | (Gicv3State::kSpiCount / 32);
constexpr uint32_t kCtlrWritable = Gicv3State::CTLR_EnableGrp0 | Gicv3State::CTLR_EnableGrp1;
// IROUTER: Aff3 [39:32], Interrupt_Routing_Mode [31], Aff2..Aff0 [23:0].
constexpr uint64_t kRouterMask = 0xFF'80FF'FFFFull;
constexpr uint64_t kRouterFirst = Gicv3Distributor::GICD_IROUTER + uint64_t{8} * 32;
constexpr uint64_t kRouterEnd =
    Gicv3Distributor::GICD_IROUTER + uint64_t{8} * Gicv3State::kIrqCount;

}  // namespace

uint64_t* Gicv3Distributor::router(uint64_t offset) {
  if (offset < kRouterFirst || offset >= kRouterEnd) return nullptr;
  return &m_state.router[(offset - kRouterFirst) / 8];
}

// Registers are 32-bit with byte access to IPRIORITYR (12.9, "GIC Distributor register
// map"); IROUTER is 64-bit and may be accessed as two words.
uint64_t Gicv3Distributor::read(uint64_t offset, unsigned size) {
  if (offset >= GicIrqRegs::kFirst && offset < GicIrqRegs::kEnd) {
    return GicIrqRegs{m_state, 0, GicIrqRegs::Banks::kSpis}.read(offset, size);
  }
  if (size == 8 && offset % 8 == 0) {
    const uint64_t* r = router(offset);
    return r != nullptr ? *r : 0;
  }
  if (size == 4 && offset % 4 == 0) return read32(offset);
  TLOG_DEBUG("gicv3: %u-byte GICD read at %#llx", size, static_cast<unsigned long long>(offset));
  return 0;
}

void Gicv3Distributor::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= GicIrqRegs::kFirst && offset < GicIrqRegs::kEnd) {
    GicIrqRegs{m_state, 0, GicIrqRegs::Banks::kSpis}.write(offset, size,
                                                           static_cast<uint32_t>(value));
    return;
  }
  if (size == 8 && offset % 8 == 0) {
    if (uint64_t* r = router(offset)) *r = value & kRouterMask;
    return;
  }
  if (size == 4 && offset % 4 == 0) {
    write32(offset, static_cast<uint32_t>(value));
    return;
  }
  TLOG_DEBUG("gicv3: %u-byte GICD write at %#llx", size, static_cast<unsigned long long>(offset));
}

uint32_t Gicv3Distributor::read32(uint64_t offset) {
  if (const uint64_t* r = router(offset)) {
    return static_cast<uint32_t>(offset % 8 == 0 ? *r : *r >> 32);
  }
  if (offset >= gicv3::kIdRegsFirst) return gicv3::id_register(offset, gicv3::kPidr0Distributor);
  switch (offset) {
    case GICD_CTLR: return m_state.ctlr;
    case GICD_TYPER: return kTyper;
    case GICD_IIDR: return gicv3::kIidr;
    default: return 0;  // reserved, GICD_SGIR (absent with ARE), ...: RAZ/WI
  }
}

void Gicv3Distributor::write32(uint64_t offset, uint32_t value) {
  if (uint64_t* r = router(offset)) {
    const uint64_t half = offset % 8 == 0 ? 0 : 32;
    const uint64_t merged = (*r & ~(0xFFFF'FFFFull << half)) | (uint64_t{value} << half);
    *r = merged & kRouterMask;
    return;
  }
  if (offset == GICD_CTLR) {
    // DS and ARE are RAO/WI; nothing is asynchronous, so RWP stays 0.
    m_state.ctlr = (m_state.ctlr & ~kCtlrWritable) | (value & kCtlrWritable);
    return;
  }
  TLOG_DEBUG("gicv3: GICD write %#x to read-only/reserved offset %#llx", value,
             static_cast<unsigned long long>(offset));
}

}  // namespace tandem
