// SPDX-License-Identifier: Apache-2.0
#include "core/arch/x86_64/long_mode.h"
#include "core/base/le_bytes.h"

namespace tandem::x86 {
namespace {

constexpr uint64_t kGdtOffset = 0x0000;
constexpr uint64_t kPml4Offset = 0x1000;
constexpr uint64_t kPdptOffset = 0x2000;
constexpr uint64_t kPdOffset = 0x3000;
constexpr uint64_t kEntriesPerTable = 512;
constexpr uint64_t kPdCount = kIdentityMapSize / kPageSize1G;

static_assert(kPdOffset + kPdCount * kPageSize4K == kLongModeTablesSize);

// x86 is little-endian; write byte by byte so the result does not depend on the host.
X86Segment flat_segment(uint16_t selector, uint8_t type, bool code) {
  X86Segment s;
  s.selector = selector;
  s.base = 0;
  s.limit = 0xffffffff;  // byte-granular view of limit 0xfffff with G=1, as KVM takes it
  s.type = type;
  s.present = true;
  s.dpl0 = true;
  s.s = true;
  s.g = true;
  s.l = code;    // 64-bit code segment
  s.db = !code;  // L=1 requires D=0 (SDM vol.3 5.2.1)
  return s;
}

}  // namespace

Result<X86LongModeState> build_long_mode(std::span<uint8_t> ram, Gpa ram_gpa, Gpa tables_gpa) {
  if (!tables_gpa.is_aligned(kPageSize4K)) return Error(Status::kUnaligned);
  if (tables_gpa < ram_gpa) return Error(Status::kOutOfRange);
  uint64_t offset = tables_gpa - ram_gpa;
  if (offset > ram.size() || ram.size() - offset < kLongModeTablesSize) {
    return Error(Status::kOutOfRange);
  }
  uint8_t* base = ram.data() + offset;
  for (uint64_t i = 0; i < kLongModeTablesSize; ++i) base[i] = 0;

  store_le(base + kGdtOffset + kCodeSelector, kGdtCode64, 8);
  store_le(base + kGdtOffset + kDataSelector, kGdtData, 8);

  // Identity map [0, 4 GiB): PML4[0] -> PDPT, PDPT[i] -> PD i, PD entries are 2 MiB pages.
  uint64_t table = tables_gpa.raw();
  store_le(base + kPml4Offset, (table + kPdptOffset) | PTE_P | PTE_RW, 8);
  for (uint64_t pd = 0; pd < kPdCount; ++pd) {
    uint64_t pd_offset = kPdOffset + pd * kPageSize4K;
    store_le(base + kPdptOffset + pd * 8, (table + pd_offset) | PTE_P | PTE_RW, 8);
    for (uint64_t e = 0; e < kEntriesPerTable; ++e) {
      uint64_t pa = pd * kPageSize1G + e * kPageSize2M;
      store_le(base + pd_offset + e * 8, pa | PTE_P | PTE_RW | PTE_PS, 8);
    }
  }

  // SDM vol.3 9.8.5: CR4.PAE, CR3 = PML4, EFER.LME, then CR0.PG, which sets EFER.LMA. CR0.MP
  // and NE as SDM 9.2.1 recommends with an x87 present; CR4.OSFXSR/OSXMMEXCPT so compiled
  // guests may use SSE (SDM 13.1.3), as a 64-bit kernel is entered by its loaders.
  X86LongModeState st;
  st.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
  st.cr3 = table + kPml4Offset;
  st.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
  st.efer = EFER_LME | EFER_LMA;
  st.rflags = 0x2;  // bit 1 is reserved as 1; interrupts off
  st.gdt_base = table + kGdtOffset;
  st.gdt_limit = 3 * 8 - 1;
  st.cs = flat_segment(kCodeSelector, 0xb, true);
  st.ds = flat_segment(kDataSelector, 0x3, false);
  return st;
}

}  // namespace tandem::x86
