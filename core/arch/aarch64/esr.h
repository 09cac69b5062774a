// SPDX-License-Identifier: Apache-2.0
// ESR_EL2 decoding: what a trap to EL2 means, as pure functions the bare-metal backend calls
// with the syndrome it read and the host unit tests call with syndromes seen on QEMU.
//
// ESR_EL2 (Arm ARM DDI 0487, register description "ESR_EL2"):
//   63      56 55      32 31      26 25 24                                        0
//  +----------+----------+----------+--+------------------------------------------+
//  |   RES0   |   ISS2   |    EC    |IL|                   ISS                    |
//  +----------+----------+----------+--+------------------------------------------+
//  IL = 1: the trapped instruction is 32 bits long (always, for AArch64 state).
//
// ISS for a Data Abort (EC 0x24/0x25, "ISS encoding for an exception from a Data Abort"):
//   24  23 22  21  20    16 15 14  13  12 11 10  9   8   7     6   5        0
//  +---+-----+---+--------+---+---+---+-----+---+---+---+-----+---+----------+
//  |ISV| SAS |SSE|  SRT   |SF |AR |VNCR| SET |FnV|EA |CM |S1PTW|WnR|   DFSC   |
//  +---+-----+---+--------+---+---+---+-----+---+---+---+-----+---+----------+
//  SAS, SSE, SRT, SF and AR are only valid when ISV = 1; loads/stores with writeback, pairs
//  and SIMD/FP registers report ISV = 0 and cannot be emulated from the syndrome alone.
#pragma once

#include <cstdint>

#include "core/vcpu/exit.h"

namespace tandem::aarch64 {

inline constexpr unsigned ESR_EC_SHIFT = 26;
inline constexpr uint64_t ESR_IL = 1ull << 25;
inline constexpr uint64_t ESR_ISS_MASK = (1ull << 25) - 1;

inline constexpr uint32_t ISS_DABT_ISV = 1u << 24;
inline constexpr unsigned ISS_DABT_SAS_SHIFT = 22;
inline constexpr uint32_t ISS_DABT_SSE = 1u << 21;
inline constexpr unsigned ISS_DABT_SRT_SHIFT = 16;
inline constexpr uint32_t ISS_DABT_SF = 1u << 15;
inline constexpr uint32_t ISS_DABT_AR = 1u << 14;
inline constexpr uint32_t ISS_DABT_FNV = 1u << 10;
inline constexpr uint32_t ISS_DABT_EA = 1u << 9;
inline constexpr uint32_t ISS_DABT_CM = 1u << 8;
inline constexpr uint32_t ISS_DABT_S1PTW = 1u << 7;
inline constexpr uint32_t ISS_DABT_WNR = 1u << 6;
inline constexpr uint32_t ISS_xFSC_MASK = 0x3f;

// "ISS encoding for an exception from a WFI or WFE instruction": TI[1:0] = 00 WFI, 01 WFE,
// 10 WFIT, 11 WFET.
inline constexpr uint32_t ISS_WFX_TI_MASK = 0b11;

// Exception classes EL2 sees from a guest (ESR_EL2.EC, DDI 0487 "ESR_EL2").
enum class Ec : uint8_t {
  kUnknown = 0x00,
  kWfx = 0x01,
  kFpAsimd = 0x07,
  kIllegalState = 0x0e,
  kSvc64 = 0x15,
  kHvc64 = 0x16,
  kSmc64 = 0x17,
  kSysReg64 = 0x18,
  kSve = 0x19,
  kInstAbortLower = 0x20,
  kInstAbortSame = 0x21,
  kPcAlign = 0x22,
  kDataAbortLower = 0x24,
  kDataAbortSame = 0x25,
  kSpAlign = 0x26,
  kSError = 0x2f,
  kBrk64 = 0x3c,
};

constexpr Ec esr_ec(uint64_t esr) { return static_cast<Ec>((esr >> ESR_EC_SHIFT) & 0x3f); }
constexpr uint32_t esr_iss(uint64_t esr) { return static_cast<uint32_t>(esr & ESR_ISS_MASK); }
// Bytes to step over the trapped instruction: 4 for A64 (IL = 1), 2 for a 16-bit T32 one.
constexpr unsigned esr_insn_len(uint64_t esr) { return (esr & ESR_IL) != 0 ? 4 : 2; }
// The imm16 of a trapped HVC or SMC.
constexpr uint16_t esr_call_imm16(uint64_t esr) { return static_cast<uint16_t>(esr & 0xffff); }
constexpr bool esr_wfx_is_wfi(uint64_t esr) { return (esr_iss(esr) & ISS_WFX_TI_MASK) == 0; }

struct DataAbort {
  bool isv = false;    // the fields below up to `ar` are valid
  uint8_t size = 0;    // bytes: 1 << SAS
  bool sse = false;    // sign-extend the loaded value
  uint8_t srt = 0;     // register transferred; 31 = XZR
  bool sf = false;     // 64-bit register (else W register, upper 32 bits written as 0)
  bool ar = false;     // acquire/release semantics
  bool fnv = false;    // FAR is not valid
  bool ea = false;     // external abort
  bool cm = false;     // cache maintenance instruction
  bool s1ptw = false;  // stage-2 fault on the guest's own stage-1 table walk
  bool write = false;  // WnR
  uint8_t dfsc = 0;    // data fault status code
};

constexpr DataAbort decode_data_abort(uint64_t esr) {
  const uint32_t iss = esr_iss(esr);
  DataAbort d;
  d.isv = (iss & ISS_DABT_ISV) != 0;
  d.size = static_cast<uint8_t>(1u << ((iss >> ISS_DABT_SAS_SHIFT) & 0b11));
  d.sse = (iss & ISS_DABT_SSE) != 0;
  d.srt = static_cast<uint8_t>((iss >> ISS_DABT_SRT_SHIFT) & 0x1f);
  d.sf = (iss & ISS_DABT_SF) != 0;
  d.ar = (iss & ISS_DABT_AR) != 0;
  d.fnv = (iss & ISS_DABT_FNV) != 0;
  d.ea = (iss & ISS_DABT_EA) != 0;
  d.cm = (iss & ISS_DABT_CM) != 0;
  d.s1ptw = (iss & ISS_DABT_S1PTW) != 0;
  d.write = (iss & ISS_DABT_WNR) != 0;
  d.dfsc = static_cast<uint8_t>(iss & ISS_xFSC_MASK);
  return d;
}

// HPFAR_EL2 ("HPFAR_EL2, Hypervisor IPA Fault Address Register"):
//   63 62      48 47                                  4 3    0
//  +--+----------+-------------------------------------+------+
//  |NS|   RES0   |        FIPA: IPA[51:12] (FEAT_LPA)   | RES0 |
//  +--+----------+-------------------------------------+------+
// FIPA holds the faulting IPA's page; the offset inside the page comes from FAR_EL2 (the VA,
// which shares its low 12 bits with the IPA).
inline constexpr uint64_t HPFAR_FIPA_MASK = 0x0000'0fff'ffff'fff0ull;  // bits [43:4]

constexpr uint64_t fault_ipa(uint64_t hpfar, uint64_t far) {
  return ((hpfar & HPFAR_FIPA_MASK) << 8) | (far & 0xfff);
}

// The value a load writes into the destination register, from the `raw` value the device
// returned: truncated to the access size, sign-extended when SSE, and limited to 32 bits when
// the destination is a W register (SF = 0 clears bits [63:32]).
constexpr uint64_t dabt_load_value(const DataAbort& d, uint64_t raw) {
  uint64_t v = raw;
  if (d.size < 8) {
    const unsigned bits = d.size * 8u;
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    v &= mask;
    if (d.sse && ((v >> (bits - 1)) & 1) != 0) v |= ~mask;
  }
  if (!d.sf) v &= 0xffff'ffffull;
  return v;
}

// The value a store writes, from the source register's contents (XZR reads as 0).
constexpr uint64_t dabt_store_value(const DataAbort& d, uint64_t reg) {
  if (d.srt == 31) return 0;
  return d.size < 8 ? reg & ((uint64_t{1} << (d.size * 8u)) - 1) : reg;
}

// The EL2 registers that describe one trap from the guest.
struct TrapSyndrome {
  uint64_t esr = 0;
  uint64_t far = 0;
  uint64_t hpfar = 0;
  uint64_t pc = 0;  // ELR_EL2
};

// Normalises a trap into a VcpuExit (core/vcpu/exit.h). `x` is the guest's x0..x30 at the
// trap, used for store values and hypercall arguments. MMIO reads come back with `reg` set to
// the destination (31 = XZR: discard) and its width; VmExits::handle() gives the value to write
// back (dabt_load_value()'s result).
VcpuExit decode_trap(const TrapSyndrome& t, const uint64_t (&x)[31]);

// Static descriptions for messages: the exception class ("data abort from a lower EL"), and a
// data/instruction fault status code ("translation fault, level 1").
const char* ec_name(Ec ec);
const char* fsc_name(uint8_t fsc);

static_assert(fault_ipa(0x90000, 0x9000000) == 0x9000000);
static_assert(dabt_load_value({.size = 1, .sse = true, .sf = false}, 0x80) == 0xffff'ff80ull);
static_assert(dabt_load_value({.size = 1, .sse = true, .sf = true}, 0x80) ==
              0xffff'ffff'ffff'ff80ull);

}  // namespace tandem::aarch64
