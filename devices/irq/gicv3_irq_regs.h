// SPDX-License-Identifier: Apache-2.0
// The per-interrupt registers the distributor and each redistributor's SGI_base frame lay out
// the same way (IHI 0069 12.9 and 12.11): IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER,
// IPRIORITYR and ICFGR at offsets 0x080..0xCFF. In the distributor they cover the SPIs
// (INTIDs 0..31 read as zero with affinity routing on); in a redistributor they cover that
// CPU's SGIs and PPIs; a GICv2 distributor covers both, INTIDs 0..31 banked per CPU.
#pragma once

#include <cstdint>

#include "core/bus/register_name.h"
#include "devices/irq/gicv3_state.h"

namespace tandem {

struct GicIrqRegs {
  enum class Banks : unsigned char { kSpis, kPrivate, kAll };  // kPrivate: INTIDs 0..31

  Gicv3State& state;
  unsigned cpu;  // whose SGIs and PPIs (ignored for SPIs)
  Banks banks;

  static constexpr uint64_t kFirst = 0x080;
  static constexpr uint64_t kEnd = 0xD00;

  static constexpr uint64_t IGROUPR = 0x080;
  static constexpr uint64_t ISENABLER = 0x100;
  static constexpr uint64_t ICENABLER = 0x180;
  static constexpr uint64_t ISPENDR = 0x200;
  static constexpr uint64_t ICPENDR = 0x280;
  static constexpr uint64_t ISACTIVER = 0x300;
  static constexpr uint64_t ICACTIVER = 0x380;
  static constexpr uint64_t IPRIORITYR = 0x400;
  static constexpr uint64_t ITARGETSR = 0x800;  // RAZ/WI with affinity routing
  static constexpr uint64_t ICFGR = 0xC00;

  // `offset` in [kFirst, kEnd). 4-byte accesses to every register and 1-byte accesses to
  // IPRIORITYR; anything else reads as zero and ignores writes.
  uint32_t read(uint64_t offset, unsigned size);
  void write(uint64_t offset, unsigned size, uint32_t value);
  // `prefix` ("GICD_", "GICR_") and the register at `offset` in [kFirst, 0xF00): the
  // per-interrupt registers above, IGRPMODR and NSACR, with their index ("ISENABLER1").
  static bool register_name(const char* prefix, uint64_t offset, RegisterName& out);

 private:
  GicIrqBank* bank_for(uint32_t intid);
  uint32_t* bitmap(GicIrqBank& bank, uint64_t reg);
};

}  // namespace tandem
