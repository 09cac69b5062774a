// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/boot.h"

#include "backends/baremetal/common/arch.h"
#include "core/base/format.h"
#include "core/base/log.h"

extern "C" {
// Defined by each arch's linker script: the first byte of the image and of its payload area.
extern const uint8_t __image_start[];
extern const uint8_t __payload_start[];
}

namespace tandem::baremetal {
namespace {

constexpr size_t kMaxRanges = 16;
constexpr uint64_t kMiB = 1ull << 20;

std::span<const uint8_t> bytes_at(uint64_t addr, size_t size) {
  return {reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(addr)), size};
}

const PayloadHeader& payload_header() {
  return *reinterpret_cast<const PayloadHeader*>(__payload_start);
}

bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end) {
  return a < b_end && b < a_end;
}

}  // namespace

Result<fdt::Fdt> find_dtb(uint64_t boot_arg) {
  for (uint64_t addr : {boot_arg, arch::default_dtb_address()}) {
    if (addr == 0) continue;
    auto size = fdt::Fdt::total_size(bytes_at(addr, fdt::kFdtHeaderSize));
    if (!size) continue;
    auto dtb = fdt::Fdt::open(bytes_at(addr, *size));
    if (dtb) return dtb;
  }
  return Error(Status::kNotFound);
}

UartInfo select_console(const fdt::Fdt* dtb) {
  if (dtb == nullptr) return arch::default_console();
  auto node = dtb->stdout_node();
  if (!node) return arch::default_console();
  auto reg = dtb->reg(*node, 0);
  if (!reg) return arch::default_console();
  if (dtb->is_compatible(*node, "arm,pl011")) return UartInfo{UartKind::kPl011, reg->base, 0};
  if (dtb->is_compatible(*node, "ns16550a") || dtb->is_compatible(*node, "ns16550")) {
    const uint32_t shift = dtb->property_u32(*node, "reg-shift").value_or(0);
    return UartInfo{UartKind::kNs16550, reg->base, shift};
  }
  return arch::default_console();
}

unsigned dtb_cpu_count(const fdt::Fdt& dtb) {
  unsigned n = 0;
  for (; n < kPayloadMaxCpus; n++) {
    char path[24];
    const size_t len = format_to(path, sizeof path, "/cpus/cpu@%x", n);
    if (!dtb.find_node(path, len)) break;
  }
  return n;
}

ImageExtent image_extent() {
  const uint64_t payload = reinterpret_cast<uintptr_t>(__payload_start);
  const uint64_t end = payload + payload_header().total_size;
  return {reinterpret_cast<uintptr_t>(__image_start), (end + kFrameSize - 1) & ~(kFrameSize - 1)};
}

Result<Payload> find_payload(const char** why) {
  // The loader copied the segment the header's own size names; a size beyond any image the
  // packer writes is damage, caught before the frame allocator would reserve it.
  const uint64_t size = payload_header().total_size;
  const uint64_t area = size < sizeof(PayloadHeader) ? sizeof(PayloadHeader)
                        : size > kPayloadMaxBytes    ? kPayloadMaxBytes
                                                     : size;
  return parse_payload({__payload_start, area}, why);
}

Result<void> init_frames(const fdt::Fdt& dtb, FrameBitmap& frames) {
  fdt::MemRange ram[kMaxRanges];
  const size_t ram_count = TRY(dtb.memory(ram));
  if (ram_count == 0) return Error(Status::kNotFound);
  if (ram_count > kMaxRanges)
    TLOG_WARN("using the first %zu of %zu memory ranges", kMaxRanges, ram_count);

  // Everything the allocator must never hand out, the bitmap added below.
  fdt::MemRange taken[kMaxRanges + 3];
  size_t taken_count = TRY(dtb.reserved({taken, kMaxRanges}));
  if (taken_count > kMaxRanges) return Error(Status::kCapacity);
  const ImageExtent image = image_extent();
  taken[taken_count++] = {image.start, image.end - image.start};
  const auto dtb_start = reinterpret_cast<uintptr_t>(dtb.data());
  taken[taken_count++] = {dtb_start, dtb.total_size()};

  uint64_t lo = ~uint64_t{0}, hi = 0;
  const size_t used = ram_count < kMaxRanges ? ram_count : kMaxRanges;
  for (size_t i = 0; i < used; i++) {
    lo = ram[i].base < lo ? ram[i].base : lo;
    hi = ram[i].base + ram[i].size > hi ? ram[i].base + ram[i].size : hi;
  }
  lo &= ~(kFrameSize - 1);
  const size_t span_frames = (hi - lo) / kFrameSize;
  const uint64_t bitmap_bytes =
      (FrameBitmap::words_for(span_frames) * 8 + kFrameSize - 1) & ~(kFrameSize - 1);

  // The bitmap goes in the first free gap above the image that lies inside RAM.
  uint64_t at = image.end;
  for (bool moved = true; moved;) {
    moved = false;
    for (size_t i = 0; i < taken_count; i++) {
      const uint64_t end = taken[i].base + taken[i].size;
      if (overlaps(at, at + bitmap_bytes, taken[i].base, end)) {
        at = (end + kFrameSize - 1) & ~(kFrameSize - 1);
        moved = true;
      }
    }
  }
  bool in_ram = false;
  for (size_t i = 0; i < used; i++) {
    in_ram |= at >= ram[i].base && at + bitmap_bytes <= ram[i].base + ram[i].size;
  }
  if (!in_ram) return Error(Status::kNoMemory);
  taken[taken_count++] = {at, bitmap_bytes};

  frames.init(Hpa(lo), span_frames, reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(at)));
  for (size_t i = 0; i < used; i++)
    frames.release(Hpa(ram[i].base), Hpa(ram[i].base + ram[i].size));
  for (size_t i = 0; i < taken_count; i++) {
    frames.reserve(Hpa(taken[i].base), Hpa(taken[i].base + taken[i].size));
  }
  TLOG_INFO("RAM %#llx-%#llx, image %#llx-%#llx, %llu MiB free",
            static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi),
            static_cast<unsigned long long>(image.start),
            static_cast<unsigned long long>(image.end),
            static_cast<unsigned long long>(frames.free_frames_count() * kFrameSize / kMiB));
  return ok();
}

}  // namespace tandem::baremetal
