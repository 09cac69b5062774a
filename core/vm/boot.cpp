// SPDX-License-Identifier: Apache-2.0
#include "core/vm/boot.h"

#include "core/arch/x86_64/long_mode.h"
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

Result<void> prepare_x86(AddressSpace& space, const LoadedGuest& guest, BootState& boot) {
  const uint64_t tables = kX86BootTablesGpa;
  const uint64_t tables_end = tables + x86::kLongModeTablesSize;
  if (guest.image_start < tables_end && tables < guest.image_end) return Error(Status::kOverlap);
  const Region* region = space.find(Gpa(tables));
  if (region == nullptr || region->kind != RegionKind::kRam || !region->contiguous())
    return Error(Status::kOutOfRange);
  const Hva host = TRY(space.host_address(*region));
  std::span<uint8_t> ram(to_ptr<uint8_t>(host), region->size);
  boot.x86 = TRY(x86::build_long_mode(ram, region->base, Gpa(tables)));
  return ok();
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
  switch (arch) {
    case Arch::kAarch64:  // x0 = DTB address; 0 until Tandem generates one
    case Arch::kRiscv64:  // a0 = hart id 0, a1 = DTB address (0: none yet)
      break;
    case Arch::kX86_64: TRY(prepare_x86(space, guest, guest.boot)); break;
  }
  return guest;
}

}  // namespace tandem
