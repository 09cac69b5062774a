// SPDX-License-Identifier: Apache-2.0
// The physical memory map of Tandem's PC board as firmware reports it (ACPI 6.5 chapter 15,
// the E820 address range types): conventional memory up to the EBDA, the BIOS area at 0xf0000
// (where the ACPI tables are), extended memory from 1 MiB, an optional area at the top of RAM
// the loader keeps for itself, the BIOS flash below 4 GiB. Multiboot's memory map and Linux's
// e820 table both carry it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tandem::x86 {

enum class E820Type : uint32_t { kAvailable = 1, kReserved = 2 };

struct E820Entry {
  uint64_t base = 0;
  uint64_t size = 0;
  E820Type type = E820Type::kAvailable;
};

inline constexpr size_t kPcMemoryMapEntries = 6;
inline constexpr uint64_t kBiosAreaBase = 0xf0000;  // reserved up to 1 MiB

// Fills `out` in address order for `ram_size` bytes of RAM from 0 (more than 1 MiB) whose top
// `reserved_top` bytes (0: none) are reported reserved. Returns the number of entries.
size_t pc_memory_map(uint64_t ram_size, uint64_t reserved_top,
                     std::span<E820Entry, kPcMemoryMapEntries> out);

}  // namespace tandem::x86
