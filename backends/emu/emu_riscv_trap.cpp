// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_riscv_trap.h"

#include <cstring>
#include <optional>
#include <vector>

#include "backends/emu/emu_code_buffer.h"
#include "backends/emu/emu_riscv_mip.h"
#include "backends/emu/emu_riscv_walk.h"

namespace tandem::emu {
namespace {

constexpr uint64_t kPrivU = 0;
constexpr uint64_t kPrivS = 1;

constexpr uint64_t kBase = 0x10000;
constexpr uint32_t kLrD = 0x100532af;  // riscv64-linux-gnu-as: lr.d t0, (a0)
constexpr uint32_t kCauseLoadMisaligned = 4;
// Two misaligned addresses on the mapped page: the field must hold each in turn.
constexpr uint64_t kProbes[] = {kBase + 0x103, kBase + 0x2a5};
constexpr size_t kSteps = sizeof(kProbes) / sizeof(kProbes[0]);

struct Probe {
  uc_context* ctx = nullptr;
  size_t size = 0;
  std::vector<uint8_t> snaps[kSteps];
  size_t taken = 0;
  bool misaligned = true;  // every trap was a misaligned load
};

void on_intr(uc_engine* uc, uint32_t intno, void* user) {
  auto* p = static_cast<Probe*>(user);
  p->misaligned = p->misaligned && intno == kCauseLoadMisaligned;
  // a0 holds the address too: cleared, so only the fault-address field matches.
  const uint64_t zero = 0;
  uc_reg_write(uc, UC_RISCV_REG_A0, &zero);
  if (p->taken < kSteps && uc_context_save(uc, p->ctx) == UC_ERR_OK) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(p->ctx);
    p->snaps[p->taken++].assign(bytes, bytes + p->size);
  }
  uc_emu_stop(uc);
}

uint64_t load64(const std::vector<uint8_t>& snap, size_t off) {
  uint64_t v;
  std::memcpy(&v, snap.data() + off, sizeof v);
  return v;
}

Result<size_t> search(const Probe& p) {
  size_t found = 0;
  unsigned matches = 0;
  // The context's header is 20 bytes in 2.1.1, so 8-byte fields sit at 4-byte offsets.
  for (size_t off = 0; off + 8 <= p.size; off += 4) {
    bool all = true;
    for (size_t i = 0; i < kSteps; ++i) all = all && load64(p.snaps[i], off) == kProbes[i];
    if (all) {
      found = off;
      ++matches;
    }
  }
  if (matches != 1) return Error(Status::kUnsupported);
  return found;
}

Result<size_t> calibrate() {
  uc_engine* uc = nullptr;
  if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK) return Error(Status::kBackend);
  Probe p;
  Result<size_t> result = Error(Status::kUnsupported);
  uc_hook hook = 0;
  const bool ready =
      uc_ctl_set_tcg_buffer_size(uc, kScratchBufferBytes) == UC_ERR_OK &&
      uc_mem_map(uc, kBase, 0x1000, UC_PROT_ALL) == UC_ERR_OK &&
      uc_mem_write(uc, kBase, &kLrD, sizeof kLrD) == UC_ERR_OK &&
      uc_context_alloc(uc, &p.ctx) == UC_ERR_OK &&
      uc_hook_add(uc, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(on_intr), &p, 1, 0) == UC_ERR_OK;
  if (ready) {
    p.size = uc_context_size(uc);
    for (const uint64_t address : kProbes) {
      uc_reg_write(uc, UC_RISCV_REG_A0, &address);
      uc_emu_start(uc, kBase, 0, 0, 1);  // the load traps; the hook stops the engine
    }
    if (p.taken == kSteps && p.misaligned) result = search(p);
  }
  if (p.ctx != nullptr) uc_context_free(p.ctx);
  uc_close(uc);
  return result;
}

uint64_t reg(uc_engine* uc, int id) {
  uint64_t v = 0;
  uc_reg_read(uc, id, &v);
  return v;
}

bool put(uc_engine* uc, int id, uint64_t v) { return uc_reg_write(uc, id, &v) == UC_ERR_OK; }

}  // namespace

Result<size_t> riscv_badaddr_offset() {
  static const Result<size_t> offset = calibrate();
  return offset;
}

Result<RiscvTrapInfo> riscv_trap_info(uc_engine* uc, uc_context* ctx) {
  const size_t priv = TRY(riscv_priv_offset());
  const size_t badaddr = TRY(riscv_badaddr_offset());
  if (ctx == nullptr || priv + 8 > uc_context_size(uc) || badaddr + 8 > uc_context_size(uc))
    return Error(Status::kUnsupported);
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return Error(Status::kBackend);
  const auto* bytes = reinterpret_cast<const uint8_t*>(ctx);
  RiscvTrapInfo info;
  std::memcpy(&info.priv, bytes + priv, sizeof info.priv);
  std::memcpy(&info.badaddr, bytes + badaddr, sizeof info.badaddr);
  return info;
}

Result<void> riscv_enter_supervisor(uc_engine* uc, uc_context* ctx, riscv64::Priv from, uint64_t pc,
                                    riscv64::Exception cause, uint64_t tval) {
  // Host CSR accesses are checked against the engine's privilege (emu_riscv_mip.h): from U,
  // the S-mode CSRs below are reachable only once the engine is at S, where the trap puts it.
  if (from == riscv64::Priv::kUser) {
    const uint64_t was = TRY(riscv_set_priv(uc, ctx, kPrivS));
    if (was != kPrivU) return Error(Status::kBackend);
  }
  riscv64::SupervisorTrap t{};
  if (!riscv64::enter_supervisor(reg(uc, UC_RISCV_REG_SSTATUS), from, pc,
                                 reg(uc, UC_RISCV_REG_STVEC), cause, tval, t)) {
    return Error(Status::kUnsupported);
  }
  // A vector the guest cannot fetch from would take the same fault again at once, forever (a
  // guest that never set stvec, or whose tables do not map it).
  const std::optional<uint64_t> vector = riscv_fetch_address(uc, t.pc);
  uint16_t first = 0;
  if (!vector || uc_mem_read(uc, *vector, &first, sizeof first) != UC_ERR_OK)
    return Error(Status::kNotMapped);
  const bool written = put(uc, UC_RISCV_REG_SSTATUS, t.sstatus) &&
                       put(uc, UC_RISCV_REG_SCAUSE, t.scause) &&
                       put(uc, UC_RISCV_REG_SEPC, t.sepc) && put(uc, UC_RISCV_REG_STVAL, t.stval);
  if (!written || reg(uc, UC_RISCV_REG_SCAUSE) != t.scause || reg(uc, UC_RISCV_REG_SEPC) != t.sepc)
    return Error(Status::kBackend);
  return put(uc, UC_RISCV_REG_PC, t.pc) ? ok() : Error(Status::kBackend);
}

}  // namespace tandem::emu
