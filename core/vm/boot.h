// SPDX-License-Identifier: Apache-2.0
// Puts a guest ELF into guest RAM and computes its entry; the board then sets the boot
// arguments (Board::prepare_boot).
#pragma once

#include <cstdint>
#include <span>

#include "core/base/addr.h"
#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/board/board.h"
#include "core/loader/boot_layout.h"
#include "core/loader/kernel_image.h"
#include "core/vcpu/boot_state.h"

namespace tandem {

class AddressSpace;
class Board;

struct LoadedGuest {
  BootState boot;
  uint64_t image_start = 0;  // lowest guest-physical byte the image occupies
  uint64_t image_end = 0;    // one past the highest
};

// Errors: kBadImage (malformed ELF), kUnsupported (not a 64-bit ELF or not `arch`),
// kOutOfRange (a segment or the entry point lies outside guest RAM).
[[nodiscard]] Result<LoadedGuest> load_guest(Arch arch, AddressSpace& space,
                                             std::span<const uint8_t> elf);

// Copies `dtb` into guest RAM where `board` puts it beside `guest`; its address. kOutOfRange
// when it does not fit.
[[nodiscard]] Result<Gpa> place_device_tree(Board& board, AddressSpace& space,
                                            const LoadedGuest& guest, std::span<const uint8_t> dtb,
                                            uint64_t ram_size);

// What QEMU's -kernel, -initrd and -append give a VM (-bios is VmConfig::firmware): the kernel
// in any format core/loader/kernel_image.h detects, its initrd (empty: none) and command line
// (without a NUL: a bzImage's or multiboot image's; device-tree boards take VmConfig::bootargs).
struct BootFiles {
  std::span<const uint8_t> kernel;
  std::span<const uint8_t> initrd;
  std::span<const char> cmdline;
};

// A kernel for a device-tree board and where its initrd went.
struct DtKernel {
  LoadedGuest guest;
  InitrdPlacement initrd{Gpa(0), Gpa(0)};  // start == end: none
};

// An ELF at its own addresses, an arm64 / RISC-V Image or a raw binary at place_kernel()'s
// address from `kernel_base` (core/loader/boot_layout.h), and the initrd where place_initrd()
// puts it, `top_reserve` bytes below the end of `ram` left free for the device tree. Errors:
// kBadImage / kUnsupported / kOutOfRange from the ELF loader; kOutOfRange with `why` set when
// the Image or the initrd does not fit.
[[nodiscard]] Result<DtKernel> load_dt_kernel(AddressSpace& space, RamRange ram, Gpa kernel_base,
                                              const KernelImage& image, const BootFiles& files,
                                              uint64_t top_reserve, PlacementError* why);

// A multiboot v1 image (x86, entered in 32-bit protected mode; the kvm backend runs it), as
// QEMU's -kernel loads one: the info structure carries the PC memory map and `cmdline`.
// kBadImage / kUnsupported from the multiboot parser; kOutOfRange when the image does not fit
// between 1 MiB and the boot area at the top of RAM, or RAM is not 4 MiB .. 4 GiB - 1 MiB.
[[nodiscard]] Result<LoadedGuest> load_multiboot_guest(AddressSpace& space,
                                                       std::span<const uint8_t> file,
                                                       std::span<const char> cmdline);

// A Linux x86 bzImage with its initrd (empty: none) and command line (without a NUL).
struct LinuxImage {
  std::span<const uint8_t> kernel;
  std::span<const uint8_t> initrd;
  std::span<const char> cmdline;
};

// A Linux bzImage by the 64-bit boot protocol (core/vm/linux_boot.cpp has the memory layout),
// on a PC board with `cpus` local APICs and the `virtio` transports (Board::virtio_transports)
// in its ACPI tables; x86_64 VMs on backends that provide
// the PC's interrupt controllers (kvm). kBadImage / kUnsupported from the bzImage parser;
// kInvalidArgument for a command line longer than the kernel takes; kOutOfRange when the
// kernel (pref_address + init_size) and the initrd do not both fit in RAM.
[[nodiscard]] Result<LoadedGuest> load_linux_guest(AddressSpace& space, const LinuxImage& image,
                                                   unsigned cpus,
                                                   std::span<const PlacedDevice> virtio);

}  // namespace tandem
