// SPDX-License-Identifier: Apache-2.0
// Taking an exception to EL1 in AArch64 state, as the architecture does it (Arm ARM DDI 0487,
// pseudocode AArch64.TakeException; "Exception entry" in D1): what a backend that has to deliver
// a guest's synchronous exception itself (emu: Unicorn only reports them, UNICORN.md) writes to
// ELR_EL1, SPSR_EL1 and PSTATE, and where the guest continues. Pure; the emu backend applies it.
//
// PSTATE in the SPSR_EL1 layout (for an exception taken from AArch64 state):
//   31 30 29 28 27 26 25 24 23 22 21 20    13 12 11 10  9  8  7  6  5  4  3   0
//  +--+--+--+--+-----+---+---+---+---+--+--  --+--+-----+--+--+--+--+--+--+------+
//  | N| Z| C| V|     |TCO|DIT|UAO|PAN|SS|IL ... |SSBS|BTYPE| D| A| I| F|  |nRW|  M  |
//  +--+--+--+--+-----+---+---+---+---+--+--  --+--+-----+--+--+--+--+--+--+------+
//  M[3:0]: 0b0000 EL0t, 0b0100 EL1t (SP_EL0), 0b0101 EL1h (SP_EL1); nRW (bit 4) = 1: AArch32.
//
// The vector table at VBAR_EL1 (D1 "Exception vectors"): four groups of four 0x80-byte entries,
// by where the exception comes from, each with a synchronous, IRQ, FIQ and SError entry:
//   +0x000 current EL with SP_EL0     +0x200 current EL with SP_ELx
//   +0x400 lower EL in AArch64        +0x600 lower EL in AArch32
#pragma once

#include <cstdint>

namespace tandem::aarch64 {

inline constexpr uint64_t PSTATE_M_MASK = 0xf;
inline constexpr uint64_t PSTATE_M_EL0t = 0b0000;
inline constexpr uint64_t PSTATE_M_EL1t = 0b0100;
inline constexpr uint64_t PSTATE_M_EL1h = 0b0101;
inline constexpr uint64_t PSTATE_nRW = 1ull << 4;
inline constexpr uint64_t PSTATE_F = 1ull << 6;
inline constexpr uint64_t PSTATE_I = 1ull << 7;
inline constexpr uint64_t PSTATE_A = 1ull << 8;
inline constexpr uint64_t PSTATE_D = 1ull << 9;
inline constexpr uint64_t PSTATE_DAIF = PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F;
inline constexpr uint64_t PSTATE_SSBS = 1ull << 12;
inline constexpr uint64_t PSTATE_PAN = 1ull << 22;
inline constexpr uint64_t PSTATE_DIT = 1ull << 24;
inline constexpr uint64_t PSTATE_TCO = 1ull << 25;
inline constexpr uint64_t PSTATE_NZCV = 0xfull << 28;

// SCTLR_EL1 bits that decide PSTATE on entry: SPAN (bit 23) = 0 sets PAN (FEAT_PAN); DSSBS
// (bit 44) is the new SSBS (FEAT_SSBS).
inline constexpr uint64_t SCTLR_EL1_SPAN = 1ull << 23;
inline constexpr uint64_t SCTLR_EL1_DSSBS = 1ull << 44;

enum class ExceptionKind : uint16_t { kSync = 0x000, kIrq = 0x080, kFiq = 0x100, kSError = 0x180 };

inline constexpr uint64_t kVectorCurrentSp0 = 0x000;
inline constexpr uint64_t kVectorCurrentSpx = 0x200;
inline constexpr uint64_t kVectorLowerA64 = 0x400;
inline constexpr uint64_t kVectorLowerA32 = 0x600;

// The vector's offset from VBAR_EL1 for an exception of `kind` taken to EL1 from `pstate`.
constexpr uint64_t el1_vector_offset(uint64_t pstate, ExceptionKind kind) {
  uint64_t group = kVectorLowerA64;
  if ((pstate & PSTATE_nRW) != 0) {
    group = kVectorLowerA32;
  } else if ((pstate & PSTATE_M_MASK) == PSTATE_M_EL1h) {
    group = kVectorCurrentSpx;
  } else if ((pstate & PSTATE_M_MASK) == PSTATE_M_EL1t) {
    group = kVectorCurrentSp0;
  }
  return group + static_cast<uint64_t>(kind);
}

struct El1Entry {
  uint64_t pc;      // VBAR_EL1 + the vector offset
  uint64_t elr;     // ELR_EL1: the preferred return address
  uint64_t spsr;    // SPSR_EL1: PSTATE before the exception
  uint64_t pstate;  // PSTATE after it: EL1h, D/A/I/F masked
};

// Architecture features that change PSTATE on entry; all absent on an Armv8.0 CPU such as the
// Cortex-A57/A72 (their PSTATE bits are RES0 there).
struct El1Features {
  bool pan = false;   // FEAT_PAN (v8.1)
  bool ssbs = false;  // FEAT_SSBS
  bool mte = false;   // FEAT_MTE
};

// An exception of `kind` taken to EL1 from `pstate` (AArch64.TakeException; the same PSTATE
// rules as KVM's enter_exception64): NZCV, DIT and PAN are kept, PAN is set when SCTLR_EL1.SPAN
// is 0, SSBS comes from SCTLR_EL1.DSSBS, TCO is set; UAO, SS, IL and BTYPE are cleared; D, A, I
// and F are masked and the mode is EL1h. `return_address` is the preferred return address: the
// faulting instruction for aborts, undefined instructions and alignment faults, the next one
// for SVC ("Preferred exception return address").
constexpr El1Entry enter_el1(uint64_t pstate, uint64_t return_address, uint64_t vbar_el1,
                             uint64_t sctlr_el1, ExceptionKind kind, El1Features features = {}) {
  uint64_t next = pstate & (PSTATE_NZCV | PSTATE_DIT);
  if (features.pan) {
    next |= pstate & PSTATE_PAN;
    if ((sctlr_el1 & SCTLR_EL1_SPAN) == 0) next |= PSTATE_PAN;
  }
  if (features.ssbs && (sctlr_el1 & SCTLR_EL1_DSSBS) != 0) next |= PSTATE_SSBS;
  if (features.mte) next |= PSTATE_TCO;
  next |= PSTATE_DAIF | PSTATE_M_EL1h;
  return {vbar_el1 + el1_vector_offset(pstate, kind), return_address, pstate, next};
}

// From EL0 a backend that cannot switch the exception level itself (Unicorn keeps its
// translation flags for EL0, UNICORN.md "Stock arm64 Linux on Unicorn") lets the engine take a
// virtual IRQ (HCR_EL2.VI) at the return address, which does the EL change, ELR, SPSR and
// PSTATE; a code hook on the IRQ entry then moves the guest to the synchronous entry of the same
// group with ESR_EL1/FAR_EL1 written. These are the two addresses.
struct ViRedirect {
  uint64_t irq_entry;   // where the engine's IRQ entry lands: the hook's address
  uint64_t sync_entry;  // where the guest must continue
};
constexpr ViRedirect el0_sync_via_virtual_irq(uint64_t vbar_el1) {
  return {vbar_el1 + kVectorLowerA64 + static_cast<uint64_t>(ExceptionKind::kIrq),
          vbar_el1 + kVectorLowerA64 + static_cast<uint64_t>(ExceptionKind::kSync)};
}

static_assert(el1_vector_offset(PSTATE_M_EL0t, ExceptionKind::kSync) == 0x400);
static_assert(el1_vector_offset(PSTATE_M_EL1h | PSTATE_DAIF, ExceptionKind::kSync) == 0x200);
static_assert(el1_vector_offset(PSTATE_M_EL1t, ExceptionKind::kIrq) == 0x080);
static_assert(el1_vector_offset(PSTATE_nRW, ExceptionKind::kSError) == 0x780);

}  // namespace tandem::aarch64
