// SPDX-License-Identifier: Apache-2.0
#include "core/arch/riscv64/insn_decode.h"

namespace tandem::riscv64 {
namespace {

constexpr uint32_t kOpLoad = 0x03;   // 0000011
constexpr uint32_t kOpStore = 0x23;  // 0100011

constexpr uint32_t bits(uint32_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

MemAccess access(bool store, unsigned size, unsigned reg, bool sign, unsigned length) {
  MemAccess a;
  a.is_store = store;
  a.size = static_cast<uint8_t>(size);
  a.reg = static_cast<uint8_t>(reg);
  a.sign_extend = sign;
  a.length = static_cast<uint8_t>(length);
  return a;
}

// funct3 of LOAD: the low two bits give log2(size), bit 2 asks for zero extension. 111 is
// reserved (a would-be LDU exists only in RV128).
Result<MemAccess> decode_32(uint32_t insn) {
  const uint32_t funct3 = bits(insn, 14, 12);
  switch (bits(insn, 6, 0)) {
    case kOpLoad:
      if (funct3 == 7) return Error(Status::kUnsupported);
      return access(false, 1u << (funct3 & 3), bits(insn, 11, 7), (funct3 & 4) == 0, 4);
    case kOpStore:
      if (funct3 > 3) return Error(Status::kUnsupported);
      return access(true, 1u << funct3, bits(insn, 24, 20), false, 4);
    default: return Error(Status::kUnsupported);
  }
}

// RV64C quadrants 0 and 2. Word loads sign-extend like LW (unprivileged spec 16.3: "C.LW ...
// expands to lw rd', offset(rs1')"). funct3 001/101 are C.FLD/C.FSD(SP), 000 and 100 are not
// memory accesses (or are reserved) in RV64C without Zcb.
Result<MemAccess> decode_16(uint32_t insn) {
  const uint32_t funct3 = bits(insn, 15, 13);
  const bool store = (funct3 & 4) != 0;
  const unsigned size = (funct3 & 3) == 2 ? 4 : 8;
  if ((funct3 & 3) < 2) return Error(Status::kUnsupported);
  switch (bits(insn, 1, 0)) {
    case 0: {  // C.LW C.LD C.SW C.SD: rd'/rs2' in [4:2] names x8..x15
      const unsigned reg = 8 + bits(insn, 4, 2);
      return access(store, size, reg, !store && size == 4, 2);
    }
    case 2: {  // C.LWSP C.LDSP (rd in [11:7], rd == 0 reserved), C.SWSP C.SDSP (rs2 in [6:2])
      if (store) return access(true, size, bits(insn, 6, 2), false, 2);
      const unsigned rd = bits(insn, 11, 7);
      if (rd == 0) return Error(Status::kUnsupported);
      return access(false, size, rd, size == 4, 2);
    }
    default: return Error(Status::kUnsupported);
  }
}

}  // namespace

Result<MemAccess> decode_mem_access(uint32_t insn) {
  if (insn_length(static_cast<uint16_t>(insn)) == 4) return decode_32(insn);
  return decode_16(insn & 0xffff);
}

Result<MemAccess> decode_transformed(uint64_t htinst) {
  if ((htinst & 1) == 0) return Error(Status::kNotFound);
  // Bit 1 tells the original length; setting it gives back the standard 32-bit encoding.
  const auto insn = static_cast<uint32_t>(htinst | 2);
  Result<MemAccess> a = decode_32(insn);
  if (a.ok() && (htinst & 2) == 0) a->length = 2;
  return a;
}

}  // namespace tandem::riscv64
