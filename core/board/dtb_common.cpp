// SPDX-License-Identifier: Apache-2.0
#include "core/board/dtb_common.h"

#include "core/vm/boot.h"

namespace tandem {
namespace {

constexpr uint64_t k2MiB = 2ull << 20;
constexpr uint64_t k3GiB = 3ull << 30;

// "core<i>" / "cluster0": names with a decimal index.
void begin_indexed(fdt::FdtWriter& w, const char* prefix, unsigned index) {
  char name[24];
  unsigned n = 0;
  for (; prefix[n] != 0 && n < 12; n++) name[n] = prefix[n];
  char digits[10];
  unsigned count = 0;
  do {
    digits[count++] = static_cast<char>('0' + index % 10);
    index /= 10;
  } while (index != 0);
  while (count > 0) name[n++] = digits[--count];
  name[n] = 0;
  w.begin_node(name);
}

}  // namespace

void write_memory_node(fdt::FdtWriter& w, uint64_t base, uint64_t size) {
  w.begin_node_at("memory", base);
  w.property_string("device_type", "memory");
  w.property_reg(base, size);
  w.end_node();
}

void write_chosen_node(fdt::FdtWriter& w, const DtbOptions& opts, const char* stdout_path) {
  w.begin_node("chosen");
  w.property_string("stdout-path", stdout_path);
  if (!opts.bootargs.empty()) {
    // bootargs is a string: the text and its NUL.
    char text[1024];
    const size_t n =
        opts.bootargs.size() < sizeof text - 1 ? opts.bootargs.size() : sizeof text - 1;
    for (size_t i = 0; i < n; i++) text[i] = opts.bootargs[i];
    text[n] = 0;
    w.property_string("bootargs", text);
  }
  if (opts.initrd_end > opts.initrd_start) {
    w.property_cells("linux,initrd-start", opts.initrd_start >> 32, opts.initrd_start);
    w.property_cells("linux,initrd-end", opts.initrd_end >> 32, opts.initrd_end);
  }
  w.end_node();
}

void write_cpu_map(fdt::FdtWriter& w, unsigned cpus, uint32_t first_phandle,
                   uint32_t phandle_stride, bool socket) {
  w.begin_node("cpu-map");
  if (socket) w.begin_node("socket0");
  w.begin_node("cluster0");
  for (unsigned i = 0; i < cpus; i++) {
    begin_indexed(w, "core", i);
    w.property_u32("cpu", first_phandle + i * phandle_stride);
    w.end_node();
  }
  w.end_node();
  if (socket) w.end_node();
  w.end_node();
}

Result<Gpa> dtb_at_top(const LoadedGuest& guest, uint64_t size, uint64_t ram_base,
                       uint64_t ram_end) {
  const uint64_t limit = ram_base < k3GiB && ram_end > k3GiB ? k3GiB : ram_end;
  if (size > limit - ram_base) return Error(Status::kOutOfRange);
  const uint64_t at = (limit - size) & ~(k2MiB - 1);
  if (at < ram_base) return Error(Status::kOutOfRange);
  if (at < guest.image_end && guest.image_start < at + size) return Error(Status::kOutOfRange);
  return Gpa(at);
}

}  // namespace tandem
