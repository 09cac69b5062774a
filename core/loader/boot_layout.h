// SPDX-License-Identifier: Apache-2.0
// Where a kernel and its initrd go in guest RAM, and the /chosen values that tell the kernel
// where the initrd is. Pure: the board gives its RAM and its kernel address, these functions
// give addresses or an error naming what does not fit.
//
//   RAM base                                                              RAM end
//   |-- (board) --|== kernel: load .. load + size ==|-- ... --|== initrd ==|-- top --|
//                 ^ arm64: 2 MiB-aligned base + text_offset    ^ base + min(RAM/2, 128 MiB),
//                   riscv64: 2 MiB-aligned, >= RAM base         or the page after the kernel
//                   + text_offset                               if that is higher
#pragma once

#include <cstdint>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/loader/kernel_image.h"

namespace tandem {

struct RamRange {
  Gpa base;
  uint64_t size = 0;
  Gpa end() const { return base + size; }
};

// What does not fit; describe() gives the message.
enum class PlacementError : uint8_t {
  kNone,
  kKernelOutsideRam,  // the kernel's address or its image_size reaches beyond RAM
  kInitrdTooBig,      // no room for the initrd between the kernel and the top reserve
  kElfNotPlaced,      // ELF, bzImage and multiboot files carry their own load addresses
};

constexpr const char* describe(PlacementError e) {
  switch (e) {
    case PlacementError::kNone: return "no error";
    case PlacementError::kKernelOutsideRam:
      return "the kernel (its load address plus image_size) does not fit in guest RAM";
    case PlacementError::kInitrdTooBig: return "the initrd does not fit in guest RAM";
    case PlacementError::kElfNotPlaced:
      return "ELF, bzImage and multiboot files are loaded at their own addresses";
  }
  return "unknown error";
}

struct KernelPlacement {
  Gpa load;  // the file's first byte; also the entry point (booting.rst: "jump to the first
             // instruction of the kernel image"; RISC-V: the same)
  Gpa end;   // load + the kernel's size with BSS: the first byte the kernel leaves free
};

// arm64 Image: at text_offset above the first 2 MiB boundary at or above `kernel_base`
// (booting.rst: "placed text_offset bytes from a 2MB aligned base address anywhere in usable
// system RAM"). RISC-V Image: text_offset is its offset from the start of RAM and rv64 kernels
// need a 2 MiB-aligned address, so at the first 2 MiB boundary at or above both `kernel_base`
// and RAM base + text_offset (0x80200000 on the virt board, where QEMU loads it too). Raw
// binary: at `kernel_base` as it is. kOutOfRange with kKernelOutsideRam when [load, end) is
// not inside `ram`; kUnsupported with kElfNotPlaced for an ELF, a bzImage or a multiboot image.
[[nodiscard]] Result<KernelPlacement> place_kernel(const KernelImage& kernel, RamRange ram,
                                                   Gpa kernel_base, PlacementError* why);

struct InitrdPlacement {
  Gpa start;
  Gpa end;  // exclusive
};

// QEMU's choice (hw/arm/boot.c, hw/riscv/boot.c): RAM base + min(RAM size / 2, 128 MiB), far
// enough up that a kernel decompressing itself does not overwrite it and low enough to stay in
// the kernel's early linear map; or, if the kernel reaches higher, the first 4 KiB page after
// `kernel_end`. `top_reserve` bytes at the end of RAM stay free (for the DTB). kOutOfRange with
// kInitrdTooBig when it does not fit.
[[nodiscard]] Result<InitrdPlacement> place_initrd(RamRange ram, Gpa kernel_end,
                                                   uint64_t initrd_size, uint64_t top_reserve,
                                                   PlacementError* why);

// /chosen's linux,initrd-start and linux,initrd-end (Devicetree Specification 3.6, Linux
// Documentation/devicetree/usage-model.rst): the physical start and the physical end, the first
// byte after the initrd.
struct ChosenInitrd {
  uint64_t start = 0;
  uint64_t end = 0;
};
constexpr ChosenInitrd chosen_initrd(const InitrdPlacement& p) {
  return {p.start.raw(), p.end.raw()};
}

}  // namespace tandem
