// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_riscv_mip.h"

#include <cstring>
#include <vector>

namespace tandem::emu {
namespace {

constexpr uint64_t kPrivS = 1;
constexpr uint64_t kPrivM = 3;
constexpr uint64_t kBase = 0x1000;
constexpr uint32_t kMret = 0x30200073;  // riscv64-linux-gnu-as: mret
constexpr uint64_t kMstatusMppS = 1ull << 11;
constexpr uint64_t kMipStip = 1ull << 5;
constexpr uint64_t kScratchAtM = 0x5a5a'1234'8765'a5a5;
constexpr uint64_t kScratchAtS = 0x0bad'0bad'0bad'0bad;
// uc_context's header before the CPU state is not 8-byte aligned in 2.1.1 (20 bytes), so
// candidates are tried at every 4-byte offset.
constexpr size_t kStep = 4;

uint64_t load64(const uint8_t* p, size_t off) {
  uint64_t v;
  std::memcpy(&v, p + off, sizeof v);
  return v;
}

uint64_t reg(uc_engine* uc, int id) {
  uint64_t v = 0;
  uc_reg_read(uc, id, &v);
  return v;
}

void put(uc_engine* uc, int id, uint64_t v) { uc_reg_write(uc, id, &v); }

std::vector<uint8_t> snapshot(uc_engine* uc, uc_context* ctx, size_t size) {
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return {};
  const auto* bytes = reinterpret_cast<const uint8_t*>(ctx);
  return {bytes, bytes + size};
}

bool set_priv(uc_engine* uc, uc_context* ctx, size_t off, uint64_t priv, uint64_t* old) {
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return false;
  auto* bytes = reinterpret_cast<uint8_t*>(ctx);
  if (old != nullptr) std::memcpy(old, bytes + off, 8);
  std::memcpy(bytes + off, &priv, 8);
  return uc_context_restore(uc, ctx) == UC_ERR_OK;
}

// Does the field at `off` decide the privilege of host CSR accesses? The engine is in S-mode.
bool verify(uc_engine* uc, uc_context* ctx, size_t off) {
  if (!set_priv(uc, ctx, off, kPrivM, nullptr)) return false;
  put(uc, UC_RISCV_REG_MSCRATCH, kScratchAtM);
  put(uc, UC_RISCV_REG_MIP, kMipStip);
  const bool m_writes =
      reg(uc, UC_RISCV_REG_MSCRATCH) == kScratchAtM && (reg(uc, UC_RISCV_REG_MIP) & kMipStip) != 0;
  put(uc, UC_RISCV_REG_MIP, 0);
  // Back at S, a write of an M-mode CSR must be dropped (reads at S are not checked: Unicorn
  // returns an uninitialised value for them).
  if (!set_priv(uc, ctx, off, kPrivS, nullptr)) return false;
  put(uc, UC_RISCV_REG_MSCRATCH, kScratchAtS);
  if (!set_priv(uc, ctx, off, kPrivM, nullptr)) return false;
  const bool s_dropped = reg(uc, UC_RISCV_REG_MSCRATCH) == kScratchAtM;
  put(uc, UC_RISCV_REG_MSCRATCH, 0);
  return set_priv(uc, ctx, off, kPrivS, nullptr) && m_writes && s_dropped;
}

// Saves a context in M-mode and one after an mret to S-mode, then verifies each 8-byte field that
// reads 3 then 1.
Result<size_t> calibrate() {
  uc_engine* uc = nullptr;
  if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK) return Error(Status::kBackend);
  uc_context* ctx = nullptr;
  size_t found = 0;
  unsigned matches = 0;
  uint64_t mstatus = kMstatusMppS, mepc = kBase + 0x100;
  if (uc_mem_map(uc, kBase, 0x1000, UC_PROT_ALL) == UC_ERR_OK &&
      uc_mem_write(uc, kBase, &kMret, sizeof kMret) == UC_ERR_OK &&
      uc_context_alloc(uc, &ctx) == UC_ERR_OK &&
      uc_reg_write(uc, UC_RISCV_REG_MSTATUS, &mstatus) == UC_ERR_OK &&
      uc_reg_write(uc, UC_RISCV_REG_MEPC, &mepc) == UC_ERR_OK) {
    const size_t size = uc_context_size(uc);
    const std::vector<uint8_t> m_mode = snapshot(uc, ctx, size);
    const bool entered =
        uc_emu_start(uc, kBase, mepc, 0, 0) == UC_ERR_OK && reg(uc, UC_RISCV_REG_PC) == mepc;
    const std::vector<uint8_t> s_mode = snapshot(uc, ctx, size);
    for (size_t off = 0;
         entered && off + 8 <= size && m_mode.size() == size && s_mode.size() == size;
         off += kStep) {
      if (load64(m_mode.data(), off) != kPrivM || load64(s_mode.data(), off) != kPrivS) continue;
      // A wrong candidate is patched back to 1 by verify(); a right one leaves the engine at S.
      if (verify(uc, ctx, off)) {
        found = off;
        ++matches;
      }
    }
  }
  if (ctx != nullptr) uc_context_free(ctx);
  uc_close(uc);
  if (matches != 1) return Error(Status::kUnsupported);
  return found;
}

Result<size_t> priv_offset() {
  static const Result<size_t> offset = calibrate();
  return offset;
}

}  // namespace

Result<void> riscv_mip_writable() {
  TRY(priv_offset());
  return ok();
}

Result<void> riscv_update_mip(uc_engine* uc, uc_context* ctx, uint64_t mask, uint64_t bits) {
  const size_t off = TRY(priv_offset());
  uint64_t priv = 0;
  if (!set_priv(uc, ctx, off, kPrivM, &priv)) return Error(Status::kBackend);
  const uint64_t want = (reg(uc, UC_RISCV_REG_MIP) & ~mask) | (bits & mask);
  put(uc, UC_RISCV_REG_MIP, want);
  const bool taken = reg(uc, UC_RISCV_REG_MIP) == want;
  if (!set_priv(uc, ctx, off, priv, nullptr) || !taken) return Error(Status::kBackend);
  return ok();
}

}  // namespace tandem::emu
