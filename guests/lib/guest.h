// SPDX-License-Identifier: Apache-2.0
// The guest library: console output and exit, the same calls on every architecture.
// guests/arch/<arch>/ implements put_byte() and guest_exit() for its board (the QEMU virt / PC
// map, DESIGN.md "Guest platform"); the formatting on top of it is shared.
#pragma once

#include <cstdint>

namespace guest {

// Writes one byte to the board's UART, waiting while its transmitter is full.
void put_byte(char c);

void put_str(const char* s);
// Hex with a 0x prefix and no leading zeros, so a value prints the same on every arch.
void put_hex(std::uint64_t value);
void put_dec(std::uint64_t value);
// "<label><value in hex>\n", the line shape the guests use to report what they read.
void put_hex_line(const char* label, std::uint64_t value);

// The status a guest exits with when it takes an exception it did not expect. It prints
// nothing, so a guest that faults on purpose shows the same console output everywhere.
inline constexpr int kTrapStatus = 99;

}  // namespace guest

extern "C" {
// Each guest defines guest_main(); the start code calls it and exits with its result.
int guest_main();
// Status 0 powers the machine off; any other status ends it with that exit code.
[[noreturn]] void guest_exit(int status);
// Where the start code's exception vectors go.
[[noreturn]] void guest_trap();
}
