// SPDX-License-Identifier: Apache-2.0
#include "core/arch/aarch64/esr.h"

namespace tandem::aarch64 {
namespace {

// DFSC/IFSC groups (DDI 0487 "ESR_EL2", DFSC field): bits [5:2] name the kind, [1:0] the
// translation level for the first four kinds.
constexpr uint8_t kFscTranslation = 0x04;
constexpr uint8_t kFscPermission = 0x0c;
constexpr bool fsc_is(uint8_t fsc, uint8_t group) { return (fsc & 0x3c) == group; }

VcpuExit fault(const TrapSyndrome& t, uint64_t addr, bool write, const char* reason) {
  VcpuExit e;
  e.kind = ExitKind::kFault;
  e.addr = addr;
  e.pc = t.pc;
  e.write = write;
  e.reason = reason;
  return e;
}

// A stage-2 data abort: an access to an IPA with no RAM mapping (a device, or nothing) when
// the syndrome is valid, else a fault the VM reports. A write to read-only RAM is a device
// access too: a bank of flash in read-array mode reads as memory and takes writes (commands)
// at its device; where no device is, the VM reports the write as it reports any unknown one.
VcpuExit data_abort(const TrapSyndrome& t, const uint64_t (&x)[31]) {
  const DataAbort d = decode_data_abort(t.esr);
  const uint64_t ipa = fault_ipa(t.hpfar, t.far);
  if (d.s1ptw) return fault(t, ipa, d.write, "stage-1 table walk outside guest RAM");
  if (fsc_is(d.dfsc, kFscPermission)) {
    if (!d.write || !d.isv || d.cm)
      return fault(t, ipa, d.write, "access not permitted by the stage-2 mapping");
  } else if (!fsc_is(d.dfsc, kFscTranslation)) {
    return fault(t, ipa, d.write, "stage-2 data abort");
  }
  if (d.cm) return fault(t, ipa, d.write, "cache maintenance on an address without RAM");
  if (!d.isv) {
    // Pairs, writeback and SIMD/FP accesses give no syndrome (ISV = 0); emulating them would
    // need the instruction decoded from guest memory.
    return fault(t, ipa, d.write,
                 "access outside guest RAM that cannot be emulated (ISV=0: load/store pair, "
                 "writeback or SIMD register)");
  }
  VcpuExit e;
  e.kind = d.write ? ExitKind::kMmioWrite : ExitKind::kMmioRead;
  e.addr = ipa;
  e.size = d.size;
  e.reg = d.srt;
  e.reg_bits = d.sf ? 64 : 32;
  e.sign_extend = d.sse;
  e.write = d.write;
  e.pc = t.pc;
  if (d.write) e.value = dabt_store_value(d, d.srt == 31 ? 0 : x[d.srt]);
  return e;
}

}  // namespace

VcpuExit decode_trap(const TrapSyndrome& t, const uint64_t (&x)[31]) {
  const Ec ec = esr_ec(t.esr);
  switch (ec) {
    case Ec::kDataAbortLower: return data_abort(t, x);
    case Ec::kInstAbortLower:
      return fault(t, fault_ipa(t.hpfar, t.far), false,
                   "instruction fetch from an address without guest RAM");
    case Ec::kHvc64:
    case Ec::kSmc64: {
      // SMCCC: function id in x0, arguments in x1..x5 (PSCI uses x0..x3).
      VcpuExit e;
      e.kind = ExitKind::kHypercall;
      e.addr = esr_call_imm16(t.esr);
      e.pc = t.pc;
      for (unsigned i = 0; i < 8; i++) e.args[i] = x[i];
      return e;
    }
    case Ec::kWfx: {
      // Only WFI traps (HCR_EL2.TWI); a WFE would only arrive with TWE set and is a halt too.
      VcpuExit e;
      e.kind = ExitKind::kHalt;
      e.pc = t.pc;
      return e;
    }
    default: return fault(t, 0, false, ec_name(ec));
  }
}

const char* ec_name(Ec ec) {
  switch (ec) {
    case Ec::kUnknown: return "trap EC 0x00 (unknown reason: undefined instruction)";
    case Ec::kWfx: return "trap EC 0x01 (WFI/WFE)";
    case Ec::kFpAsimd: return "trap EC 0x07 (SIMD/FP access)";
    case Ec::kIllegalState: return "trap EC 0x0e (illegal execution state)";
    case Ec::kSvc64: return "trap EC 0x15 (SVC)";
    case Ec::kHvc64: return "trap EC 0x16 (HVC)";
    case Ec::kSmc64: return "trap EC 0x17 (SMC)";
    case Ec::kSysReg64: return "trap EC 0x18 (MSR/MRS/system instruction)";
    case Ec::kSve: return "trap EC 0x19 (SVE access)";
    case Ec::kInstAbortLower: return "trap EC 0x20 (instruction abort from a lower EL)";
    case Ec::kInstAbortSame: return "trap EC 0x21 (instruction abort at EL2)";
    case Ec::kPcAlign: return "trap EC 0x22 (PC alignment fault)";
    case Ec::kDataAbortLower: return "trap EC 0x24 (data abort from a lower EL)";
    case Ec::kDataAbortSame: return "trap EC 0x25 (data abort at EL2)";
    case Ec::kSpAlign: return "trap EC 0x26 (SP alignment fault)";
    case Ec::kSError: return "trap EC 0x2f (SError)";
    case Ec::kBrk64: return "trap EC 0x3c (BRK)";
  }
  return "trap with an unexpected exception class";
}

const char* fsc_name(uint8_t fsc) {
  static constexpr const char* kLevelled[4][4] = {
      {"address size fault, level 0", "address size fault, level 1", "address size fault, level 2",
       "address size fault, level 3"},
      {"translation fault, level 0", "translation fault, level 1", "translation fault, level 2",
       "translation fault, level 3"},
      {"access flag fault, level 0", "access flag fault, level 1", "access flag fault, level 2",
       "access flag fault, level 3"},
      {"permission fault, level 0", "permission fault, level 1", "permission fault, level 2",
       "permission fault, level 3"},
  };
  if (fsc < 0x10) return kLevelled[fsc >> 2][fsc & 3];
  switch (fsc) {
    case 0x10: return "synchronous external abort";
    case 0x11: return "synchronous tag check fault";
    case 0x21: return "alignment fault";
    case 0x30: return "TLB conflict abort";
    default: return "other fault status code";
  }
}

}  // namespace tandem::aarch64
