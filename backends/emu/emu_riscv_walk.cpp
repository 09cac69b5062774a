// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_riscv_walk.h"

#include "backends/emu/emu_cpu.h"
#include "core/arch/riscv64/sv_walk.h"

namespace tandem::emu {
namespace {

// Table reads through the engine, as Unicorn's own walk does them (a table inside a device
// region is read through its MMIO callback: backends/emu/README.md).
TableReader engine_table_reader(uc_engine* uc) {
  return TableReader{[](void* ctx, uint64_t pa, uint64_t& value) {
                       return uc_mem_read(static_cast<uc_engine*>(ctx), pa, &value, sizeof value) ==
                              UC_ERR_OK;
                     },
                     uc};
}

}  // namespace

std::optional<uint64_t> riscv_fetch_address(uc_engine* uc, uint64_t va) {
  return riscv64::sv_translate(read_reg(uc, UC_RISCV_REG_SATP), va, riscv64::SvAccess::kFetch,
                               engine_table_reader(uc));
}

}  // namespace tandem::emu
