// SPDX-License-Identifier: Apache-2.0
// A Linux bzImage on the PC board, by the 64-bit boot protocol (Documentation/arch/x86/boot.rst):
// no BIOS, the kernel entered in long mode at its 64-bit entry with RSI = boot_params.
//
//   0x7000    boot_params (the zero page)        0x8000..0x9000  the entry stack
//   0x10000   GDT + identity page tables (PcBoard::kBootTablesGpa, 4 GiB mapped)
//   0x20000   command line
//   0xf0000   ACPI tables (reserved in the e820 map, like the rest of the BIOS area)
//   pref_address (16 MiB for Debian's kernels)   the protected-mode kernel, init_size free
//   top of RAM (below initrd_addr_max)           the initrd, page-aligned
#include "core/acpi/pc_tables.h"
#include "core/arch/x86_64/boot_params.h"
#include "core/arch/x86_64/long_mode.h"
#include "core/board/pc.h"
#include "core/loader/bzimage.h"
#include "core/mm/address_space.h"
#include "core/vm/boot.h"

namespace tandem {
namespace {

constexpr uint64_t kZeroPageGpa = 0x7000;
constexpr uint64_t kStackTop = 0x9000;
constexpr uint64_t kCmdlineGpa = 0x20000;
constexpr uint64_t kLowMemoryEnd = 0x9fc00;  // the EBDA: where conventional memory ends

void copy(std::span<uint8_t> ram, uint64_t gpa, std::span<const uint8_t> bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) ram[gpa + i] = bytes[i];
}

}  // namespace

Result<LoadedGuest> load_linux_guest(AddressSpace& space, const LinuxImage& linux_image,
                                     unsigned cpus, std::span<const PlacedDevice> virtio) {
  const Region* region = space.find(Gpa(0));
  if (region == nullptr || region->kind != RegionKind::kRam || !region->contiguous())
    return Error(Status::kOutOfRange);
  const uint64_t ram_size = region->size;
  std::span<uint8_t> ram(to_ptr<uint8_t>(TRY(space.host_address(*region))), ram_size);
  const std::span<const uint8_t> kernel = linux_image.kernel;
  const std::span<const uint8_t> initrd = linux_image.initrd;
  const std::span<const char> cmdline = linux_image.cmdline;

  const bzimage::Image image = TRY(bzimage::parse(kernel));
  if (cmdline.size() > image.cmdline_size || kCmdlineGpa + cmdline.size() >= kLowMemoryEnd)
    return Error(Status::kInvalidArgument);
  // Loaded where the kernel was linked to run (boot.rst: "A relocating bootloader should
  // attempt to load at this address if possible"), with init_size free behind it.
  const uint64_t load = image.pref_address;
  const uint64_t kernel_end = load + image.init_size;
  if (kernel_end > ram_size) return Error(Status::kOutOfRange);
  uint64_t initrd_gpa = 0;
  if (!initrd.empty()) {
    const uint64_t limit = uint64_t{image.initrd_addr_max} + 1;
    const uint64_t top = ram_size < limit ? ram_size : limit;
    if (initrd.size() > top - kernel_end) return Error(Status::kOutOfRange);
    initrd_gpa = (top - initrd.size()) & ~(kPageSize4K - 1);
    if (initrd_gpa < kernel_end) return Error(Status::kOutOfRange);
  }

  copy(ram, load, kernel.subspan(image.kernel_offset));
  copy(ram, initrd_gpa, initrd);
  for (size_t i = 0; i < cmdline.size(); ++i)
    ram[kCmdlineGpa + i] = static_cast<uint8_t>(cmdline[i]);
  ram[kCmdlineGpa + cmdline.size()] = 0;

  acpi::MmioTransport transports[acpi::kMaxVirtioTransports];
  if (virtio.size() > acpi::kMaxVirtioTransports) return Error(Status::kInvalidArgument);
  for (size_t i = 0; i < virtio.size(); ++i)
    transports[i] = {static_cast<uint32_t>(virtio[i].base), static_cast<uint32_t>(virtio[i].size),
                     virtio[i].irq};
  acpi::PcPlatform pc;
  pc.cpus = cpus;
  pc.virtio = std::span(transports, virtio.size());
  const uint64_t acpi_gpa = x86::kBiosAreaBase;
  TRY(acpi::build_pc_tables(pc, acpi_gpa, ram.subspan(acpi_gpa).first<acpi::kTablesSize>()));
  x86::E820Entry map[x86::kPcMemoryMapEntries];
  const size_t entries = x86::pc_memory_map(ram_size, 0, map);
  const x86::BootParamsSetup params{
      kernel.subspan(bzimage::kHeaderStart, image.header_end - bzimage::kHeaderStart),
      kCmdlineGpa,
      initrd_gpa,
      initrd.size(),
      acpi_gpa,
      std::span(map, entries)};
  TRY(x86::build_boot_params(params, ram.subspan(kZeroPageGpa).first<x86::kBootParamsSize>()));

  LoadedGuest guest;
  guest.boot.x86 = TRY(x86::build_long_mode(ram, Gpa(0), Gpa(PcBoard::kBootTablesGpa)));
  guest.boot.pc = load + bzimage::kEntry64Offset;
  guest.boot.sp = kStackTop;
  guest.boot.args[0] = kZeroPageGpa;
  guest.image_start = load;
  guest.image_end = kernel_end;
  return guest;
}

}  // namespace tandem
