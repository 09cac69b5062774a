// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_a64_exception.h"

#include "core/arch/aarch64/exception_entry.h"

namespace tandem::emu {
namespace {

using aarch64::ExceptionKind;

// SPSR_EL1 (op0 3, op1 0, CRn 4, CRm 0, op2 0) and SCTLR_EL1 (3, 0, 1, 0, 0): Arm ARM D17.2.
uc_arm64_cp_reg spsr_el1() { return uc_arm64_cp_reg{4, 0, 3, 0, 0, 0}; }
uc_arm64_cp_reg sctlr_el1() { return uc_arm64_cp_reg{1, 0, 3, 0, 0, 0}; }

uint64_t read_cp(uc_engine* uc, uc_arm64_cp_reg r) {
  uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r);
  return r.val;
}

}  // namespace

bool deliver_a64_sync(EmuCpu& cpu, uint64_t return_address, const A64Syndrome& s) {
  uc_engine* uc = cpu.uc;
  const uint64_t vbar = read_reg(uc, UC_ARM64_REG_VBAR_EL1);
  if (vbar == 0) return false;
  const uint64_t pstate = read_reg(uc, UC_ARM64_REG_PSTATE);
  if ((pstate & aarch64::PSTATE_nRW) != 0) return false;
  const uint64_t mode = pstate & aarch64::PSTATE_M_MASK;
  if (mode == aarch64::PSTATE_M_EL0t) {
    const aarch64::ViRedirect at = aarch64::el0_sync_via_virtual_irq(vbar);
    cpu.block_watch = at.irq_entry;
    cpu.watch_target = at.sync_entry;
    cpu.watch_esr = s.esr;
    cpu.watch_far = s.far;
    // The engine's PC is the return address already (Unicorn leaves it after an SVC, on the
    // instruction for the others): the virtual IRQ is taken there.
    (void)return_address;
    cpu.ops->set_lines(cpu, cpu.lines | cpu_irq::kIrq);
    return true;
  }
  if (mode != aarch64::PSTATE_M_EL1h) return false;
  const aarch64::El1Entry e = aarch64::enter_el1(pstate, return_address, vbar,
                                                 read_cp(uc, sctlr_el1()), ExceptionKind::kSync);
  uc_arm64_cp_reg spsr = spsr_el1();
  spsr.val = e.spsr;
  uc_reg_write(uc, UC_ARM64_REG_CP_REG, &spsr);
  write_reg(uc, UC_ARM64_REG_ELR_EL1, e.elr);
  write_reg(uc, UC_ARM64_REG_ESR_EL1, s.esr);
  write_reg(uc, UC_ARM64_REG_FAR_EL1, s.far);
  write_reg(uc, UC_ARM64_REG_PSTATE, e.pstate);
  write_reg(uc, UC_ARM64_REG_PC, e.pc);
  return true;
}

void finish_a64_sync_from_el0(EmuCpu& cpu) {
  write_reg(cpu.uc, UC_ARM64_REG_ESR_EL1, cpu.watch_esr);
  write_reg(cpu.uc, UC_ARM64_REG_FAR_EL1, cpu.watch_far);
  cpu.ops->set_lines(cpu, cpu.lines);  // the chip's own lines again
  write_reg(cpu.uc, UC_ARM64_REG_PC, cpu.watch_target);
}

}  // namespace tandem::emu
