// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_translate.h"

#include "backends/emu/emu_cpu.h"
#include "core/arch/aarch64/stage1_walk.h"
#include "core/arch/riscv64/sv_walk.h"
#include "core/arch/x86_64/page_walk.h"

namespace tandem::emu {
namespace {

uint64_t a64_sysreg(uc_engine* uc, uint32_t crn, uint32_t crm, uint32_t op2) {
  uc_arm64_cp_reg r{crn, crm, 3, 0, op2, 0};
  uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r);
  return r.val;
}

}  // namespace

std::optional<uint64_t> translate(EmuCpu& cpu, uint64_t va, const TableReader& read) {
  switch (cpu.ops->uc_arch_id) {
    case UC_ARCH_ARM64: {
      const aarch64::Stage1Regs r{a64_sysreg(cpu.uc, 1, 0, 0), a64_sysreg(cpu.uc, 2, 0, 2),
                                  read_reg(cpu.uc, UC_ARM64_REG_TTBR0_EL1),
                                  read_reg(cpu.uc, UC_ARM64_REG_TTBR1_EL1)};
      return aarch64::stage1_translate(r, va, read);
    }
    case UC_ARCH_RISCV:
      // The host reads what the guest's supervisor mode sees (the trampoline that enters it
      // runs in M-mode with satp = 0, where this is `va` too).
      return riscv64::sv_translate(read_reg(cpu.uc, UC_RISCV_REG_SATP), va, riscv64::SvAccess::kAny,
                                   read);
    case UC_ARCH_X86: {
      const x86_64::PagingRegs r{read_reg(cpu.uc, UC_X86_REG_CR0), read_reg(cpu.uc, UC_X86_REG_CR3),
                                 read_reg(cpu.uc, UC_X86_REG_CR4)};
      return x86_64::translate(r, va, read);
    }
    default: return std::nullopt;
  }
}

}  // namespace tandem::emu
