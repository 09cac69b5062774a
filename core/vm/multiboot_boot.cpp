// SPDX-License-Identifier: Apache-2.0
#include "core/arch/x86_64/pc_memory_map.h"
#include "core/arch/x86_64/protected_mode.h"
#include "core/loader/multiboot.h"
#include "core/mm/address_space.h"
#include "core/vm/boot.h"

namespace tandem {
namespace {

// The top of RAM Tandem keeps for itself while booting a multiboot image: the GDT, then the
// info structure with its memory map and command line. It is reported as reserved, as SeaBIOS
// reports the same 128 KiB under QEMU, so guests see the same map on both.
constexpr uint64_t kBootAreaSize = uint64_t{128} * 1024;
constexpr uint64_t kInfoOffset = 0x1000;

}  // namespace

Result<LoadedGuest> load_multiboot_guest(AddressSpace& space, std::span<const uint8_t> file,
                                         std::span<const char> cmdline) {
  const Region* region = space.find(Gpa(0));
  if (region == nullptr || region->kind != RegionKind::kRam || !region->contiguous())
    return Error(Status::kOutOfRange);
  const uint64_t ram_size = region->size;
  if (ram_size < 2 * kPageSize2M || ram_size > (4ull << 30) - (1ull << 20))
    return Error(Status::kOutOfRange);
  std::span<uint8_t> ram(to_ptr<uint8_t>(TRY(space.host_address(*region))), ram_size);

  const multiboot::Image image = TRY(multiboot::parse(file));
  const uint64_t boot_area = ram_size - kBootAreaSize;
  for (const multiboot::Segment& seg : std::span(image.segments.data(), image.segment_count)) {
    if (seg.gpa.raw() < 0x100000 || seg.gpa.raw() + seg.mem_size > boot_area)
      return Error(Status::kOutOfRange);
  }
  TRY(multiboot::load(file, image, ram, Gpa(0)));

  x86::E820Entry map[x86::kPcMemoryMapEntries];
  const size_t count = x86::pc_memory_map(ram_size, kBootAreaSize, map);
  const Gpa info_gpa(boot_area + kInfoOffset);
  multiboot::InfoSetup setup{std::span(map, count), cmdline};
  TRY(multiboot::build_info(setup, info_gpa,
                            ram.subspan(info_gpa.raw(), kBootAreaSize - kInfoOffset)));
  const X86LongModeState pm = TRY(x86::build_protected_mode(ram, Gpa(0), Gpa(boot_area)));

  LoadedGuest guest;
  guest.boot = multiboot::boot_state(image, info_gpa, pm);
  guest.image_start = image.segments[0].gpa.raw();
  guest.image_end = image.end.raw();
  return guest;
}

}  // namespace tandem
