// SPDX-License-Identifier: Apache-2.0
#include "devices/exit/isa_debug_exit.h"

namespace tandem {

uint64_t IsaDebugExit::read(uint64_t, unsigned) { return 0; }

// QEMU ignores the offset and width (1..4 bytes) too; the value is what the guest wrote, at the
// width it wrote it.
void IsaDebugExit::write(uint64_t, unsigned size, uint64_t value) {
  const uint64_t bits = size >= 8 ? value : value & ((uint64_t{1} << (size * 8)) - 1);
  m_power.system_off(static_cast<int>(bits));
}

// QEMU's hw/misc/debugexit.c calls its one port iobase.
bool IsaDebugExit::register_name(uint64_t offset, bool write, RegisterName& out) const {
  (void)write;
  return offset < 4 && out.set("iobase");
}

}  // namespace tandem
