// SPDX-License-Identifier: Apache-2.0
#include "core/board/board.h"

#include "core/mm/address_space.h"
#include "core/vm/boot.h"

namespace tandem {

Result<void> place(AddressSpace& space, DeviceBus& bus, const PlacedDevice& d) {
  if (d.window != 0) TRY(space.add_mmio(Gpa(d.base), d.window));
  return bus.add(d.space, d.base, d.size, *d.device);
}

Result<LoadedGuest> Board::load_firmware(AddressSpace& space, DeviceBus& bus,
                                         std::span<const uint8_t> image) {
  (void)space, (void)bus, (void)image;
  return Error(Status::kUnsupported);
}

}  // namespace tandem
