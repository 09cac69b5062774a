// SPDX-License-Identifier: Apache-2.0
// The registers of the debugger's target descriptions (backends/hosted/gdb/gdb_arch.h) in
// Unicorn's numbering. Unicorn reads a register in its own width (2 bytes for an x86 segment
// selector, 10 for an x87 register, 16 for a vector); the value is read into a zeroed buffer
// and GDB gets the low bytes its description names (both little-endian). A write overlays
// GDB's bytes on the current value, so a narrower GDB register never clobbers the rest.
#include <cstring>
#include <string>
#include <unordered_map>

#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_debug.h"
#include "backends/hosted/gdb/gdb_arch.h"

namespace tandem::emu {
namespace {

// How a register is reached: a plain Unicorn id, an aarch64 system register by encoding
// (UC_ARM64_REG_CP_REG), or an x86 MSR (UC_X86_REG_MSR).
struct RegRef {
  enum Kind : unsigned char { kNone, kPlain, kArm64Sys, kX86Msr } kind = kNone;
  int id = 0;
  uint8_t op0 = 0, op1 = 0, crn = 0, crm = 0, op2 = 0;
  uint32_t msr = 0;
};

RegRef plain(int id) { return {RegRef::kPlain, id}; }
RegRef a64_sys(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm, uint8_t op2) {
  return {RegRef::kArm64Sys, 0, op0, op1, crn, crm, op2};
}

std::unordered_map<std::string, RegRef> aarch64_refs() {
  std::unordered_map<std::string, RegRef> m;
  for (int i = 0; i < 29; ++i) m["x" + std::to_string(i)] = plain(UC_ARM64_REG_X0 + i);
  m["x29"] = plain(UC_ARM64_REG_X29);
  m["x30"] = plain(UC_ARM64_REG_X30);
  m["sp"] = plain(UC_ARM64_REG_SP);
  m["pc"] = plain(UC_ARM64_REG_PC);
  m["cpsr"] = plain(UC_ARM64_REG_PSTATE);
  for (int i = 0; i < 32; ++i) m["v" + std::to_string(i)] = plain(UC_ARM64_REG_V0 + i);
  m["fpsr"] = plain(UC_ARM64_REG_FPSR);
  m["fpcr"] = plain(UC_ARM64_REG_FPCR);
  m["sp_el0"] = plain(UC_ARM64_REG_SP_EL0);
  m["sp_el1"] = plain(UC_ARM64_REG_SP_EL1);
  m["elr_el1"] = plain(UC_ARM64_REG_ELR_EL1);
  m["spsr_el1"] = a64_sys(3, 0, 4, 0, 0);  // Arm ARM D17.2.141
  m["esr_el1"] = plain(UC_ARM64_REG_ESR_EL1);
  m["far_el1"] = plain(UC_ARM64_REG_FAR_EL1);
  m["vbar_el1"] = plain(UC_ARM64_REG_VBAR_EL1);
  m["sctlr_el1"] = a64_sys(3, 0, 1, 0, 0);  // D17.2.118
  m["tcr_el1"] = a64_sys(3, 0, 2, 0, 2);    // D17.2.131
  m["ttbr0_el1"] = plain(UC_ARM64_REG_TTBR0_EL1);
  m["ttbr1_el1"] = plain(UC_ARM64_REG_TTBR1_EL1);
  m["mair_el1"] = plain(UC_ARM64_REG_MAIR_EL1);
  m["tpidr_el0"] = plain(UC_ARM64_REG_TPIDR_EL0);
  m["tpidr_el1"] = plain(UC_ARM64_REG_TPIDR_EL1);
  m["hcr_el2"] = a64_sys(3, 4, 1, 1, 0);  // D17.2.48
  return m;
}

std::unordered_map<std::string, RegRef> riscv64_refs(const gdb::ArchDescription& d) {
  std::unordered_map<std::string, RegRef> m;
  // The description lists x0..x31 by ABI name, then pc, then f0..f31.
  for (int i = 0; i < 32; ++i) m[d.registers[i].name] = plain(UC_RISCV_REG_X0 + i);
  m["pc"] = plain(UC_RISCV_REG_PC);
  for (int i = 0; i < 32; ++i) m[d.registers[33 + i].name] = plain(UC_RISCV_REG_F0 + i);
  m["fflags"] = plain(UC_RISCV_REG_FFLAGS);
  m["frm"] = plain(UC_RISCV_REG_FRM);
  m["fcsr"] = plain(UC_RISCV_REG_FCSR);
  m["sstatus"] = plain(UC_RISCV_REG_SSTATUS);
  m["sie"] = plain(UC_RISCV_REG_SIE);
  m["stvec"] = plain(UC_RISCV_REG_STVEC);
  m["scounteren"] = plain(UC_RISCV_REG_SCOUNTEREN);
  m["sscratch"] = plain(UC_RISCV_REG_SSCRATCH);
  m["sepc"] = plain(UC_RISCV_REG_SEPC);
  m["scause"] = plain(UC_RISCV_REG_SCAUSE);
  m["stval"] = plain(UC_RISCV_REG_STVAL);
  m["sip"] = plain(UC_RISCV_REG_SIP);
  m["satp"] = plain(UC_RISCV_REG_SATP);
  return m;
}

std::unordered_map<std::string, RegRef> x86_64_refs() {
  std::unordered_map<std::string, RegRef> m{
      {"rax", plain(UC_X86_REG_RAX)},         {"rbx", plain(UC_X86_REG_RBX)},
      {"rcx", plain(UC_X86_REG_RCX)},         {"rdx", plain(UC_X86_REG_RDX)},
      {"rsi", plain(UC_X86_REG_RSI)},         {"rdi", plain(UC_X86_REG_RDI)},
      {"rbp", plain(UC_X86_REG_RBP)},         {"rsp", plain(UC_X86_REG_RSP)},
      {"r8", plain(UC_X86_REG_R8)},           {"r9", plain(UC_X86_REG_R9)},
      {"r10", plain(UC_X86_REG_R10)},         {"r11", plain(UC_X86_REG_R11)},
      {"r12", plain(UC_X86_REG_R12)},         {"r13", plain(UC_X86_REG_R13)},
      {"r14", plain(UC_X86_REG_R14)},         {"r15", plain(UC_X86_REG_R15)},
      {"rip", plain(UC_X86_REG_RIP)},         {"eflags", plain(UC_X86_REG_EFLAGS)},
      {"cs", plain(UC_X86_REG_CS)},           {"ss", plain(UC_X86_REG_SS)},
      {"ds", plain(UC_X86_REG_DS)},           {"es", plain(UC_X86_REG_ES)},
      {"fs", plain(UC_X86_REG_FS)},           {"gs", plain(UC_X86_REG_GS)},
      {"fctrl", plain(UC_X86_REG_FPCW)},      {"fstat", plain(UC_X86_REG_FPSW)},
      {"ftag", plain(UC_X86_REG_FPTAG)},      {"fiseg", plain(UC_X86_REG_FCS)},
      {"fioff", plain(UC_X86_REG_FIP)},       {"foseg", plain(UC_X86_REG_FDS)},
      {"fooff", plain(UC_X86_REG_FDP)},       {"fop", plain(UC_X86_REG_FOP)},
      {"mxcsr", plain(UC_X86_REG_MXCSR)},     {"fs_base", plain(UC_X86_REG_FS_BASE)},
      {"gs_base", plain(UC_X86_REG_GS_BASE)}, {"cr0", plain(UC_X86_REG_CR0)},
      {"cr2", plain(UC_X86_REG_CR2)},         {"cr3", plain(UC_X86_REG_CR3)},
      {"cr4", plain(UC_X86_REG_CR4)}};
  for (int i = 0; i < 8; ++i) m["st" + std::to_string(i)] = plain(UC_X86_REG_ST0 + i);
  for (int i = 0; i < 16; ++i) m["xmm" + std::to_string(i)] = plain(UC_X86_REG_XMM0 + i);
  RegRef efer{RegRef::kX86Msr};
  efer.msr = 0xc0000080;  // IA32_EFER (Intel SDM vol.4 table 2-2)
  m["efer"] = efer;
  return m;
}

// Per architecture: the reference of each register of the description, by index.
const std::vector<RegRef>& refs(Arch arch) {
  static const auto build = [](Arch a) {
    const gdb::ArchDescription& d = gdb::describe(a);
    const auto by_name = a == Arch::kAarch64   ? aarch64_refs()
                         : a == Arch::kRiscv64 ? riscv64_refs(d)
                                               : x86_64_refs();
    std::vector<RegRef> v;
    for (const gdb::RegisterDesc& r : d.registers) {
      auto it = by_name.find(r.name);
      v.push_back(it == by_name.end() ? RegRef{} : it->second);
    }
    return v;
  };
  static const std::vector<RegRef> kAarch64 = build(Arch::kAarch64);
  static const std::vector<RegRef> kRiscv64 = build(Arch::kRiscv64);
  static const std::vector<RegRef> kX86_64 = build(Arch::kX86_64);
  return arch == Arch::kAarch64 ? kAarch64 : arch == Arch::kRiscv64 ? kRiscv64 : kX86_64;
}

constexpr size_t kWidest = 64;  // larger than any register Unicorn returns

bool read_raw(uc_engine* uc, const RegRef& r, uint8_t (&buf)[kWidest]) {
  std::memset(buf, 0, sizeof buf);
  switch (r.kind) {
    case RegRef::kNone: return false;
    case RegRef::kPlain: return uc_reg_read(uc, r.id, buf) == UC_ERR_OK;
    case RegRef::kArm64Sys: {
      uc_arm64_cp_reg cp{r.crn, r.crm, r.op0, r.op1, r.op2, 0};
      if (uc_reg_read(uc, UC_ARM64_REG_CP_REG, &cp) != UC_ERR_OK) return false;
      std::memcpy(buf, &cp.val, sizeof cp.val);
      return true;
    }
    case RegRef::kX86Msr: {
      uc_x86_msr msr{r.msr, 0};
      if (uc_reg_read(uc, UC_X86_REG_MSR, &msr) != UC_ERR_OK) return false;
      std::memcpy(buf, &msr.value, sizeof msr.value);
      return true;
    }
  }
  return false;
}

bool write_raw(uc_engine* uc, const RegRef& r, const uint8_t (&buf)[kWidest]) {
  switch (r.kind) {
    case RegRef::kNone: return false;
    case RegRef::kPlain: return uc_reg_write(uc, r.id, buf) == UC_ERR_OK;
    case RegRef::kArm64Sys: {
      uc_arm64_cp_reg cp{r.crn, r.crm, r.op0, r.op1, r.op2, 0};
      std::memcpy(&cp.val, buf, sizeof cp.val);
      return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &cp) == UC_ERR_OK;
    }
    case RegRef::kX86Msr: {
      uc_x86_msr msr{r.msr, 0};
      std::memcpy(&msr.value, buf, sizeof msr.value);
      return uc_reg_write(uc, UC_X86_REG_MSR, &msr) == UC_ERR_OK;
    }
  }
  return false;
}

}  // namespace

bool read_debug_register(EmuCpu& cpu, Arch arch, unsigned index, std::span<uint8_t> out) {
  const std::vector<RegRef>& r = refs(arch);
  uint8_t buf[kWidest];
  if (index >= r.size() || out.size() > kWidest || !read_raw(cpu.uc, r[index], buf)) return false;
  std::memcpy(out.data(), buf, out.size());
  return true;
}

bool write_debug_register(EmuCpu& cpu, Arch arch, unsigned index, std::span<const uint8_t> in) {
  const std::vector<RegRef>& r = refs(arch);
  uint8_t buf[kWidest];
  if (index >= r.size() || in.size() > kWidest || !read_raw(cpu.uc, r[index], buf)) return false;
  std::memcpy(buf, in.data(), in.size());
  return write_raw(cpu.uc, r[index], buf);
}

}  // namespace tandem::emu
