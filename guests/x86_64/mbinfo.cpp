// SPDX-License-Identifier: Apache-2.0
// Prints the multiboot v1 boot information it was entered with (Multiboot Specification 0.6.96,
// 3.3): flags, mem_lower and mem_upper (KiB), every memory map entry and the command line, which
// QEMU (hw/i386/multiboot.c) builds as "<kernel file name> <-append text>". Tandem's KVM backend
// boots multiboot images with the same PC memory map and command line. A guest entered any other
// way (EAX not the magic, e.g. directly in 64-bit mode) exits with kNotMultiboot.
#include <cstddef>
#include <cstdint>

#include "guest.h"
#include "multiboot.h"

namespace {

using guest::put_hex;
using guest::put_hex_line;
using guest::put_str;

constexpr int kNotMultiboot = 2;

// Spec 3.3, flags: which fields below are valid.
constexpr std::uint32_t kInfoMemory = 1u << 0;
constexpr std::uint32_t kInfoCmdline = 1u << 2;
constexpr std::uint32_t kInfoMmap = 1u << 6;

// Spec 3.3, the boot information up to mmap_addr; the guest reads no field after it.
struct Info {
  std::uint32_t flags;
  std::uint32_t mem_lower;
  std::uint32_t mem_upper;
  std::uint32_t boot_device;
  std::uint32_t cmdline;
  std::uint32_t mods_count;
  std::uint32_t mods_addr;
  std::uint32_t syms[4];
  std::uint32_t mmap_length;
  std::uint32_t mmap_addr;
};
static_assert(offsetof(Info, mmap_addr) == 48);

// Spec 3.3, one memory map entry. `size` counts the bytes after itself, so the next entry starts
// size + 4 bytes further; base_addr is only 4-byte aligned.
struct [[gnu::packed]] MmapEntry {
  std::uint32_t size;
  std::uint64_t base_addr;
  std::uint64_t length;
  std::uint32_t type;
};
static_assert(sizeof(MmapEntry) == 24);

// The loader's addresses are physical, below 4 GiB, and identity-mapped.
template <typename T>
const T* at(std::uint32_t address) {
  return reinterpret_cast<const T*>(static_cast<std::uintptr_t>(address));
}

void print_mmap(const Info& info) {
  const std::uint32_t end = info.mmap_addr + info.mmap_length;
  for (std::uint32_t address = info.mmap_addr; address < end;
       address += at<MmapEntry>(address)->size + 4) {
    const MmapEntry& entry = *at<MmapEntry>(address);
    put_str("mbinfo: mmap base ");
    put_hex(entry.base_addr);
    put_str(" length ");
    put_hex(entry.length);
    put_hex_line(" type ", entry.type);
  }
}

}  // namespace

extern "C" int guest_main() {
  put_hex_line("mbinfo: eax ", multiboot_magic);
  if (multiboot_magic != guest::kMultibootBootloaderMagic) return kNotMultiboot;

  const Info& info = *at<Info>(multiboot_info);
  // The fields this guest relies on; the rest of the flags word is the loader's own business
  // (QEMU also reports a boot device and an empty module list, Tandem does not).
  guest::put_str("mbinfo: has");
  if ((info.flags & kInfoMemory) != 0) guest::put_str(" mem");
  if ((info.flags & kInfoMmap) != 0) guest::put_str(" mmap");
  if ((info.flags & kInfoCmdline) != 0) guest::put_str(" cmdline");
  guest::put_byte('\n');
  if ((info.flags & kInfoMemory) != 0) {
    put_hex_line("mbinfo: mem_lower ", info.mem_lower);
    put_hex_line("mbinfo: mem_upper ", info.mem_upper);
  }
  if ((info.flags & kInfoMmap) != 0) print_mmap(info);
  if ((info.flags & kInfoCmdline) != 0) {
    put_str("mbinfo: cmdline \"");
    put_str(at<char>(info.cmdline));
    put_str("\"\n");
  }
  return 0;
}
