// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/payload_parse.h"

#include <cstring>

namespace tandem::baremetal {
namespace {

Error damaged(const char** why, const char* reason) {
  *why = reason;
  return Error(Status::kBadImage);
}

constexpr const char* kOutside[kPieceCount] = {
    "the kernel lies outside the payload (truncated image?)",
    "the initrd lies outside the payload (truncated image?)",
    "the firmware lies outside the payload (truncated image?)",
    "the device tree lies outside the payload (truncated image?)",
    "the bootargs lie outside the payload (truncated image?)",
};

}  // namespace

Result<Payload> parse_payload(std::span<const uint8_t> area, const char** why) {
  PayloadHeader h;
  if (area.size() < sizeof h) return damaged(why, "the payload header is truncated");
  std::memcpy(&h, area.data(), sizeof h);
  if (h.magic != kPayloadMagic) return damaged(why, "no payload magic (not a Tandem image?)");
  if (h.version != kPayloadVersion || h.header_size != sizeof h || h.vm_size != sizeof(PayloadVm))
    return damaged(why, "the payload is of another version: repack with this image's tandem");
  if (h.total_size < sizeof h || h.total_size > area.size())
    return damaged(why, "the payload is truncated (its size runs past the image)");
  if (h.vm_count == 0) return Error(Status::kNotFound);
  if (h.vm_count > kPayloadMaxVms) return damaged(why, "the payload lists too many VMs");
  const uint64_t table_bytes = uint64_t{h.vm_count} * sizeof(PayloadVm);
  if (h.vm_table < sizeof h || h.vm_table > h.total_size || table_bytes > h.total_size - h.vm_table)
    return damaged(why, "the VM table lies outside the payload (truncated image?)");
  Payload out;
  out.vm_count = h.vm_count;
  for (unsigned i = 0; i < h.vm_count; i++) {
    const uint8_t* desc = area.data() + h.vm_table + i * sizeof(PayloadVm);
    PayloadVm vm;
    std::memcpy(&vm, desc, sizeof vm);
    if (vm.ram_size == 0 || vm.ram_size % kPayloadAlign != 0)
      return damaged(why, "a VM's RAM size is 0 or not a multiple of 4 KiB");
    if (vm.cpus == 0 || vm.cpus > kPayloadMaxCpus)
      return damaged(why, "a VM's vCPU count is outside 1..8");
    if (vm.board[sizeof vm.board - 1] != 0)
      return damaged(why, "a VM's board name is not terminated");
    if (vm.name[sizeof vm.name - 1] != 0) return damaged(why, "a VM's name is not terminated");
    PackedVm& p = out.vms[i];
    p.ram_size = vm.ram_size;
    p.cpus = vm.cpus;
    // The name stays in the image's own bytes, which outlive the VM.
    p.board = vm.board[0] != 0 ? reinterpret_cast<const char*>(desc + offsetof(PayloadVm, board))
                               : nullptr;
    p.name = reinterpret_cast<const char*>(desc + offsetof(PayloadVm, name));
    for (unsigned k = 0; k < kPieceCount; k++) {
      const PayloadBlob b = vm.pieces[k];
      if (b.size == 0) continue;
      if (b.offset < h.vm_table + table_bytes || b.offset > h.total_size ||
          b.size > h.total_size - b.offset)
        return damaged(why, kOutside[k]);
      p.pieces[k] = area.subspan(b.offset, b.size);
    }
    if (p.pieces[kPieceKernel].empty() && p.pieces[kPieceFirmware].empty())
      return damaged(why, "a VM has neither a kernel nor firmware");
  }
  if (out.cpus() > kPayloadMaxCpus)
    return damaged(why, "the VMs want more than 8 physical CPUs in all");
  return out;
}

}  // namespace tandem::baremetal
