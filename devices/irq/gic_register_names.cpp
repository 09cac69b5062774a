// SPDX-License-Identifier: Apache-2.0
// The GIC frames' register names for trace lines (Device::register_name), as the GICv3
// architecture specification (IHI 0069, 12.9 GICD_*, 12.10 GICR_* RD_base, 12.11 GICR_*
// SGI_base) and the GICv2 specification (IHI 0048B, 4.1.2 GICD_*, 4.1.3 GICC_*) spell them.
// Registers that hold one field per interrupt carry their index n (GICD_ISENABLER1: INTIDs
// 32..63).
#include "devices/irq/gicv2_cpu_interface.h"
#include "devices/irq/gicv2_distributor.h"
#include "devices/irq/gicv3_distributor.h"
#include "devices/irq/gicv3_ids.h"
#include "devices/irq/gicv3_irq_regs.h"
#include "devices/irq/gicv3_redistributor.h"

namespace tandem {
namespace {

// CoreSight identification registers at the end of a frame (`first` = PIDR4): PIDR4..7,
// PIDR0..3, CIDR0..3.
bool id_register_name(const char* prefix, uint64_t offset, uint64_t first, RegisterName& out) {
  if (offset < first || offset >= first + 0x30) return false;
  const uint64_t index = (offset - first) / 4;
  if (index < 4) return out.set_format("%sPIDR%u", prefix, static_cast<unsigned>(index + 4));
  if (index < 8) return out.set_format("%sPIDR%u", prefix, static_cast<unsigned>(index - 4));
  return out.set_format("%sCIDR%u", prefix, static_cast<unsigned>(index - 8));
}

// The distributor's registers both versions share below the per-interrupt ones.
bool gicd_common_name(uint64_t offset, bool write, RegisterName& out) {
  static constexpr RegisterEntry kRegs[] = {
      {0x0000, 4, "GICD_CTLR"},       {0x0004, 4, "GICD_TYPER"},     {0x0008, 4, "GICD_IIDR"},
      {0x000C, 4, "GICD_TYPER2"},     {0x0010, 4, "GICD_STATUSR"},   {0x0040, 4, "GICD_SETSPI_NSR"},
      {0x0048, 4, "GICD_CLRSPI_NSR"}, {0x0050, 4, "GICD_SETSPI_SR"}, {0x0058, 4, "GICD_CLRSPI_SR"},
      {0x0F00, 4, "GICD_SGIR"},
  };
  if (name_from_table(kRegs, offset, write, out)) return true;
  if (offset >= 0xF10 && offset < 0xF20)
    return out.set_indexed("GICD_CPENDSGIR", (offset - 0xF10) / 4);
  if (offset >= 0xF20 && offset < 0xF30)
    return out.set_indexed("GICD_SPENDSGIR", (offset - 0xF20) / 4);
  return GicIrqRegs::register_name("GICD_", offset, out);
}

}  // namespace

bool GicIrqRegs::register_name(const char* prefix, uint64_t offset, RegisterName& out) {
  struct Block {
    uint64_t base, end;
    const char* name;
  };
  static constexpr Block kBlocks[] = {
      {IGROUPR, ISENABLER, "IGROUPR"},      {ISENABLER, ICENABLER, "ISENABLER"},
      {ICENABLER, ISPENDR, "ICENABLER"},    {ISPENDR, ICPENDR, "ISPENDR"},
      {ICPENDR, ISACTIVER, "ICPENDR"},      {ISACTIVER, ICACTIVER, "ISACTIVER"},
      {ICACTIVER, IPRIORITYR, "ICACTIVER"}, {IPRIORITYR, ITARGETSR, "IPRIORITYR"},
      {ITARGETSR, ICFGR, "ITARGETSR"},      {ICFGR, 0xD00, "ICFGR"},
      {0xD00, 0xD80, "IGRPMODR"},           {0xE00, 0xF00, "NSACR"},
  };
  for (const Block& b : kBlocks)
    if (offset >= b.base && offset < b.end)
      return out.set_format("%s%s%u", prefix, b.name, static_cast<unsigned>((offset - b.base) / 4));
  return false;
}

bool Gicv3Distributor::register_name(uint64_t offset, bool write, RegisterName& out) const {
  if (offset >= 0x6100 && offset < 0x6100 + 8 * 988)  // IROUTER<n> for n = 32..1019
    return out.set_indexed("GICD_IROUTER", (offset - GICD_IROUTER) / 8);
  if (id_register_name("GICD_", offset, gicv3::kIdRegsFirst, out)) return true;
  return offset != 0x0F00 && gicd_common_name(offset, write, out);  // no GICD_SGIR with ARE
}

bool Gicv3Redistributors::register_name(uint64_t offset, bool write, RegisterName& out) const {
  const uint64_t in_frame = offset % kFrameStride;
  if (in_frame >= kSgiFrame) {
    const uint64_t reg = in_frame - kSgiFrame;
    return GicIrqRegs::register_name("GICR_", reg, out);
  }
  static constexpr RegisterEntry kRegs[] = {
      {GICR_CTLR, 4, "GICR_CTLR"}, {GICR_IIDR, 4, "GICR_IIDR"},   {GICR_TYPER, 8, "GICR_TYPER"},
      {0x0010, 4, "GICR_STATUSR"}, {GICR_WAKER, 4, "GICR_WAKER"}, {0x0040, 8, "GICR_SETLPIR"},
      {0x0048, 8, "GICR_CLRLPIR"}, {0x0070, 8, "GICR_PROPBASER"}, {0x0078, 8, "GICR_PENDBASER"},
      {0x00A0, 8, "GICR_INVLPIR"}, {0x00B0, 8, "GICR_INVALLR"},   {0x00C0, 4, "GICR_SYNCR"},
  };
  return name_from_table(kRegs, in_frame, write, out) ||
         id_register_name("GICR_", in_frame, gicv3::kIdRegsFirst, out);
}

bool Gicv2Distributor::register_name(uint64_t offset, bool write, RegisterName& out) const {
  return id_register_name("GICD_", offset, 0xFD0, out) || gicd_common_name(offset, write, out);
}

bool Gicv2CpuInterface::register_name(uint64_t offset, bool write, RegisterName& out) const {
  static constexpr RegisterEntry kRegs[] = {
      {GICC_CTLR, 4, "GICC_CTLR"},   {GICC_PMR, 4, "GICC_PMR"},       {GICC_BPR, 4, "GICC_BPR"},
      {GICC_IAR, 4, "GICC_IAR"},     {GICC_EOIR, 4, "GICC_EOIR"},     {GICC_RPR, 4, "GICC_RPR"},
      {GICC_HPPIR, 4, "GICC_HPPIR"}, {GICC_ABPR, 4, "GICC_ABPR"},     {GICC_AIAR, 4, "GICC_AIAR"},
      {GICC_AEOIR, 4, "GICC_AEOIR"}, {GICC_AHPPIR, 4, "GICC_AHPPIR"}, {GICC_IIDR, 4, "GICC_IIDR"},
      {GICC_DIR, 4, "GICC_DIR"},
  };
  if (offset >= GICC_APR0 && offset < GICC_APR0 + 16)
    return out.set_indexed("GICC_APR", (offset - GICC_APR0) / 4);
  if (offset >= GICC_NSAPR0 && offset < GICC_NSAPR0 + 16)
    return out.set_indexed("GICC_NSAPR", (offset - GICC_NSAPR0) / 4);
  return name_from_table(kRegs, offset, write, out);
}

}  // namespace tandem
