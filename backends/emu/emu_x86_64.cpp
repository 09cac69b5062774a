// SPDX-License-Identifier: Apache-2.0
// x86_64 under Unicorn: a UC_MODE_64 engine entered in long mode with the guest's own identity
// page tables (core/arch/x86_64/long_mode.h). IN/OUT go to the VM's port bus, HLT halts, and
// every exception ends the VM with a fault: Unicorn has no IDT delivery (UNICORN.md TL;DR).
#include "backends/emu/emu_cpu.h"
#include "core/arch/x86_64/long_mode.h"
#include "core/vm/vm_exits.h"

namespace tandem::emu {
namespace {

using x86::CR0_PG;
using x86::CR4_PAE;
using x86::EFER_LMA;
using x86::EFER_LME;

constexpr uint32_t kMsrEfer = 0xc0000080;  // IA32_EFER (Intel SDM vol.4 table 2-2)
constexpr uint32_t kVectorPageFault = 14;

const char* vector_name(uint32_t vector) {
  // Intel SDM vol.3 6.3.1, table 6-1.
  switch (vector) {
    case 0: return "divide error (#DE)";
    case 1: return "debug exception (#DB)";
    case 3: return "breakpoint (#BP)";
    case 4: return "overflow (#OF)";
    case 5: return "BOUND range exceeded (#BR)";
    case 6: return "invalid opcode (#UD)";
    case 7: return "device not available (#NM)";
    case 8: return "double fault (#DF)";
    case 10: return "invalid TSS (#TS)";
    case 11: return "segment not present (#NP)";
    case 12: return "stack-segment fault (#SS)";
    case 13: return "general protection (#GP)";
    case 14: return "page fault (#PF)";
    case 16: return "x87 FPU error (#MF)";
    case 17: return "alignment check (#AC)";
    case 18: return "machine check (#MC)";
    case 19: return "SIMD floating-point exception (#XM)";
    default: return "software interrupt (INT n)";
  }
}

void on_intr(uc_engine* uc, uint32_t vector, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  const uint64_t rip = read_reg(uc, UC_X86_REG_RIP);
  const uint64_t addr = vector == kVectorPageFault ? read_reg(uc, UC_X86_REG_CR2) : rip;
  fault(cpu, vector_name(vector), addr, rip);
}

// RIP inside IN/OUT hooks is the start of the translation block (UNICORN.md section 2); it is
// only used for messages and traces.
uint32_t on_in(uc_engine* /*uc*/, uint32_t port, int size, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  const uint64_t v =
      cpu.exits.io_read(static_cast<uint16_t>(port), static_cast<unsigned>(size), lazy_pc(cpu));
  stop_if_vm_stopped(cpu);
  return static_cast<uint32_t>(v);
}

void on_out(uc_engine* /*uc*/, uint32_t port, int size, uint32_t value, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  cpu.exits.io_write(static_cast<uint16_t>(port), static_cast<unsigned>(size), value, lazy_pc(cpu));
  stop_if_vm_stopped(cpu);
}

Result<void> configure(EmuCpu& cpu) {
  uc_hook h;
  if (uc_hook_add(cpu.uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(on_intr), &cpu, 1, 0) !=
          UC_ERR_OK ||
      uc_hook_add(cpu.uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(on_in), &cpu, 1, 0,
                  UC_X86_INS_IN) != UC_ERR_OK ||
      uc_hook_add(cpu.uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(on_out), &cpu, 1, 0,
                  UC_X86_INS_OUT) != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  return ok();
}

// A UC_MODE_64 engine already runs 64-bit code, but with CR0.PG=0 and no GDT (UNICORN.md
// section 2, "Start state"). Load the state in the order of Intel SDM vol.3 9.8.5 (CR4.PAE,
// CR3, EFER.LME, CR0.PG) so the guest sees an ordinary long-mode CPU with its own page tables.
// In 64-bit mode Unicorn keeps its own flat 64-bit descriptor caches for CS/DS/ES/SS and takes
// only the selectors; FS/GS are loaded from the GDT, which must already be in guest RAM.
Result<void> load_boot(EmuCpu& cpu, const BootState& boot) {
  uc_engine* uc = cpu.uc;
  const X86LongModeState& x = boot.x86;
  // Only long mode: a UC_MODE_64 engine cannot run 16/32-bit entry code (UNICORN.md section 2,
  // "Mode switches"); multiboot's protected-mode entry is a KVM-backend feature.
  if ((x.cr0 & CR0_PG) == 0 || (x.efer & EFER_LME) == 0 || (x.cr4 & CR4_PAE) == 0) {
    return Error(Status::kUnsupported);
  }
  uc_x86_mmr gdtr{};
  gdtr.base = x.gdt_base;
  gdtr.limit = x.gdt_limit;
  uc_x86_msr efer{kMsrEfer, x.efer};
  uint64_t cr4 = x.cr4, cr3 = x.cr3, cr0 = x.cr0;
  uint16_t cs = x.cs.selector, ds = x.ds.selector;
  if (uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr) != UC_ERR_OK ||
      uc_reg_write(uc, UC_X86_REG_CR4, &cr4) != UC_ERR_OK ||
      uc_reg_write(uc, UC_X86_REG_CR3, &cr3) != UC_ERR_OK ||
      uc_reg_write(uc, UC_X86_REG_MSR, &efer) != UC_ERR_OK ||
      uc_reg_write(uc, UC_X86_REG_CR0, &cr0) != UC_ERR_OK ||
      uc_reg_write(uc, UC_X86_REG_CS, &cs) != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  for (int seg : {UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_SS, UC_X86_REG_FS, UC_X86_REG_GS}) {
    // A failure here means the GDT is not in guest RAM or the selector is not a data segment.
    if (uc_reg_write(uc, seg, &ds) != UC_ERR_OK) return Error(Status::kInvalidArgument);
  }
  write_reg(uc, UC_X86_REG_RFLAGS, x.rflags);
  write_reg(uc, UC_X86_REG_RSP, boot.sp);
  write_reg(uc, UC_X86_REG_RSI, boot.args[0]);  // Linux 64-bit boot protocol: rsi = boot_params
  write_reg(uc, UC_X86_REG_RIP, boot.pc);
  // EFER.LMA is set by the CPU; reading it back proves the engine took the long-mode state.
  efer.value = 0;
  if (uc_reg_read(uc, UC_X86_REG_MSR, &efer) != UC_ERR_OK || (efer.value & EFER_LMA) == 0) {
    return Error(Status::kBackend);
  }
  return ok();
}

int gpr(unsigned n) {
  // Register numbers in instruction-encoding order (Intel SDM vol.2 table 2-2 with REX.B).
  static constexpr int kRegs[16] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
                                    UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
                                    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
                                    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};
  return n < 16 ? kRegs[n] : -1;
}

}  // namespace

const ArchOps kX86_64Ops = {UC_ARCH_X86, UC_MODE_64, UC_X86_REG_RIP, 1, configure,
                            load_boot,   gpr,        nullptr};

}  // namespace tandem::emu
