// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_riscv_mip.h"

#include <cstring>
#include <vector>

namespace tandem::emu {
namespace {

constexpr uint64_t kPrivS = 1;
constexpr uint64_t kPrivM = 3;
constexpr uint64_t kBase = 0x1000;
constexpr uint32_t kMret = 0x30200073;
constexpr uint64_t kMstatusMppS = 1ull << 11;

uint64_t load64(const uint8_t* p, size_t off) {
  uint64_t v;
  std::memcpy(&v, p + off, sizeof v);
  return v;
}

std::vector<uint8_t> snapshot(uc_engine* uc, uc_context* ctx, size_t size) {
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return {};
  const auto* bytes = reinterpret_cast<const uint8_t*>(ctx);
  return {bytes, bytes + size};
}

// Saves a context in M-mode and one after an mret to S-mode; `priv` is the one 8-byte field
// that reads 3 then 1 and whose patching lets a host write of mip.STIP stick.
Result<size_t> calibrate() {
  uc_engine* uc = nullptr;
  if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK) return Error(Status::kBackend);
  uc_context* ctx = nullptr;
  Result<size_t> result = Error(Status::kUnsupported);
  uint64_t mstatus = kMstatusMppS, mepc = kBase + 0x100;
  if (uc_mem_map(uc, kBase, 0x1000, UC_PROT_ALL) == UC_ERR_OK &&
      uc_mem_write(uc, kBase, &kMret, sizeof kMret) == UC_ERR_OK &&
      uc_context_alloc(uc, &ctx) == UC_ERR_OK &&
      uc_reg_write(uc, UC_RISCV_REG_MSTATUS, &mstatus) == UC_ERR_OK &&
      uc_reg_write(uc, UC_RISCV_REG_MEPC, &mepc) == UC_ERR_OK) {
    const size_t size = uc_context_size(uc);
    const std::vector<uint8_t> m_mode = snapshot(uc, ctx, size);
    uc_emu_start(uc, kBase, mepc, 0, 0);
    const std::vector<uint8_t> s_mode = snapshot(uc, ctx, size);
    for (size_t off = 0; off + 8 <= size && m_mode.size() == size && s_mode.size() == size;
         off += 8) {
      if (load64(m_mode.data(), off) != kPrivM || load64(s_mode.data(), off) != kPrivS) continue;
      // Check the candidate: at M, a mip write sticks and reads back.
      uint64_t stip = 1u << 5, back = 0, zero = 0;
      auto* bytes = reinterpret_cast<uint8_t*>(ctx);
      std::memcpy(bytes, s_mode.data(), size);
      std::memcpy(bytes + off, &kPrivM, 8);
      uc_context_restore(uc, ctx);
      uc_reg_write(uc, UC_RISCV_REG_MIP, &stip);
      uc_reg_read(uc, UC_RISCV_REG_MIP, &back);
      uc_reg_write(uc, UC_RISCV_REG_MIP, &zero);
      std::memcpy(bytes, s_mode.data(), size);
      uc_context_restore(uc, ctx);
      if (back == stip) {
        result = off;
        break;
      }
    }
  }
  if (ctx != nullptr) uc_context_free(ctx);
  uc_close(uc);
  return result;
}

Result<size_t> priv_offset() {
  static const Result<size_t> offset = calibrate();
  return offset;
}

bool set_priv(uc_engine* uc, uc_context* ctx, size_t off, uint64_t priv, uint64_t* old) {
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return false;
  auto* bytes = reinterpret_cast<uint8_t*>(ctx);
  if (old != nullptr) std::memcpy(old, bytes + off, 8);
  std::memcpy(bytes + off, &priv, 8);
  return uc_context_restore(uc, ctx) == UC_ERR_OK;
}

}  // namespace

Result<void> riscv_update_mip(uc_engine* uc, uc_context* ctx, uint64_t mask, uint64_t bits) {
  Result<size_t> off = priv_offset();
  if (!off) return Error(off.error());
  uint64_t priv = 0;
  if (!set_priv(uc, ctx, *off, kPrivM, &priv)) return Error(Status::kBackend);
  uint64_t mip = 0;
  uc_reg_read(uc, UC_RISCV_REG_MIP, &mip);
  mip = (mip & ~mask) | (bits & mask);
  uc_reg_write(uc, UC_RISCV_REG_MIP, &mip);
  if (!set_priv(uc, ctx, *off, priv, nullptr)) return Error(Status::kBackend);
  return ok();
}

}  // namespace tandem::emu
