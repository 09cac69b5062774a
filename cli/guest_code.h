// SPDX-License-Identifier: Apache-2.0
// Guest code at a guest-virtual address, for the instruction in a trace line: each page
// through vCPU `cpu`'s own page tables (the vCPU's translate(): the walkers of core/arch, which
// the GDB stub uses too), then from guest RAM. Stops at the first byte that is not RAM.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "core/mm/guest_memory.h"
#include "core/mm/ram_table_reader.h"

namespace tandem::cli {

template <class V>
size_t read_guest_code(V& vm, unsigned cpu, uint64_t va, std::span<uint8_t> out) {
  constexpr uint64_t kPage = 4096;  // the smallest page: no larger one changes within it
  const TableReader tables = ram_table_reader(vm.address_space());
  GuestMemory ram(vm.address_space());
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t at = va + done;
    const auto pa = vm.vcpu(cpu).translate(at, tables);
    const size_t chunk = std::min<uint64_t>(out.size() - done, kPage - at % kPage);
    if (!pa || !ram.read(Gpa{*pa}, out.subspan(done, chunk)).ok()) break;
    done += chunk;
  }
  return done;
}

}  // namespace tandem::cli
