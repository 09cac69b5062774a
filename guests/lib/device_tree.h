// SPDX-License-Identifier: Apache-2.0
// The device tree the guest was booted with (aarch64 and riscv64), and a depth-first walk over
// it (DTSpec v0.4 chapter 5). Bounds are checked against the header's sizes, so a damaged blob
// ends the walk instead of reading wild memory.
#pragma once

#include <cstdint>

extern "C" {
// x0 (aarch64) / a1 (riscv64) at entry; start.S stores it.
extern std::uint64_t guest_boot_dtb;
}

namespace guest {

// The DTB the guest was given: the boot argument, or on aarch64 QEMU (which passes x0 = 0 to an
// ELF) the blob at the RAM base; nullptr when neither holds the FDT magic.
const std::uint8_t* device_tree();

std::uint32_t fdt_be32(const std::uint8_t* p);

// Receives every node (path like "/soc/serial@10000000", depth 0 = root) and each of its
// properties in blob order. Property values are not NUL-terminated unless they are strings.
class FdtVisitor {
 public:
  virtual void node(const char* path, int depth) = 0;
  virtual void property(const char* path, const char* name, const std::uint8_t* value,
                        std::uint32_t size) = 0;

 protected:
  ~FdtVisitor() = default;
};

// false when the blob's header or structure block is malformed.
bool fdt_walk(const std::uint8_t* blob, FdtVisitor& visitor);

}  // namespace guest
