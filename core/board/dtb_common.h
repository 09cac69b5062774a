// SPDX-License-Identifier: Apache-2.0
// Device tree pieces every DT board writes the same way (DTSpec v0.4 chapter 3, Linux's
// Documentation/devicetree/bindings), and where a DTB goes in RAM.
#pragma once

#include <cstdint>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/board/board.h"
#include "core/fdt/fdt_writer.h"

namespace tandem {

// memory@<base> with device_type "memory".
void write_memory_node(fdt::FdtWriter& w, uint64_t base, uint64_t size);
// /chosen: stdout-path, and bootargs and linux,initrd-start/-end when the options have them.
void write_chosen_node(fdt::FdtWriter& w, const DtbOptions& opts, const char* stdout_path);
// cpus/cpu-map (Documentation/devicetree/bindings/cpu/cpu-topology.txt): one cluster of
// `cpus` cores, core<i> pointing at phandle first_phandle + i * phandle_stride, inside a
// socket0 node when `socket` (QEMU's arm virt has one, its riscv virt none).
void write_cpu_map(fdt::FdtWriter& w, unsigned cpus, uint32_t first_phandle,
                   uint32_t phandle_stride, bool socket);

// QEMU's placement at the top of RAM (hw/riscv/boot.c riscv_compute_fdt_addr): 2 MiB aligned
// below min(ram_end, 3 GiB) when RAM starts below 3 GiB. kOutOfRange when it would fall
// below the RAM base or over the image.
[[nodiscard]] Result<Gpa> dtb_at_top(const LoadedGuest& guest, uint64_t size, uint64_t ram_base,
                                     uint64_t ram_end);

}  // namespace tandem
