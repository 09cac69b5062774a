// SPDX-License-Identifier: Apache-2.0
#include "core/board/board.h"

#include "core/mm/address_space.h"

namespace tandem {

Result<void> place(AddressSpace& space, DeviceBus& bus, const PlacedDevice& d) {
  if (d.window != 0) TRY(space.add_mmio(Gpa(d.base), d.window));
  return bus.add(d.space, d.base, d.size, *d.device);
}

}  // namespace tandem
