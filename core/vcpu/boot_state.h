// SPDX-License-Identifier: Apache-2.0
// The architectural state a vCPU starts in, filled by the VM from the loaded image.
#pragma once

#include <cstdint>

namespace tandem {

// x86_64: Tandem enters guests directly in 64-bit long mode (like Linux's 64-bit boot protocol
// and Firecracker), with a flat GDT and identity page tables the loader wrote into guest RAM
// (core/arch/x86_64/long_mode.h builds them).
struct X86Segment {
  uint16_t selector = 0;
  uint64_t base = 0;
  uint32_t limit = 0;
  uint8_t type = 0;  // access byte type field (Intel SDM 3.4.5)
  bool present = false, dpl0 = true, db = false, s = true, l = false, g = false;
};

struct X86LongModeState {
  uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0, rflags = 0x2;
  uint64_t gdt_base = 0;
  uint16_t gdt_limit = 0;
  X86Segment cs, ds;  // ds is used for ds/es/ss/fs/gs
};

// How an x86 guest is entered. kProtected32 is multiboot v1 (Multiboot spec 0.6.96, 3.2): flat
// 32-bit protected mode, paging off, `x86` built by core/arch/x86_64/protected_mode.h; only
// the KVM backend can enter it (Unicorn cannot leave the mode its engine starts in).
enum class X86EntryMode : unsigned char { kLong64, kProtected32 };

struct BootState {
  uint64_t pc = 0;
  uint64_t sp = 0;
  // aarch64: x0..x3 (x0 = DTB address); riscv64: a0 = hart id, a1 = DTB address;
  // x86_64 kLong64: rsi = boot parameters (0 when none), others unused; kProtected32: eax =
  // args[0], ebx = args[1] (multiboot: 0x2BADB002 and the info structure's address).
  uint64_t args[4] = {};
  X86LongModeState x86;
  X86EntryMode x86_mode = X86EntryMode::kLong64;
};

}  // namespace tandem
