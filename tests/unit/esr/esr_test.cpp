// SPDX-License-Identifier: Apache-2.0
// ESR_EL2 decoding, checked field by field against DDI 0487 "ESR_EL2" (ISS encoding for an
// exception from a Data Abort / HVC / SMC / WFx). The first syndromes are the ones QEMU 7.2
// reported for a real EL1 guest (docs BAREMETAL.md); the others are assembled by hand.
#include "core/arch/aarch64/esr.h"

#include <gtest/gtest.h>

#include <cstring>

namespace tandem::aarch64 {
namespace {

struct Regs {
  uint64_t x[31] = {};
};

TEST(Esr, FieldsOfAByteStoreSeenOnQemu) {
  // strb w3, [x?]: EC 0x24, IL, ISV, SAS 0 (byte), SRT 3, WnR, DFSC 0x05 (level-1 translation).
  constexpr uint64_t esr = 0x93030045;
  EXPECT_EQ(esr_ec(esr), Ec::kDataAbortLower);
  EXPECT_EQ(esr_insn_len(esr), 4u);
  const DataAbort d = decode_data_abort(esr);
  EXPECT_TRUE(d.isv);
  EXPECT_EQ(d.size, 1);
  EXPECT_FALSE(d.sse);
  EXPECT_EQ(d.srt, 3);
  EXPECT_FALSE(d.sf);
  EXPECT_FALSE(d.ar);
  EXPECT_FALSE(d.fnv);
  EXPECT_FALSE(d.ea);
  EXPECT_FALSE(d.cm);
  EXPECT_FALSE(d.s1ptw);
  EXPECT_TRUE(d.write);
  EXPECT_EQ(d.dfsc, 0x05);
  EXPECT_STREQ(fsc_name(d.dfsc), "translation fault, level 1");
}

TEST(Esr, WordStoreAndWordLoadSeenOnQemu) {
  const DataAbort st = decode_data_abort(0x93870045);  // str w7
  EXPECT_TRUE(st.isv);
  EXPECT_EQ(st.size, 4);
  EXPECT_EQ(st.srt, 7);
  EXPECT_TRUE(st.write);
  const DataAbort ld = decode_data_abort(0x93890005);  // ldr w9 (UARTFR)
  EXPECT_TRUE(ld.isv);
  EXPECT_EQ(ld.size, 4);
  EXPECT_EQ(ld.srt, 9);
  EXPECT_FALSE(ld.write);
  EXPECT_FALSE(ld.sf);
}

TEST(Esr, IpaFromHpfarAndFar) {
  // HPFAR_EL2 0x90000, FAR_EL2 0x9000018 -> IPA 0x9000018 (BAREMETAL.md log).
  EXPECT_EQ(fault_ipa(0x90000, 0x9000018), 0x9000018u);
  // FIPA reaches IPA bit 51 (bits [43:4]); NS (bit 63) and RES0 bits do not leak in.
  EXPECT_EQ(fault_ipa((1ull << 63) | (0xff'ffff'ffffull << 4) | 0xf, 0xffff'ffff'ffff'f123),
            0x000f'ffff'ffff'f123ull);
}

TEST(Esr, SignAndZeroExtensionOfLoads) {
  DataAbort d;
  d.size = 1;
  d.sse = true;
  d.sf = true;  // ldrsb x0
  EXPECT_EQ(dabt_load_value(d, 0xf0), 0xffff'ffff'ffff'fff0ull);
  EXPECT_EQ(dabt_load_value(d, 0x170), 0x70u);  // only the accessed byte counts
  d.sf = false;  // ldrsb w0: sign-extended to 32 bits, upper half zero
  EXPECT_EQ(dabt_load_value(d, 0xf0), 0xffff'fff0ull);
  d.size = 2;
  d.sse = false;  // ldrh w0
  EXPECT_EQ(dabt_load_value(d, 0xdead'beef), 0xbeefu);
  d.size = 4;
  d.sse = true;
  d.sf = true;  // ldrsw x0
  EXPECT_EQ(dabt_load_value(d, 0x8000'0000), 0xffff'ffff'8000'0000ull);
  d.size = 8;
  d.sse = false;  // ldr x0
  EXPECT_EQ(dabt_load_value(d, 0x1234'5678'9abc'def0), 0x1234'5678'9abc'def0ull);
}

TEST(Esr, StoreValuesAreTruncatedAndXzrIsZero) {
  DataAbort d;
  d.size = 2;
  d.srt = 4;
  EXPECT_EQ(dabt_store_value(d, 0x1'2345), 0x2345u);
  d.srt = 31;
  EXPECT_EQ(dabt_store_value(d, 0xffff), 0u);
}

TEST(Esr, DataAbortBecomesMmioWrite) {
  Regs r;
  r.x[7] = 0xaaaa'bbbb'0000'0021;
  const VcpuExit e = decode_trap({0x93870045, 0x9000000, 0x90000, 0x4000'1000}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kMmioWrite);
  EXPECT_EQ(e.addr, 0x9000000u);
  EXPECT_EQ(e.size, 4);
  EXPECT_EQ(e.reg, 7);
  EXPECT_EQ(e.value, 0x21u);
  EXPECT_TRUE(e.write);
  EXPECT_EQ(e.pc, 0x4000'1000u);
}

TEST(Esr, SignedLoadBecomesMmioRead) {
  // ldrsh x2: ISV, SAS 01, SSE, SRT 2, SF, DFSC 0x07 (level-3 translation).
  constexpr uint64_t esr = (0x24ull << 26) | ESR_IL | ISS_DABT_ISV | (1u << ISS_DABT_SAS_SHIFT) |
                           ISS_DABT_SSE | (2u << ISS_DABT_SRT_SHIFT) | ISS_DABT_SF | 0x07;
  Regs r;
  const VcpuExit e = decode_trap({esr, 0x9000004, 0x90000, 0}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kMmioRead);
  EXPECT_EQ(e.addr, 0x9000004u);
  EXPECT_EQ(e.size, 2);
  EXPECT_EQ(e.reg, 2);
  EXPECT_TRUE(e.sign_extend);
  EXPECT_FALSE(e.write);
}

TEST(Esr, UnemulatableAbortsAreFaults) {
  Regs r;
  // ISV = 0 (e.g. stp x0, x1, [x2]) on an unmapped IPA.
  VcpuExit e = decode_trap({(0x24ull << 26) | ESR_IL | ISS_DABT_WNR | 0x06, 0x123, 0x100, 0}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x10123u);
  EXPECT_TRUE(e.write);
  EXPECT_NE(std::strstr(e.reason, "ISV=0"), nullptr);
  // Stage-1 walk hitting a hole, and a read or an ISV=0 write denied by a permission fault,
  // are faults too.
  e = decode_trap({(0x24ull << 26) | ESR_IL | ISS_DABT_ISV | ISS_DABT_S1PTW | 0x05, 0, 0, 0}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kFault);
  e = decode_trap({(0x24ull << 26) | ESR_IL | ISS_DABT_ISV | 0x0f, 0, 0, 0}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_NE(std::strstr(e.reason, "not permitted"), nullptr);
  e = decode_trap({(0x24ull << 26) | ESR_IL | ISS_DABT_WNR | 0x0f, 0, 0, 0}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_NE(std::strstr(e.reason, "not permitted"), nullptr);
}

// A write with a syndrome to read-only RAM (flash in read-array mode) goes to the device there,
// as a write to a hole does.
TEST(Esr, PermissionFaultWriteIsADeviceWrite) {
  Regs r;
  r.x[3] = 0x1234'5678'9abc'def0;
  // strh w3 at IPA 0x0400'0010: SAS = 1 (halfword), SRT = 3, WNR, permission fault level 3.
  const uint64_t iss = ISS_DABT_ISV | (1ull << 22) | (3ull << 16) | ISS_DABT_WNR | 0x0f;
  const VcpuExit e = decode_trap({(0x24ull << 26) | ESR_IL | iss, 0x10, 0x0400'0000 >> 8, 0}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kMmioWrite);
  EXPECT_EQ(e.addr, 0x0400'0010u);
  EXPECT_EQ(e.size, 2u);
  EXPECT_EQ(e.value, 0xdef0u);
}

TEST(Esr, HvcAndSmcAreHypercalls) {
  Regs r;
  for (unsigned i = 0; i < 31; i++) r.x[i] = 0x8400'0000 + i;
  EXPECT_EQ(esr_ec(0x5a000000), Ec::kHvc64);
  VcpuExit e = decode_trap({0x5a000000, 0, 0, 0x4000'0010}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kHypercall);
  EXPECT_EQ(e.addr, 0u);  // imm16
  for (unsigned i = 0; i < 6; i++) EXPECT_EQ(e.args[i], r.x[i]);
  e = decode_trap({0x5e00'0007, 0, 0, 0}, r.x);  // smc #7
  EXPECT_EQ(esr_ec(0x5e00'0007), Ec::kSmc64);
  EXPECT_EQ(e.kind, ExitKind::kHypercall);
  EXPECT_EQ(e.addr, 7u);
}

TEST(Esr, WfiIsHaltAndUnknownClassesAreNamed) {
  Regs r;
  EXPECT_TRUE(esr_wfx_is_wfi(0x0600'0000));
  EXPECT_FALSE(esr_wfx_is_wfi(0x0600'0001));
  EXPECT_EQ(decode_trap({0x0600'0000, 0, 0, 0}, r.x).kind, ExitKind::kHalt);
  const VcpuExit e = decode_trap({0x6200'0000, 0, 0, 0}, r.x);  // EC 0x18
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_STREQ(e.reason, "trap EC 0x18 (MSR/MRS/system instruction)");
  EXPECT_STREQ(ec_name(static_cast<Ec>(0x3f)), "trap with an unexpected exception class");
  // A 16-bit T32 instruction has IL = 0.
  EXPECT_EQ(esr_insn_len(0x0400'0000), 2u);
}

TEST(Esr, InstructionAbortIsAFaultAtTheIpa) {
  Regs r;
  const VcpuExit e = decode_trap({0x8200'0006, 0x5000'0000, 0x50'0000, 0x5000'0000}, r.x);
  EXPECT_EQ(e.kind, ExitKind::kFault);
  EXPECT_EQ(e.addr, 0x5000'0000u);
}

}  // namespace
}  // namespace tandem::aarch64
