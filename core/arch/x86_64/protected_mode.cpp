// SPDX-License-Identifier: Apache-2.0
#include "core/arch/x86_64/protected_mode.h"

#include "core/arch/x86_64/long_mode.h"
#include "core/base/le_bytes.h"

namespace tandem::x86 {
namespace {

X86Segment flat32(uint16_t selector, uint8_t type) {
  X86Segment s;
  s.selector = selector;
  s.base = 0;
  s.limit = 0xffffffff;  // byte-granular view of limit 0xfffff with G=1
  s.type = type;
  s.present = true;
  s.dpl0 = true;
  s.s = true;
  s.g = true;
  s.db = true;  // 32-bit operands and addresses; ESP-based stack
  s.l = false;
  return s;
}

}  // namespace

Result<X86LongModeState> build_protected_mode(std::span<uint8_t> ram, Gpa ram_gpa, Gpa gdt_gpa) {
  if (!gdt_gpa.is_aligned(8)) return Error(Status::kUnaligned);
  if (gdt_gpa < ram_gpa || gdt_gpa.raw() + kProtectedModeGdtSize > (1ull << 32))
    return Error(Status::kOutOfRange);
  const uint64_t offset = gdt_gpa - ram_gpa;
  if (offset > ram.size() || ram.size() - offset < kProtectedModeGdtSize)
    return Error(Status::kOutOfRange);
  uint8_t* gdt = ram.data() + offset;
  store_le(gdt, 0, 8);
  store_le(gdt + kCodeSelector, kGdtCode32, 8);
  store_le(gdt + kDataSelector, kGdtData, 8);

  // CR0: PE on, PG off (spec 3.2); ET as every CPU since the 486 reports it. CR3/CR4/EFER stay
  // 0: no paging, no long mode. EFLAGS: IF and VM clear, bit 1 reserved as 1.
  X86LongModeState st;
  st.cr0 = CR0_PE | CR0_ET;
  st.rflags = 0x2;
  st.gdt_base = gdt_gpa.raw();
  st.gdt_limit = kProtectedModeGdtSize - 1;
  st.cs = flat32(kCodeSelector, 0xb);
  st.ds = flat32(kDataSelector, 0x3);
  return st;
}

}  // namespace tandem::x86
