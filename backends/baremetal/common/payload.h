// SPDX-License-Identifier: Apache-2.0
// The payload area: how a prebuilt bare-metal image carries its guests (Axvisor's "memory"
// image location). The image links a page-aligned .payload section holding only this header,
// in its own PT_LOAD segment placed above everything else; `tandem build-image`
// (cli/build_image.cpp) rewrites that segment to hold the header, a table of VM descriptors
// and the pieces each VM boots (what `tandem run --kernel/--initrd/--bios/--dtb/--append`
// name), so no cross toolchain is needed to pack a guest. At run time the image reads the
// header at __payload_start and boots each VM from its pieces with Vm::boot (core/vm/vm.h).
//
//  __payload_start  + vm_table                     + piece offsets (page-aligned)  + total_size
//  +---------------+-----------------------------+- - -+--------+- - -+--------+-+
//  | PayloadHeader | PayloadVm x vm_count        |     | kernel |     | initrd | ... free RAM
//  +---------------+-----------------------------+- - -+--------+- - -+--------+-+
//
// Every offset counts from the start of the header. The header is little-endian (both
// targets and the build host are). It is shared by the freestanding image and the hosted
// packer, so it is plain data with no dependencies.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem::baremetal {

inline constexpr uint64_t kPayloadMagic = 0x3144'4c50'4d44'4e54ull;  // "TNDMPLD1"
// 4: each VM has a name (3: a table of VMs with their boot pieces; 2: one guest ELF).
inline constexpr uint32_t kPayloadVersion = 4;
// Pieces start on a page boundary, so parsers' reads of them are naturally aligned.
inline constexpr uint64_t kPayloadAlign = 4096;
inline constexpr uint32_t kPayloadMaxCpus = 8;
// VMs an image runs side by side, each on physical CPUs of its own (at most kPayloadMaxCpus
// in all).
inline constexpr uint32_t kPayloadMaxVms = 4;
// More than the packer ever writes (its input files are at most 1 GiB each).
inline constexpr uint64_t kPayloadMaxBytes = 8ull << 30;

// A VM's name with its NUL.
inline constexpr uint32_t kPayloadNameBytes = 32;

// What a VM boots, as `tandem run` names it.
enum PayloadPiece : uint32_t {
  kPieceKernel,    // --kernel: ELF, arm64 / RISC-V Image or raw binary (detected at boot)
  kPieceInitrd,    // --initrd
  kPieceFirmware,  // --bios: runs in place from the board's flash
  kPieceDtb,       // --dtb: given instead of the board's device tree
  kPieceBootargs,  // --append: /chosen bootargs, without a NUL
  kPieceCount,
};

// A piece's bytes; size 0: not given.
struct PayloadBlob {
  uint64_t offset;
  uint64_t size;
};

// One VM: its RAM, vCPUs (one physical CPU each), board, pieces and name.
struct PayloadVm {
  uint64_t ram_size;
  uint32_t cpus;
  uint32_t reserved0;
  char board[16];  // NUL-terminated; empty: the architecture's default
  PayloadBlob pieces[kPieceCount];
  char name[kPayloadNameBytes];  // NUL-terminated: its console lines' "[name] " (several VMs)
};

struct PayloadHeader {
  uint64_t magic;
  uint32_t version;
  uint32_t header_size;  // sizeof(PayloadHeader)
  uint64_t total_size;   // bytes the payload segment occupies, header included
  // Set when the image is linked, read by the packer to validate a guest:
  uint64_t guest_ram_base;  // guest-physical base of guest RAM (the board's RAM base)
  uint16_t guest_machine;   // ELF e_machine the image runs guests of
  // Set by the packer:
  uint16_t vm_count;  // 0: no guest packed
  uint32_t vm_size;   // sizeof(PayloadVm)
  uint64_t vm_table;  // offset of vm_count PayloadVm
};

static_assert(sizeof(PayloadVm) == 144);
static_assert(offsetof(PayloadVm, pieces) == 32);
static_assert(sizeof(PayloadHeader) == 48);
static_assert(offsetof(PayloadHeader, guest_machine) == 32);
static_assert(offsetof(PayloadHeader, vm_table) == 40);

// The header an image links in: no guest yet.
constexpr PayloadHeader empty_payload(uint16_t machine, uint64_t guest_ram_base) {
  return PayloadHeader{kPayloadMagic,
                       kPayloadVersion,
                       sizeof(PayloadHeader),
                       sizeof(PayloadHeader),
                       guest_ram_base,
                       machine,
                       0,
                       sizeof(PayloadVm),
                       0};
}

}  // namespace tandem::baremetal
