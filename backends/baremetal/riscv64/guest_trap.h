// SPDX-License-Identifier: Apache-2.0
// Turns a guest trap (scause, stval, htval, htinst and the guest's registers) into the core's
// normalised VcpuExit, fetching and decoding the trapping instruction where the exit needs it.
#pragma once

#include <cstdint>
#include <optional>

#include "backends/baremetal/riscv64/context.h"
#include "core/vcpu/exit.h"

namespace tandem::baremetal::riscv64 {

struct GuestTrap {
  VcpuExit exit;
  // Bytes to add to sepc once the exit is handled: the trapping instruction's length for an
  // emulated access, ECALL or WFI; 0 when the guest must not continue past it.
  unsigned advance = 0;
};

// kMmioRead / kMmioWrite (store value masked to the access width), kHypercall (arguments are
// the guest's a0..a7, read by the caller), kHalt for WFI, kExternalInterrupt for an interrupt
// taken while the guest ran, and kFault with the cause named for everything else.
GuestTrap decode_guest_trap(const TrapFrame& frame);

// The guest-physical address of an instruction, load or store/AMO guest-page fault (18.6.1):
// htval holds it shifted right by 2 and stval the guest-virtual address, whose low 2 bits
// complete it (18.2.8). nullopt for any other trap.
std::optional<uint64_t> guest_page_fault_gpa(const TrapFrame& frame);

// The exception's name in the privileged spec's words ("illegal instruction", ...).
const char* exception_name(uint64_t scause);

}  // namespace tandem::baremetal::riscv64
