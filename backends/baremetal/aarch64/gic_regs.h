// SPDX-License-Identifier: Apache-2.0
// Pure formats for the GICv3 virtualization path (no privileged instructions; unit-tested on
// the host in tests/baremetal/aarch64/): the list registers, the hypervisor control registers
// Tandem uses, and the syndrome of a trapped MSR/MRS.
#pragma once

#include <cstdint>

namespace tandem::baremetal::aarch64 {

// ICH_LR<n>_EL2 (GIC architecture spec IHI 0069 12.4.6):
//
//   63 62  61  60   59..56  55....48  47..42   41    40..32      31.......0
//  +-----+----+-----+------+---------+-------+-----+--------+ +-----------+
//  |State| HW |Group| RES0 | Priority|  RES0 | EOI | pINTID | |  vINTID   |  HW = 0
//  +-----+----+-----+------+---------+-------+--------------+ +-----------+
//                                            |pINTID [41:32]|                HW = 1
//
// State: 00 invalid, 01 pending, 10 active, 11 pending and active. With HW = 0, EOI asks for a
// maintenance interrupt when the guest deactivates the interrupt (ICH_MISR_EL2.EOI); with
// HW = 1 the guest's deactivation of vINTID deactivates the physical pINTID instead.
inline constexpr unsigned ICH_LR_STATE_SHIFT = 62;
inline constexpr uint64_t ICH_LR_STATE_MASK = 3ull << ICH_LR_STATE_SHIFT;
inline constexpr uint64_t ICH_LR_PENDING = 1ull << 62;
inline constexpr uint64_t ICH_LR_ACTIVE = 2ull << 62;
inline constexpr uint64_t ICH_LR_HW = 1ull << 61;
inline constexpr uint64_t ICH_LR_GROUP = 1ull << 60;
inline constexpr unsigned ICH_LR_PRIORITY_SHIFT = 48;
inline constexpr uint64_t ICH_LR_EOI = 1ull << 41;
inline constexpr unsigned ICH_LR_PINTID_SHIFT = 32;
inline constexpr uint64_t ICH_LR_PINTID_MASK = 0x3ffull << ICH_LR_PINTID_SHIFT;
inline constexpr uint64_t ICH_LR_VINTID_MASK = 0xffff'ffffull;

// A pending virtual interrupt; `physical` links it to the physical INTID the hypervisor
// acknowledged for it (HW = 1), else the guest's deactivation raises a maintenance interrupt.
struct LrEntry {
  uint32_t intid = 0;
  uint8_t priority = 0;
  unsigned group = 1;
  bool hw = false;
  uint32_t physical = 0;  // with hw
};

constexpr uint64_t lr_encode(const LrEntry& e) {
  uint64_t lr = ICH_LR_PENDING | (uint64_t{e.priority} << ICH_LR_PRIORITY_SHIFT) |
                (e.intid & ICH_LR_VINTID_MASK);
  if (e.group != 0) lr |= ICH_LR_GROUP;
  if (e.hw) {
    lr |= ICH_LR_HW | ((uint64_t{e.physical} << ICH_LR_PINTID_SHIFT) & ICH_LR_PINTID_MASK);
  } else {
    lr |= ICH_LR_EOI;
  }
  return lr;
}

constexpr uint32_t lr_intid(uint64_t lr) { return static_cast<uint32_t>(lr & ICH_LR_VINTID_MASK); }
constexpr bool lr_hw(uint64_t lr) { return (lr & ICH_LR_HW) != 0; }
// The guest is done with it: deactivated (or never delivered and written back as 0).
constexpr bool lr_retired(uint64_t lr) { return (lr & ICH_LR_STATE_MASK) == 0; }

// ICH_HCR_EL2 (12.4.4): En turns the virtual CPU interface on; UIE asks for a maintenance
// interrupt while at most one list register holds an interrupt (refill when more are queued).
inline constexpr uint64_t ICH_HCR_EN = 1ull << 0;
inline constexpr uint64_t ICH_HCR_UIE = 1ull << 1;

// ICH_VTR_EL2 (12.4.9): ListRegs [4:0] is the number of list registers minus one.
constexpr unsigned vtr_list_regs(uint64_t vtr) { return static_cast<unsigned>(vtr & 0x1f) + 1; }

// ICH_VMCR_EL2 (12.4.10) out of reset: every group off, priority mask 0 (all masked), and the
// minimum binary points with 5 priority bits (VBPR0 [23:21] = 2, VBPR1 [20:18] = 3).
inline constexpr uint64_t kVmcrReset = (2ull << 21) | (3ull << 18);

// The syndrome of a trapped MSR/MRS (EC 0x18; Arm ARM DDI 0487 D17.2.37 "ISS encoding for an
// exception from MSR, MRS, or System instruction execution in AArch64 state"):
//
//   21 20  19 17  16 14  13  10  9   5  4  1   0
//  +------+------+------+------+------+------+-----+
//  | Op0  | Op2  | Op1  | CRn  |  Rt  | CRm  | Dir |   Dir 1 = read (MRS)
//  +------+------+------+------+------+------+-----+
struct SysRegTrap {
  uint32_t id = 0;  // core/arch/aarch64/sysreg_id.h encoding
  unsigned rt = 0;  // 31 = xzr
  bool read = false;
};

constexpr SysRegTrap decode_sysreg_trap(uint32_t iss) {
  const uint32_t op0 = (iss >> 20) & 3;
  const uint32_t op2 = (iss >> 17) & 7;
  const uint32_t op1 = (iss >> 14) & 7;
  const uint32_t crn = (iss >> 10) & 0xf;
  const uint32_t crm = (iss >> 1) & 0xf;
  return SysRegTrap{(op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2, (iss >> 5) & 0x1f,
                    (iss & 1) != 0};
}

// Counter ticks <-> nanoseconds at `hz`, split so no intermediate product overflows.
constexpr uint64_t ns_to_ticks(uint64_t ns, uint64_t hz) {
  return ns / 1'000'000'000 * hz + ns % 1'000'000'000 * hz / 1'000'000'000;
}

static_assert(lr_encode({.intid = 27, .priority = 0xa0, .group = 1, .hw = true, .physical = 27}) ==
              0x70a0'001b'0000'001bull);
static_assert(lr_encode({.intid = 33, .priority = 0x80, .group = 1}) == 0x5080'0200'0000'0021ull);

}  // namespace tandem::baremetal::aarch64
