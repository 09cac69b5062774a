// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_a64_code_drop.h"

#include "backends/emu/emu_cpu.h"
#include "core/arch/aarch64/exception_entry.h"

namespace tandem::emu {
namespace {

// SCTLR_EL1 (op0 3, op1 0, CRn 1, CRm 0, op2 0; Arm ARM D17.2.118); bit 0 is M, the stage 1
// MMU enable of the EL1&0 regime.
constexpr uc_arm64_cp_reg kSctlrEl1{1, 0, 3, 0, 0, 0};
constexpr uint64_t kSctlrM = 1;

// Runs `drop` (returning false if a uc_ctl_remove_cache failed) with the engine's stage 1 off.
// False if the engine is not in the EL1&0 regime or the drop failed.
template <typename Drop>
bool drop_with_stage1_off(EmuCpu& cpu, Drop drop) {
  uc_engine* uc = cpu.uc;
  const uint64_t pstate = read_reg(uc, UC_ARM64_REG_PSTATE);
  const uint64_t el = (pstate & aarch64::PSTATE_M_MASK) >> 2;
  if ((pstate & aarch64::PSTATE_nRW) != 0 || el > 1) return false;
  uc_arm64_cp_reg sctlr = kSctlrEl1;
  if (uc_reg_read(uc, UC_ARM64_REG_CP_REG, &sctlr) != UC_ERR_OK) return false;
  const uint64_t saved = sctlr.val;
  sctlr.val = saved & ~kSctlrM;
  if (uc_reg_write(uc, UC_ARM64_REG_CP_REG, &sctlr) != UC_ERR_OK) return false;
  uc_ctl_flush_tlb(uc);
  const bool dropped = drop();
  sctlr.val = saved;
  const bool restored = uc_reg_write(uc, UC_ARM64_REG_CP_REG, &sctlr) == UC_ERR_OK;
  uc_ctl_flush_tlb(uc);
  return restored && dropped;
}

}  // namespace

bool drop_a64_code_pages(EmuCpu& cpu, const uint64_t* pages, unsigned count) {
  return drop_with_stage1_off(cpu, [&cpu, pages, count] {
    for (unsigned i = 0; i < count; ++i)
      if (uc_ctl_remove_cache(cpu.uc, pages[i], pages[i] + kCodePageSize) != UC_ERR_OK)
        return false;
    return true;
  });
}

void drop_a64_translations(EmuCpu& cpu) {
  if (!drop_with_stage1_off(cpu, [&cpu] { return remove_ram_translations(cpu); }))
    cpu.code.drop(cpu.uc);
}

}  // namespace tandem::emu
