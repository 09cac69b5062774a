// SPDX-License-Identifier: Apache-2.0
// MMIO loads and stores of every width and signedness against the PL011 (PL011 TRM, DDI 0183),
// printing what each returned. The ID registers are fixed values (QEMU hw/char/pl011.c:
// PeriphID0..3 = 11 10 14 00 at 0xfe0..0xfec, PCellID0..3 = 0d f0 05 b1 at 0xff0..0xffc);
// FR reads 0x90 (TXFE | RXFE) with nothing received. QEMU implements PL011 accesses as 32 bits
// wide: narrower reads see the register truncated, and a 64-bit access is split into two 32-bit
// ones, low address first (memory_region access_size_max defaults to 4).
#include "guest.h"
#include "io.h"
#include "platform.h"

namespace {

using guest::put_hex_line;
namespace io = guest::io;

constexpr std::uintptr_t kDr = guest::kPl011Base + 0x000;
constexpr std::uintptr_t kFr = guest::kPl011Base + 0x018;
constexpr std::uintptr_t kPeriphId0 = guest::kPl011Base + 0xfe0;
constexpr std::uintptr_t kPCellId0 = guest::kPl011Base + 0xff0;
constexpr std::uint32_t kFrTxff = 1u << 5;

void wait_tx_space() {
  while ((io::read32(kFr) & kFrTxff) != 0) {
  }
}

}  // namespace

extern "C" int guest_main() {
  put_hex_line("mmio: PL011 at ", guest::kPl011Base);
  put_hex_line("ldrb PeriphID0: ", io::read8(kPeriphId0));
  put_hex_line("ldrh PeriphID1: ", io::read16(kPeriphId0 + 4));
  put_hex_line("ldr w PeriphID2: ", io::read32(kPeriphId0 + 8));
  put_hex_line("ldr w PeriphID3: ", io::read32(kPeriphId0 + 12));
  put_hex_line("ldrsb w PCellID1: ", io::read8_sext32(kPCellId0 + 4));
  put_hex_line("ldrsb x PCellID1: ", io::read8_sext64(kPCellId0 + 4));
  put_hex_line("ldrsb x PCellID3: ", io::read8_sext64(kPCellId0 + 12));
  put_hex_line("ldrsh w PCellID3: ", io::read16_sext32(kPCellId0 + 12));
  put_hex_line("ldrsh x PCellID3: ", io::read16_sext64(kPCellId0 + 12));
  put_hex_line("ldrsw x PCellID3: ", io::read32_sext64(kPCellId0 + 12));
  put_hex_line("ldr x PCellID0+1: ", io::read64(kPCellId0));
  put_hex_line("ldr w FR: ", io::read32(kFr));

  // One character per store width; the 64-bit store also writes 0 to RSR/ECR at DR + 4, which
  // only clears the (absent) receive errors.
  guest::put_str("stores: ");
  wait_tx_space();
  io::write8(kDr, 'b');
  wait_tx_space();
  io::write16(kDr, 'h');
  wait_tx_space();
  io::write32(kDr, 'w');
  wait_tx_space();
  io::write64(kDr, 'x');
  guest::put_byte('\n');
  return 0;
}
