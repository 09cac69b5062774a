// SPDX-License-Identifier: Apache-2.0
// The MMIO instruction decoder against the unprivileged spec (20191213) encodings: every
// supported opcode with every register, the literal words GNU as 2.40 emits for a sample of
// them, and rejection of everything else. Transformed htinst values follow priv spec
// 20240411, 18.6.3.
#include "core/arch/riscv64/insn_decode.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tandem::riscv64 {
namespace {

// Encoders written from the spec's field diagrams (2.6, 16.3), independent of the decoder.
uint32_t load(unsigned funct3, unsigned rd, unsigned rs1, int imm) {
  return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) |
         0x03;
}
uint32_t store(unsigned funct3, unsigned rs2, unsigned rs1, int imm) {
  const auto u = static_cast<uint32_t>(imm & 0xfff);
  return ((u >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((u & 0x1f) << 7) | 0x23;
}
// CL/CS format: funct3 | imm | rs1' | imm | rd'/rs2' | 00 (immediate bits left zero).
uint32_t c_mem(unsigned funct3, unsigned reg_prime, unsigned rs1_prime) {
  return (funct3 << 13) | (rs1_prime << 7) | (reg_prime << 2);
}
// CI (C.LWSP/C.LDSP): funct3 | imm[5] | rd | imm | 10.
uint32_t c_load_sp(unsigned funct3, unsigned rd) { return (funct3 << 13) | (rd << 7) | 2; }
// CSS (C.SWSP/C.SDSP): funct3 | imm | rs2 | 10, with all immediate bits set to check they are
// ignored.
uint32_t c_store_sp(unsigned funct3, unsigned rs2) {
  return (funct3 << 13) | (0x3fu << 7) | (rs2 << 2) | 2;
}

void expect_access(uint32_t insn, bool store, unsigned size, unsigned reg, bool sign,
                   unsigned length) {
  SCOPED_TRACE(testing::Message() << "insn 0x" << std::hex << insn);
  Result<MemAccess> a = decode_mem_access(insn);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->is_store, store);
  EXPECT_EQ(a->size, size);
  EXPECT_EQ(a->reg, reg);
  EXPECT_EQ(a->sign_extend, sign);
  EXPECT_EQ(a->length, length);
}

void expect_rejected(uint32_t insn) {
  SCOPED_TRACE(testing::Message() << "insn 0x" << std::hex << insn);
  Result<MemAccess> a = decode_mem_access(insn);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error(), Status::kUnsupported);
}

struct Width {
  unsigned funct3, size;
  bool sign;
};
// LB LH LW LD LBU LHU LWU (RV64I 5.3: LW sign-extends, LWU zero-extends).
constexpr Width kLoads[] = {{0, 1, true},  {1, 2, true},  {2, 4, true}, {3, 8, true},
                            {4, 1, false}, {5, 2, false}, {6, 4, false}};
// SB SH SW SD.
constexpr Width kStores[] = {{0, 1, false}, {1, 2, false}, {2, 4, false}, {3, 8, false}};

TEST(RiscvDecode, EveryLoadWidthAndRegister) {
  for (const Width& w : kLoads) {
    for (unsigned rd = 0; rd < 32; rd++) {
      expect_access(load(w.funct3, rd, 31 - rd, -2048), false, w.size, rd, w.sign, 4);
      expect_access(load(w.funct3, rd, rd, 2047), false, w.size, rd, w.sign, 4);
    }
  }
}

TEST(RiscvDecode, EveryStoreWidthAndRegister) {
  for (const Width& w : kStores) {
    for (unsigned rs2 = 0; rs2 < 32; rs2++) {
      expect_access(store(w.funct3, rs2, 31 - rs2, -1), true, w.size, rs2, false, 4);
      expect_access(store(w.funct3, rs2, rs2, 0x7e0), true, w.size, rs2, false, 4);
    }
  }
}

TEST(RiscvDecode, CompressedRegisterForms) {
  for (unsigned r = 0; r < 8; r++) {
    for (unsigned rs1 : {0u, 7u}) {
      expect_access(c_mem(2, r, rs1), false, 4, 8 + r, true, 2);   // C.LW
      expect_access(c_mem(3, r, rs1), false, 8, 8 + r, false, 2);  // C.LD
      expect_access(c_mem(6, r, rs1), true, 4, 8 + r, false, 2);   // C.SW
      expect_access(c_mem(7, r, rs1), true, 8, 8 + r, false, 2);   // C.SD
      // Immediate bits [12:10] and [6:5] do not change the decode.
      expect_access(c_mem(2, r, rs1) | 0x1c60, false, 4, 8 + r, true, 2);
    }
  }
}

TEST(RiscvDecode, CompressedStackPointerForms) {
  for (unsigned r = 1; r < 32; r++) {
    expect_access(c_load_sp(2, r), false, 4, r, true, 2);           // C.LWSP
    expect_access(c_load_sp(3, r), false, 8, r, false, 2);          // C.LDSP
    expect_access(c_load_sp(2, r) | 0x107c, false, 4, r, true, 2);  // imm bits set
  }
  for (unsigned r = 0; r < 32; r++) {
    expect_access(c_store_sp(6, r), true, 4, r, false, 2);  // C.SWSP
    expect_access(c_store_sp(7, r), true, 8, r, false, 2);  // C.SDSP
  }
  // rd == 0 is reserved for C.LWSP and C.LDSP (16.3).
  expect_rejected(c_load_sp(2, 0));
  expect_rejected(c_load_sp(3, 0));
}

TEST(RiscvDecode, AssemblerOutput) {
  // riscv64-linux-gnu-as -march=rv64gc, objdump -M no-aliases.
  expect_access(0x00558503, false, 1, 10, true, 4);   // lb a0,5(a1)
  expect_access(0xffe11303, false, 2, 6, true, 4);    // lh t1,-2(sp)
  expect_access(0x0002ad83, false, 4, 27, true, 4);   // lw s11,0(t0)
  expect_access(0x00853083, false, 8, 1, true, 4);    // ld ra,8(a0)
  expect_access(0x0000cf83, false, 1, 31, false, 4);  // lbu t6,0(ra)
  expect_access(0x0007d783, false, 2, 15, false, 4);  // lhu a5,0(a5)
  expect_access(0x0041e403, false, 4, 8, false, 4);   // lwu s0,4(gp)
  expect_access(0x00d50023, true, 1, 13, false, 4);   // sb a3,0(a0)
  expect_access(0x01f49123, true, 2, 31, false, 4);   // sh t6,2(s1)
  expect_access(0x00052023, true, 4, 0, false, 4);    // sw zero,0(a0)
  expect_access(0xff213c23, true, 8, 18, false, 4);   // sd s2,-8(sp)
  expect_access(0x41c8, false, 4, 10, true, 2);       // c.lw a0,4(a1)
  expect_access(0x6780, false, 8, 8, false, 2);       // c.ld s0,8(a5)
  expect_access(0xc090, true, 4, 12, false, 2);       // c.sw a2,0(s1)
  expect_access(0xe81c, true, 8, 15, false, 2);       // c.sd a5,16(s0)
  expect_access(0x40b2, false, 4, 1, true, 2);        // c.lwsp ra,12(sp)
  expect_access(0x6f82, false, 8, 31, false, 2);      // c.ldsp t6,0(sp)
  expect_access(0xc27e, true, 4, 31, false, 2);       // c.swsp t6,4(sp)
  expect_access(0xe402, true, 8, 0, false, 2);        // c.sdsp zero,8(sp)
}

TEST(RiscvDecode, CompressedIgnoresUpperHalf) {
  // A 16-bit instruction fetched as a word carries the next instruction in bits [31:16].
  expect_access(0xffff41c8, false, 4, 10, true, 2);  // c.lw a0,4(a1)
}

TEST(RiscvDecode, RejectsEverythingElse) {
  expect_rejected(0x0000);      // all-zero: the defined illegal instruction
  expect_rejected(0x2188);      // c.fld fa0,0(a1)
  expect_rejected(0xa188);      // c.fsd fa0,0(a1)
  expect_rejected(0x2502);      // c.fldsp fa0,0(sp)
  expect_rejected(0xa02a);      // c.fsdsp fa0,0(sp)
  expect_rejected(0x0808);      // c.addi4spn a0,sp,16
  expect_rejected(0x8000);      // quadrant 0 funct3 100: reserved without Zcb
  expect_rejected(0x450d);      // c.li a0,3 (quadrant 1)
  expect_rejected(0x8082);      // c.jr ra
  expect_rejected(0x0505);      // c.addi a0,1
  expect_rejected(0x00052507);  // flw fa0,0(a0)
  expect_rejected(0x00a53027);  // fsd fa0,0(a0)
  expect_rejected(0x00b6252f);  // amoadd.w a0,a1,(a2)
  expect_rejected(0x1005b52f);  // lr.d a0,(a1)
  expect_rejected(0x00150513);  // addi a0,a0,1
  expect_rejected(kInsnWfi);
  expect_rejected(0x00000073);          // ecall
  expect_rejected(load(7, 10, 11, 0));  // LOAD funct3 111: reserved in RV64
  for (unsigned f = 4; f < 8; f++) expect_rejected(store(f, 10, 11, 0));  // STORE funct3 1xx
}

TEST(RiscvDecode, InstructionLength) {
  EXPECT_EQ(insn_length(0x8503), 4u);
  EXPECT_EQ(insn_length(0x41c8), 2u);
  EXPECT_EQ(insn_length(0x40b2), 2u);
  EXPECT_EQ(insn_length(0x0505), 2u);
}

TEST(RiscvDecode, TransformedHtinst) {
  // Zero and the pseudoinstructions 0x00002000 / 0x00003000 (implicit VS-stage walk accesses)
  // have bit 0 clear: the hypervisor must fetch the instruction itself.
  for (uint64_t v : {0x0ull, 0x2000ull, 0x3000ull}) {
    Result<MemAccess> a = decode_transformed(v);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error(), Status::kNotFound);
  }
  // lw s11,0(t0) transformed: rs1 replaced by the address offset (here 0), bit 1 set.
  Result<MemAccess> lw = decode_transformed(load(2, 27, 0, 0));
  ASSERT_TRUE(lw.ok());
  EXPECT_FALSE(lw->is_store);
  EXPECT_EQ(lw->size, 4);
  EXPECT_EQ(lw->reg, 27);
  EXPECT_TRUE(lw->sign_extend);
  EXPECT_EQ(lw->length, 4);
  // c.sd a5,16(s0) transformed: its expansion sd a5,0(x0) with bit 1 cleared.
  Result<MemAccess> csd = decode_transformed(store(3, 15, 0, 0) & ~2u);
  ASSERT_TRUE(csd.ok());
  EXPECT_TRUE(csd->is_store);
  EXPECT_EQ(csd->size, 8);
  EXPECT_EQ(csd->reg, 15);
  EXPECT_EQ(csd->length, 2);
  // A transformed AMO is not an MMIO access this decoder handles.
  Result<MemAccess> amo = decode_transformed(0x00b0252f);
  ASSERT_FALSE(amo.ok());
  EXPECT_EQ(amo.error(), Status::kUnsupported);
}

}  // namespace
}  // namespace tandem::riscv64
