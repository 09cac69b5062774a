// SPDX-License-Identifier: Apache-2.0
#include "core/vm/boot.h"

#include "core/base/log.h"
#include "core/board/board.h"
#include "core/loader/elf.h"
#include "core/mm/address_space.h"
#include "core/mm/guest_memory.h"

namespace tandem {
namespace {

// load_elf's writes go through the guest-memory accessor, which refuses anything but RAM.
class GuestWriter final : public SegmentWriter {
 public:
  explicit GuestWriter(AddressSpace& space) : m_memory(space) {}
  Result<void> write(Gpa gpa, std::span<const uint8_t> bytes) override {
    return m_memory.write(gpa, bytes);
  }
  Result<void> zero(Gpa gpa, uint64_t size) override { return m_memory.fill(gpa, size, 0); }

 private:
  GuestMemory m_memory;
};

bool in_ram(const AddressSpace& space, uint64_t start, uint64_t size) {
  if (size == 0) size = 1;
  if (start + size < start) return false;
  const Region* r = space.find(Gpa(start));
  return r != nullptr && r->kind == RegionKind::kRam && (start + size) - r->base.raw() <= r->size;
}

}  // namespace

Result<LoadedGuest> load_guest(Arch arch, AddressSpace& space, std::span<const uint8_t> elf) {
  const ElfImage image = TRY(parse_elf(elf));
  if (image.arch != arch) return Error(Status::kUnsupported);

  LoadedGuest guest;
  guest.image_start = ~uint64_t{0};
  for (const ElfSegment& seg : image.loadable()) {
    if (seg.memsz == 0) continue;
    if (!in_ram(space, seg.paddr, seg.memsz)) return Error(Status::kOutOfRange);
    guest.image_start = seg.paddr < guest.image_start ? seg.paddr : guest.image_start;
    guest.image_end =
        seg.paddr + seg.memsz > guest.image_end ? seg.paddr + seg.memsz : guest.image_end;
  }
  if (guest.image_end == 0 || !in_ram(space, image.entry, 4)) return Error(Status::kOutOfRange);

  GuestWriter writer(space);
  guest.boot.pc = TRY(load_elf(image, elf, writer));
  return guest;
}

Result<Gpa> place_device_tree(Board& board, AddressSpace& space, const LoadedGuest& guest,
                              std::span<const uint8_t> dtb, uint64_t ram_size) {
  const Gpa at = TRY(board.dtb_address(guest, dtb.size(), ram_size));
  TRY(GuestMemory(space).write(at, dtb));
  TLOG_DEBUG("device tree (%zu bytes) at %#llx", dtb.size(),
             static_cast<unsigned long long>(at.raw()));
  return at;
}

}  // namespace tandem
