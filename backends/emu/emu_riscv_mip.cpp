// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_riscv_mip.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

namespace tandem::emu {
namespace {

constexpr uint64_t kPrivS = 1;
constexpr uint64_t kPrivM = 3;
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

// The calibrated offset: unset until the first search, then its result. A found offset is
// also published in g_found (0 until then: the context's header comes first, so 0 is never
// the field's offset), which every trap reads without taking the mutex.
std::optional<Result<size_t>> g_offset;
std::mutex g_offset_mutex;
std::atomic<size_t> g_found{0};

Result<size_t> search(uc_engine* uc, uc_context* ctx, const std::vector<uint8_t>& m_mode) {
  const std::vector<uint8_t> s_mode = riscv_context_bytes(uc, ctx);
  if (m_mode.size() != s_mode.size() || s_mode.empty()) return Error(Status::kBackend);
  size_t found = 0;
  unsigned matches = 0;
  for (size_t off = 0; off + 8 <= s_mode.size(); off += kStep) {
    if (load64(m_mode.data(), off) != kPrivM || load64(s_mode.data(), off) != kPrivS) continue;
    // A wrong candidate is patched back to 1 by verify(); a right one leaves the engine at S.
    if (verify(uc, ctx, off)) {
      found = off;
      ++matches;
    }
  }
  if (matches != 1) return Error(Status::kUnsupported);
  return found;
}

}  // namespace

Result<size_t> riscv_priv_offset() {
  if (const size_t off = g_found.load(std::memory_order_acquire); off != 0) return off;
  std::lock_guard lock(g_offset_mutex);
  if (!g_offset) return Error(Status::kUnsupported);
  return *g_offset;
}

Result<uint64_t> riscv_set_priv(uc_engine* uc, uc_context* ctx, uint64_t priv) {
  const size_t off = TRY(riscv_priv_offset());
  uint64_t old = 0;
  if (!set_priv(uc, ctx, off, priv, &old)) return Error(Status::kBackend);
  return old;
}

std::vector<uint8_t> riscv_context_bytes(uc_engine* uc, uc_context* ctx) {
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return {};
  const auto* bytes = reinterpret_cast<const uint8_t*>(ctx);
  return {bytes, bytes + uc_context_size(uc)};
}

Result<void> riscv_find_priv(uc_engine* uc, uc_context* ctx, const std::vector<uint8_t>& m_mode) {
  std::lock_guard lock(g_offset_mutex);
  if (!g_offset) g_offset = search(uc, ctx, m_mode);
  const size_t off = TRY(*g_offset);
  g_found.store(off, std::memory_order_release);
  return ok();
}

Result<void> riscv_update_mip(uc_engine* uc, uc_context* ctx, uint64_t mask, uint64_t bits) {
  const uint64_t priv = TRY(riscv_set_priv(uc, ctx, kPrivM));
  const uint64_t want = (reg(uc, UC_RISCV_REG_MIP) & ~mask) | (bits & mask);
  put(uc, UC_RISCV_REG_MIP, want);
  const bool taken = reg(uc, UC_RISCV_REG_MIP) == want;
  if (!riscv_set_priv(uc, ctx, priv) || !taken) return Error(Status::kBackend);
  return ok();
}

}  // namespace tandem::emu
