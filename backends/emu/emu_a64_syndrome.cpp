// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_a64_syndrome.h"

#include <cstring>
#include <vector>

#include "backends/emu/emu_code_buffer.h"
#include "core/arch/aarch64/esr.h"

namespace tandem::emu {
namespace {

constexpr uint64_t kBase = 0x10000;
constexpr uint64_t kUnaligned = kBase + 0x103;
// Encodings from aarch64-linux-gnu-as; the ESRs they raise are in the comments.
constexpr uint32_t kCode[] = {
    0xd4024681,  // svc  #0x1234   ESR 0x56001234 (EC 0x15, IL, imm16)
    0xd40acf01,  // svc  #0x5678   ESR 0x56005678
    0xc85f7c01,  // ldxr x1, [x0]  x0 unaligned: data abort, alignment fault, FAR = x0
};
constexpr size_t kSteps = sizeof(kCode) / sizeof(kCode[0]);

struct Probe {
  uc_context* ctx = nullptr;
  size_t size = 0;
  std::vector<uint8_t> snaps[kSteps];
  size_t taken = 0;
};

void on_intr(uc_engine* uc, uint32_t /*intno*/, void* user) {
  auto* p = static_cast<Probe*>(user);
  if (p->taken < kSteps && uc_context_save(uc, p->ctx) == UC_ERR_OK) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(p->ctx);
    p->snaps[p->taken++].assign(bytes, bytes + p->size);
  }
  uc_emu_stop(uc);
}

template <class T>
T load(const std::vector<uint8_t>& snap, size_t off) {
  T v;
  std::memcpy(&v, snap.data() + off, sizeof v);
  return v;
}

Result<size_t> search(const Probe& p) {
  size_t found = 0;
  unsigned matches = 0;
  for (size_t off = 0; off + 16 <= p.size; off += 4) {
    if (load<uint32_t>(p.snaps[0], off) == 0x56001234 &&
        load<uint32_t>(p.snaps[1], off) == 0x56005678 &&
        aarch64::esr_ec(load<uint32_t>(p.snaps[2], off)) == aarch64::Ec::kDataAbortSame &&
        load<uint64_t>(p.snaps[2], off + 8) == kUnaligned) {
      found = off;
      ++matches;
    }
  }
  if (matches != 1) return Error(Status::kUnsupported);
  return found;
}

Result<size_t> calibrate() {
  uc_engine* uc = nullptr;
  if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK) return Error(Status::kBackend);
  Probe p;
  Result<size_t> result = Error(Status::kUnsupported);
  uc_hook hook = 0;
  uint64_t x0 = kUnaligned;
  bool ready =
      uc_ctl_set_tcg_buffer_size(uc, kScratchBufferBytes) == UC_ERR_OK &&
      uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72) == UC_ERR_OK &&
      uc_mem_map(uc, kBase, 0x1000, UC_PROT_ALL) == UC_ERR_OK &&
      uc_mem_write(uc, kBase, kCode, sizeof kCode) == UC_ERR_OK &&
      uc_reg_write(uc, UC_ARM64_REG_X0, &x0) == UC_ERR_OK &&
      uc_context_alloc(uc, &p.ctx) == UC_ERR_OK &&
      uc_hook_add(uc, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(on_intr), &p, 1, 0) == UC_ERR_OK;
  if (ready) {
    p.size = uc_context_size(uc);
    // One instruction per run: each traps, and the abort would otherwise be retried forever.
    for (size_t i = 0; i < kSteps; ++i) uc_emu_start(uc, kBase + 4 * i, 0, 0, 1);
    if (p.taken == kSteps) result = search(p);
  }
  if (p.ctx != nullptr) uc_context_free(p.ctx);
  uc_close(uc);
  return result;
}

}  // namespace

Result<size_t> a64_syndrome_offset() {
  static const Result<size_t> offset = calibrate();
  return offset;
}

Result<A64Syndrome> read_a64_syndrome(uc_engine* uc, uc_context* ctx) {
  const size_t off = TRY(a64_syndrome_offset());
  if (ctx == nullptr || off + 16 > uc_context_size(uc)) return Error(Status::kUnsupported);
  if (uc_context_save(uc, ctx) != UC_ERR_OK) return Error(Status::kBackend);
  const auto* bytes = reinterpret_cast<const uint8_t*>(ctx);
  A64Syndrome s;
  std::memcpy(&s.esr, bytes + off, sizeof s.esr);
  std::memcpy(&s.far, bytes + off + 8, sizeof s.far);
  return s;
}

}  // namespace tandem::emu
