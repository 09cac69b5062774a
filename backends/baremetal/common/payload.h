// SPDX-License-Identifier: Apache-2.0
// The payload area: how a prebuilt bare-metal image carries its guest (Axvisor's "memory"
// image location). The image links a page-aligned .payload section holding only this header,
// in its own PT_LOAD segment placed above everything else; `tandem build-image`
// (cli/build_image.cpp) rewrites that segment to hold the header followed by the guest ELF,
// so no cross toolchain is needed to pack a guest. At run time the image reads the header at
// __payload_start and loads the guest ELF from it into guest RAM.
//
//  __payload_start                       + guest_elf_offset          + total_size
//  +-----------------+- - - - - - - - - -+----------------------------+
//  | PayloadHeader   |  zero padding     |  guest ELF (guest_elf_size) |  free RAM ...
//  +-----------------+- - - - - - - - - -+----------------------------+
//
// The header is little-endian (both targets and the build host are). It is shared by the
// freestanding image and the hosted packer, so it is plain data with no dependencies.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem::baremetal {

inline constexpr uint64_t kPayloadMagic = 0x3144'4c50'4d44'4e54ull;  // "TNDMPLD1"
inline constexpr uint32_t kPayloadVersion = 2;                       // 2: the board name
// The guest ELF starts on a page boundary, so the ELF parser's reads are naturally aligned.
inline constexpr uint64_t kPayloadGuestOffset = 4096;

struct PayloadHeader {
  uint64_t magic;
  uint32_t version;
  uint32_t header_size;       // sizeof(PayloadHeader)
  uint64_t total_size;        // bytes the payload segment occupies, header included
  uint64_t guest_elf_offset;  // from the start of the header; 0 when no guest is packed
  uint64_t guest_elf_size;    // 0 when no guest is packed
  uint64_t guest_mem;         // bytes of guest RAM to give the guest
  // Set when the image is linked, read by the packer to validate a guest:
  uint64_t guest_ram_base;  // guest-physical base of guest RAM (the board's RAM base)
  uint16_t guest_machine;   // ELF e_machine the image runs guests of
  uint16_t reserved0;
  // Set by the packer: vCPUs, one physical CPU each (`tandem build-image --cpus`); 0 in an
  // image packed before the field existed means 1.
  uint32_t cpus;
  // Set by the packer: the board (`tandem build-image --machine`), NUL-terminated; empty for
  // the architecture's default.
  char board[16];
};

static_assert(sizeof(PayloadHeader) == 80);
static_assert(offsetof(PayloadHeader, guest_mem) == 40);
static_assert(offsetof(PayloadHeader, guest_machine) == 56);
static_assert(offsetof(PayloadHeader, cpus) == 60);
static_assert(offsetof(PayloadHeader, board) == 64);
inline constexpr uint32_t kPayloadMaxCpus = 8;

// The header an image links in: no guest yet.
constexpr PayloadHeader empty_payload(uint16_t machine, uint64_t guest_ram_base) {
  return PayloadHeader{kPayloadMagic,
                       kPayloadVersion,
                       sizeof(PayloadHeader),
                       sizeof(PayloadHeader),
                       0,
                       0,
                       0,
                       guest_ram_base,
                       machine,
                       0,
                       0,
                       {}};
}

}  // namespace tandem::baremetal
