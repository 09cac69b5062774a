// SPDX-License-Identifier: Apache-2.0
// The state an x86_64 guest is entered in: 64-bit long mode with paging on, a flat GDT and
// identity page tables written into guest RAM, as Intel SDM vol.3 9.8.5 "Initializing IA-32e
// Mode" leaves a CPU (and as Linux's 64-bit boot protocol and Firecracker enter a kernel).
// Pure: the emu and kvm backends load the returned X86LongModeState as it is.
//
// Layout at `tables_gpa` (each box one 4 KiB page):
//
//   +0x0000 GDT   [0] null  [1] 0x08 64-bit code  [2] 0x10 data
//   +0x1000 PML4  [0] -> PDPT
//   +0x2000 PDPT  [0..3] -> PD0..PD3
//   +0x3000 PD0   [0..511] 2 MiB pages 0 GiB .. 1 GiB
//   ...
//   +0x6000 PD3   2 MiB pages 3 GiB .. 4 GiB
//
// 2 MiB pages rather than 1 GiB ones: 1 GiB pages need CPUID PDPE1GB, which Unicorn's x86
// model does not report (SDM vol.3 4.5.4, table 4-15 note).
#pragma once

#include <cstdint>
#include <span>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/vcpu/boot_state.h"

namespace tandem::x86 {

inline constexpr uint64_t kLongModeTablesSize = 7 * kPageSize4K;
inline constexpr uint64_t kIdentityMapSize = 4 * kPageSize1G;
inline constexpr uint16_t kCodeSelector = 0x08;
inline constexpr uint16_t kDataSelector = 0x10;

// Control register and EFER bits (SDM vol.3 2.5 and 2.2.1).
inline constexpr uint64_t CR0_PE = 1ull << 0;
inline constexpr uint64_t CR0_MP = 1ull << 1;
inline constexpr uint64_t CR0_ET = 1ull << 4;
inline constexpr uint64_t CR0_NE = 1ull << 5;
inline constexpr uint64_t CR0_PG = 1ull << 31;
inline constexpr uint64_t CR4_PAE = 1ull << 5;
inline constexpr uint64_t CR4_OSFXSR = 1ull << 9;
inline constexpr uint64_t CR4_OSXMMEXCPT = 1ull << 10;
inline constexpr uint64_t EFER_LME = 1ull << 8;
inline constexpr uint64_t EFER_LMA = 1ull << 10;

// Page-table entry bits (SDM vol.3 4.5, tables 4-15 to 4-18).
inline constexpr uint64_t PTE_P = 1ull << 0;
inline constexpr uint64_t PTE_RW = 1ull << 1;
inline constexpr uint64_t PTE_PS = 1ull << 7;

// GDT descriptors (SDM vol.3 3.4.5): base 0, limit 0xfffff with G=1, accessed bit preset so
// the CPU never writes the GDT. Code: type 0xb (execute/read), L=1, D=0. Data: type 0x3
// (read/write), D/B=1.
inline constexpr uint64_t kGdtCode64 = 0x00af9b000000ffffull;
inline constexpr uint64_t kGdtData = 0x00cf93000000ffffull;

// Writes the GDT and page tables into `ram` (guest RAM that starts at `ram_gpa`) at
// `tables_gpa`, which must be 4 KiB aligned with kLongModeTablesSize bytes inside `ram`
// (kUnaligned / kOutOfRange otherwise), and returns the matching register state. The entry
// point, stack and arguments are the caller's (BootState).
[[nodiscard]] Result<X86LongModeState> build_long_mode(std::span<uint8_t> ram, Gpa ram_gpa,
                                                       Gpa tables_gpa);

}  // namespace tandem::x86
