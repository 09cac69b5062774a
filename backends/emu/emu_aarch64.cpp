// SPDX-License-Identifier: Apache-2.0
// aarch64 under Unicorn: the guest runs at EL1 of a cortex-a72. HVC/SMC go to the VM's PSCI,
// semihosting HLT #0xf000 exits the VM, WFI halts, and the guest's other synchronous exceptions
// go to its own vectors (emu_a64_exception.h) once it has set VBAR_EL1; before that they end
// the VM with a fault. An access with no RAM and no device is the VM's policy (emu_memory.cpp).
#include <cstdio>
#include <optional>

#include "backends/emu/emu_a64_code_drop.h"
#include "backends/emu/emu_a64_exception.h"
#include "backends/emu/emu_a64_syndrome.h"
#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_quirks.h"
#include "backends/emu/emu_translate.h"
#include "core/arch/aarch64/control_regs.h"
#include "core/arch/aarch64/esr.h"
#include "core/arch/aarch64/psci.h"
#include "core/arch/aarch64/sysreg_id.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"
#include "core/mm/ram_table_reader.h"
#include "core/vm/vm_exits.h"

namespace tandem::emu {
namespace {

// QEMU's EXCP_* numbers, which Unicorn passes to UC_HOOK_INTR as intno (target/arm/cpu.h).
constexpr uint32_t kExcpUdef = 1;
constexpr uint32_t kExcpSvc = 2;
constexpr uint32_t kExcpPrefetchAbort = 3;
constexpr uint32_t kExcpDataAbort = 4;
constexpr uint32_t kExcpBkpt = 7;
constexpr uint32_t kExcpHvc = 11;
constexpr uint32_t kExcpSmc = 13;

// Semihosting (Arm "Semihosting for AArch32 and AArch64", v2.0): HLT #0xF000 with the operation
// in w0 and a parameter (block address) in x1.
constexpr uint32_t kHltSemihosting = 0xd45e0000;
constexpr uint64_t kSysExit = 0x18;
constexpr uint64_t kSysExitExtended = 0x20;
constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;

// SCR_EL3 = RW|HCE|NS and HCR_EL2 = RW|IMO|FMO (Arm ARM D17.2.117 and D17.2.48): EL2 and EL1
// are AArch64, HVC is enabled, physical IRQs and FIQs route to EL2 so the host can inject
// virtual ones with HCR_EL2.VI / VF (UNICORN.md section 2, "IRQ injection").
constexpr uint64_t kScrEl3 = a64::SCR_EL3_RW | a64::SCR_EL3_HCE | a64::SCR_EL3_NS;
constexpr uint64_t kHcrEl2 = a64::HCR_EL2_RW | a64::HCR_EL2_IMO | a64::HCR_EL2_FMO;

uc_err write_sysreg(uc_engine* uc, uint32_t id, uint64_t value) {
  uc_arm64_cp_reg r{a64::sysreg_crn(id), a64::sysreg_crm(id), a64::sysreg_op0(id),
                    a64::sysreg_op1(id), a64::sysreg_op2(id), value};
  return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r);
}

// Only the registers the board's PSCI call reads (psci_arg_regs; x0 alone for most calls):
// each register read costs Unicorn 2.1.1 about 40 host instructions, and reading all of
// x0..x7 was half of an HVC exit's own cost. The vCPU's exit record is reused, as for a device
// access (device_access): clearing a fresh one costs a memset per call.
void hypercall(EmuCpu& cpu) {
  static constexpr int kArgs[kPsciArgRegs] = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
                                              UC_ARM64_REG_X3};
  VcpuExit& e = cpu.access;
  e.kind = ExitKind::kHypercall;
  e.args[0] = read_reg(cpu.uc, UC_ARM64_REG_X0);
  const unsigned n = psci_arg_regs(static_cast<uint32_t>(e.args[0]));
  for (unsigned i = 1; i < kPsciArgRegs; ++i) e.args[i] = i < n ? read_reg(cpu.uc, kArgs[i]) : 0;
  // PC is already past the HVC/SMC (UNICORN.md section 2); report the instruction itself, and
  // read it only if a trace or report needs it.
  const PcSource pc(
      [](const void* c) {
        return read_reg(static_cast<const EmuCpu*>(c)->uc, UC_ARM64_REG_PC) - 4;
      },
      &cpu);
  cpu.exits.handle(cpu.cpu_id, e, pc);
  for (unsigned i = 0; i < e.results && i < 2; ++i) write_reg(cpu.uc, kArgs[i], e.args[i]);
  after_chip_access(cpu);
  stop_if_vm_stopped(cpu);
}

void set_lines(EmuCpu& cpu, uint32_t lines) {
  uint64_t hcr = kHcrEl2;
  if ((lines & cpu_irq::kIrq) != 0) hcr |= a64::HCR_EL2_VI;
  if ((lines & cpu_irq::kFiq) != 0) hcr |= a64::HCR_EL2_VF;
  write_sysreg(cpu.uc, a64::HCR_EL2, hcr);
}

// MRS/MSR of a register the VM implements (the GICv3 CPU interface, the virtual timer): the
// hook does the access, writes PC + 4 itself and returns 1 to skip the instruction (UNICORN.md
// section 2, "Sysreg traps": skipping without moving the PC loops forever). Every other
// register is left to QEMU (return 0).
uint32_t on_sysreg(uc_engine* uc, uc_arm64_reg reg, const uc_arm64_cp_reg* cp, void* user,
                   bool write) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  const uint32_t id = a64::sysreg(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
  const PcSource pc(
      [](const void* c) { return read_reg(static_cast<const EmuCpu*>(c)->uc, UC_ARM64_REG_PC); },
      &cpu);
  VcpuExit e;
  e.kind = write ? ExitKind::kSysRegWrite : ExitKind::kSysRegRead;
  e.addr = id;
  e.size = 8;
  if (write) e.value = cp->val;
  const ExitAction action = cpu.exits.handle(cpu.cpu_id, e, pc);
  if (action == ExitAction::kNotHandled) return 0;
  // The destination is xN (or xzr, which Unicorn names as UC_ARM64_REG_XZR and ignores).
  if (!write && action == ExitAction::kResume) write_reg(uc, reg, e.value);
  after_chip_access(cpu);
  write_reg(uc, UC_ARM64_REG_PC, read_reg(uc, UC_ARM64_REG_PC) + 4);
  stop_if_vm_stopped(cpu);
  return 1;
}

uint32_t on_mrs(uc_engine* uc, uc_arm64_reg reg, const uc_arm64_cp_reg* cp, void* user) {
  return on_sysreg(uc, reg, cp, user, false);
}

uint32_t on_msr(uc_engine* uc, uc_arm64_reg reg, const uc_arm64_cp_reg* cp, void* user) {
  return on_sysreg(uc, reg, cp, user, true);
}

// The guest-physical address of `va` as the vCPU maps it now, if that is RAM (where Unicorn can
// have translated code from).
std::optional<uint64_t> code_address(EmuCpu& cpu, uint64_t va) {
  const std::optional<uint64_t> pa = translate(cpu, va, ram_table_reader(cpu.address_space));
  if (!pa) return std::nullopt;
  const Region* r = cpu.address_space.find(Gpa(*pa));
  if (r == nullptr || r->kind != RegionKind::kRam) return std::nullopt;
  return pa;
}

// SYS instructions (op0 = 1) that the architecture broadcasts to the other PEs of the Inner
// or Outer Shareable domain (Arm ARM D8.13 TLB maintenance; D7.5.9 instruction cache
// maintenance): QEMU performs them on this engine only, so the other vCPUs' engines are asked
// to do the same before they run again (emu_coherence.h). Returns 0: QEMU still executes the
// instruction here.
uint32_t on_sys(uc_engine* /*uc*/, uc_arm64_reg /*reg*/, const uc_arm64_cp_reg* cp, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  constexpr uint64_t kAll = ~uint64_t{0};
  // TLBI: CRn = 8. CRm 7 and 6 (range) and 4 (EL2 IPA, local) are this PE only; CRm 3 and 2
  // (range) are Inner Shareable, 1 and 5 (range) Outer Shareable, 0 the IS IPA operations.
  if (cp->crn == 8 && cp->crm != 7 && cp->crm != 6 && cp->crm != 4)
    flush_peers(cpu, kAll, kFlushTlb);
  // IC IALLUIS (op1 0, CRn 7, CRm 1, op2 0) and IC IVAU (op1 3, CRn 7, CRm 5, op2 1; to the
  // Point of Unification, which covers every PE of the Inner Shareable domain).
  const bool ic_alluis = cp->op1 == 0 && cp->crn == 7 && cp->crm == 1 && cp->op2 == 0;
  const bool ic_ivau = cp->op1 == 3 && cp->crn == 7 && cp->crm == 5 && cp->op2 == 1;
  if (ic_ivau) {
    // The line's VA (in Xt, cp->val) as this PE maps it: the others drop only that page.
    const std::optional<uint64_t> pa = code_address(cpu, cp->val);
    if (pa) {
      flush_peers_code(cpu, kAll, *pa);
      return 0;
    }
  }
  if (ic_alluis || ic_ivau) flush_peers(cpu, kAll, kFlushTranslations);
  return 0;
}

// Returns false if the UDF at `pc` is not a semihosting call.
bool semihosting(EmuCpu& cpu, uint64_t pc) {
  uint32_t insn = 0;
  // Read as guest-physical addresses (2.1.1 has no uc_vmem_read): semihosting works with the
  // MMU off or identity-mapped (README.md).
  if (uc_mem_read(cpu.uc, pc, &insn, sizeof insn) != UC_ERR_OK || insn != kHltSemihosting) {
    return false;
  }
  const uint64_t op = read_reg(cpu.uc, UC_ARM64_REG_X0) & 0xffffffff;
  const uint64_t param = read_reg(cpu.uc, UC_ARM64_REG_X1);
  if (op == kSysExit || op == kSysExitExtended) {
    uint64_t block[2] = {};  // {reason, subcode}
    if (uc_mem_read(cpu.uc, param, block, sizeof block) != UC_ERR_OK) {
      fault(cpu, "semihosting SYS_EXIT with an unreadable parameter block", param, pc);
      return true;
    }
    // As QEMU: the application's code for ApplicationExit, 1 for any other (abnormal) reason.
    const int status = block[0] == kAdpStoppedApplicationExit ? static_cast<int>(block[1]) : 1;
    VcpuExit e;
    e.kind = ExitKind::kSystemDown;
    e.value = static_cast<uint64_t>(status);
    e.pc = pc;
    cpu.exits.handle(cpu.cpu_id, e);
    stop_if_vm_stopped(cpu);
    return true;
  }
  // Other operations are not provided: return -1 (the spec's failure value) and continue.
  write_reg(cpu.uc, UC_ARM64_REG_X0, ~uint64_t{0});
  write_reg(cpu.uc, UC_ARM64_REG_PC, pc + 4);
  return true;
}

const char* exception_name(uint32_t intno) {
  switch (intno) {
    case kExcpUdef: return "undefined instruction";
    case kExcpSvc: return "supervisor call (SVC)";
    case kExcpPrefetchAbort: return "instruction abort";
    case kExcpDataAbort: return "data abort";
    case kExcpBkpt: return "breakpoint (BRK)";
    default: return "exception";
  }
}

void report_exception(EmuCpu& cpu, uint32_t intno, uint64_t pc) {
  const char* what = exception_name(intno);
  uint64_t addr = pc;
  if constexpr (kArm64SyndromeOnlyInContext) {
    if (Result<A64Syndrome> s = read_a64_syndrome(cpu.uc, cpu.context)) {
      const aarch64::Ec ec = aarch64::esr_ec(s->esr);
      if (ec == aarch64::Ec::kDataAbortSame || ec == aarch64::Ec::kDataAbortLower ||
          ec == aarch64::Ec::kInstAbortSame || ec == aarch64::Ec::kInstAbortLower) {
        addr = s->far;
      }
      std::snprintf(cpu.reason, sizeof cpu.reason, "%s (ESR %#x)", what, s->esr);
      what = cpu.reason;
    }
  }
  fault(cpu, what, addr, pc);
}

// The guest's own exception, to its vectors: SVC returns to the next instruction (where
// Unicorn leaves the PC), the others to the instruction itself.
bool deliver(EmuCpu& cpu, uint32_t intno, uint64_t pc) {
  if constexpr (!kArm64SyndromeOnlyInContext) return false;
  const Result<A64Syndrome> s = read_a64_syndrome(cpu.uc, cpu.context);
  if (!s) return false;
  return deliver_a64_sync(cpu, intno == kExcpSvc ? pc + 4 : pc, *s);
}

void on_intr(uc_engine* uc, uint32_t intno, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  // UNICORN.md section 2: SVC, HVC and SMC leave PC after the instruction (it completed), the
  // others on it (it runs again once the guest handled the exception). A PC read costs ~40 host
  // instructions: only --icount reads it for a hypercall.
  if (cpu.counting) icount_cut(cpu, read_reg(uc, UC_ARM64_REG_PC), false);
  if (intno == kExcpHvc || intno == kExcpSmc) return hypercall(cpu);
  uint64_t pc = read_reg(uc, UC_ARM64_REG_PC);
  if (intno == kExcpSvc) pc -= 4;
  if (intno == kExcpUdef && semihosting(cpu, pc)) return;
  const bool guests_own = intno == kExcpUdef || intno == kExcpSvc || intno == kExcpPrefetchAbort ||
                          intno == kExcpDataAbort || intno == kExcpBkpt;
  if (guests_own && deliver(cpu, intno, pc)) return;
  report_exception(cpu, intno, pc);
}

Result<void> configure(EmuCpu& cpu) {
  // Must precede every call that initialises the engine (UNICORN.md section 1).
  if (uc_ctl_set_cpu_model(cpu.uc, UC_CPU_ARM64_A72) != UC_ERR_OK) return Error(Status::kBackend);
  if constexpr (kArm64NeedsScrHcrSetup) {
    if (write_sysreg(cpu.uc, a64::SCR_EL3, kScrEl3) != UC_ERR_OK ||
        write_sysreg(cpu.uc, a64::HCR_EL2, kHcrEl2) != UC_ERR_OK) {
      return Error(Status::kBackend);
    }
  }
  if constexpr (kArm64SyndromeOnlyInContext) {
    if (uc_context_alloc(cpu.uc, &cpu.context) != UC_ERR_OK) return Error(Status::kNoMemory);
    // Calibrate now (once per process) rather than inside the first fault's hook.
    if (!a64_syndrome_offset())
      TLOG_DEBUG("emu: syndrome offset not found; faults name intno only");
  }
  uc_hook h;
  if (uc_hook_add(cpu.uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(on_intr), &cpu, 1, 0) !=
      UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  // VMPIDR_EL2, what EL1 reads as MPIDR_EL1: Aff0 = vCPU index (QEMU virt's numbering for up
  // to 8 CPUs per cluster, which PSCI CPU_ON targets use).
  if (write_sysreg(cpu.uc, a64::VMPIDR_EL2, a64::MPIDR_RES1 | cpu.cpu_id) != UC_ERR_OK)
    return Error(Status::kBackend);
  // System-register traps only where a chip implements registers: the hooks cost a call on
  // every MRS/MSR the guest runs.
  if (cpu.chip != nullptr) {
    if (uc_hook_add(cpu.uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(on_mrs), &cpu, 1, 0,
                    UC_ARM64_INS_MRS) != UC_ERR_OK ||
        uc_hook_add(cpu.uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(on_msr), &cpu, 1, 0,
                    UC_ARM64_INS_MSR) != UC_ERR_OK) {
      return Error(Status::kBackend);
    }
  }
  if (cpu.cpu_count > 1 && uc_hook_add(cpu.uc, &h, UC_HOOK_INSN, reinterpret_cast<void*>(on_sys),
                                       &cpu, 1, 0, UC_ARM64_INS_SYS) != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  return ok();
}

// Linux arm64 boot protocol (Documentation/arch/arm64/booting.rst): x0 = DTB, x1..x3 = 0,
// entered with the MMU off. Unicorn starts at EL1h with DAIF masked, which is what it asks.
Result<void> load_boot(EmuCpu& cpu, const BootState& boot) {
  static constexpr int kRegs[6] = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
                                   UC_ARM64_REG_X3, UC_ARM64_REG_SP, UC_ARM64_REG_PC};
  uint64_t values[6] = {boot.args[0], boot.args[1], boot.args[2], boot.args[3], boot.sp, boot.pc};
  void* ptrs[6];
  for (int i = 0; i < 6; ++i) ptrs[i] = &values[i];
  if (uc_reg_write_batch(cpu.uc, const_cast<int*>(kRegs), ptrs, 6) != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  return ok();
}

int gpr(unsigned n) {
  if (n <= 28) return UC_ARM64_REG_X0 + static_cast<int>(n);
  if (n == 29) return UC_ARM64_REG_X29;
  if (n == 30) return UC_ARM64_REG_X30;
  return -1;
}

}  // namespace

const ArchOps kAarch64Ops = {
    .uc_arch_id = UC_ARCH_ARM64,
    .uc_mode_id = UC_MODE_ARM,
    .pc_reg = UC_ARM64_REG_PC,
    .halt_size = 4,
    .configure = configure,
    .load_boot = load_boot,
    .gpr = gpr,
    .set_lines = set_lines,
    .watched_block = finish_a64_sync_from_el0,
    .drop_translations = drop_a64_translations,
    .drop_code_pages = drop_a64_code_pages,
};

}  // namespace tandem::emu
