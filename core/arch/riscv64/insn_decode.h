// SPDX-License-Identifier: Apache-2.0
// Decodes the guest instruction behind a load/store guest-page fault into what an MMIO exit
// needs: direction, width, register, sign extension and instruction length. Pure, so it is
// unit-tested on the host; the bare-metal riscv64 backend fetches the instruction (or reads
// htinst) and calls this.
//
// Spec versions cited: unprivileged 20191213, privileged 20240411.
//
// 32-bit forms (unprivileged spec 2.6 "Load and Store Instructions", RV64I 5.3):
//
//   31          25 24   20 19   15 14  12 11    7 6       0
//  +--------------+-------+-------+------+-------+---------+
//  |   imm[11:0]          |  rs1  |funct3|  rd   | 0000011 |  LOAD
//  +--------------+-------+-------+------+-------+---------+
//  |  imm[11:5]   |  rs2  |  rs1  |funct3|imm4:0 | 0100011 |  STORE
//  +--------------+-------+-------+------+-------+---------+
//   funct3: 000 B, 001 H, 010 W, 011 D, 100 BU, 101 HU, 110 WU (loads only)
//
// 16-bit forms (unprivileged spec 16.3 "Load and Store Instructions", RV64C):
//
//   15  13 12      10 9     7 6     5 4     2 1  0
//  +------+----------+-------+-------+-------+----+
//  |funct3|   imm    | rs1'  |  imm  |rd/rs2'| 00 |  C.LW 010, C.LD 011, C.SW 110, C.SD 111
//  +------+--+-------+-------+-------+-------+----+
//  |funct3|im|    rd / imm   |  imm / rs2    | 10 |  C.LWSP 010, C.LDSP 011 (rd != 0),
//  +------+--+---------------+---------------+----+  C.SWSP 110 (rs2 in 6:2), C.SDSP 111
//   rd'/rs2' name x8..x15.
#pragma once

#include <cstdint>

#include "core/base/result.h"

namespace tandem::riscv64 {

// One decoded load or store.
struct MemAccess {
  bool is_store = false;
  uint8_t size = 0;          // access width in bytes: 1, 2, 4 or 8
  uint8_t reg = 0;           // x register: rd for a load, rs2 for a store
  bool sign_extend = false;  // a load sign-extends into the 64-bit register
  uint8_t length = 0;        // instruction length in bytes: 2 (RVC) or 4
};

// Unprivileged spec 1.5 "Base Instruction-Length Encoding": bits [1:0] == 11 mark a 32-bit (or
// longer) instruction, anything else a 16-bit compressed one.
constexpr unsigned insn_length(uint16_t low_half) { return (low_half & 3) == 3 ? 4 : 2; }

// WFI (privileged spec 3.3.3 "Wait for Interrupt"): trapped from VS-mode with hstatus.VTW=1 as a
// virtual instruction exception (priv spec 18.6.1).
inline constexpr uint32_t kInsnWfi = 0x10500073;

// Decodes an instruction as fetched from guest memory at the trapping PC (for a 16-bit
// instruction only the low half is looked at). kUnsupported for anything that is not one of
// the integer loads/stores listed above: FP loads/stores, AMOs, LR/SC, reserved encodings.
[[nodiscard]] Result<MemAccess> decode_mem_access(uint32_t insn);

// Decodes htinst as a guest-page fault leaves it (priv spec 18.6.3 "Transformed Instruction or
// Pseudoinstruction for mtinst or htinst"): a transformed instruction has bit 0 set and is the
// 32-bit form with rs1 replaced by an offset; bit 1 clear means the original was compressed
// (2 bytes long). kNotFound when htinst is zero or a pseudoinstruction (bit 0 clear): the
// caller fetches and decodes the instruction itself. QEMU 7.2 always writes zero.
[[nodiscard]] Result<MemAccess> decode_transformed(uint64_t htinst);

}  // namespace tandem::riscv64
