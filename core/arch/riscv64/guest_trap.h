// SPDX-License-Identifier: Apache-2.0
// Turns a trap from VS/VU-mode to HS-mode (scause, stval, htval, htinst and the guest's
// registers) into the core's normalised VcpuExit, with the trapping instruction decoded where
// the exit needs it. Pure: the caller passes the instruction fetch (HLVX.HU on bare metal), so
// host tests drive it with any trap. RISC-V privileged spec 20240411, 18.6 "Traps".
#pragma once

#include <cstdint>
#include <optional>

#include "core/base/result.h"
#include "core/vcpu/exit.h"

namespace tandem::riscv64 {

// What a trap left in the CSRs, and the guest's x registers (x[0] reads as 0).
struct TrapState {
  const uint64_t* x;  // x0..x31
  uint64_t sepc;
  uint64_t scause;
  uint64_t stval;
  uint64_t htval;
  uint64_t htinst;
};

// Reads the guest instruction halfword at guest-virtual `pc` the way the guest fetched it;
// an error when that read faults.
using FetchHalfword = Result<uint16_t> (*)(uint64_t pc);

struct GuestTrap {
  VcpuExit exit;
  // Bytes to add to sepc once the exit is handled: the trapping instruction's length for an
  // emulated access, ECALL or WFI; 0 when the guest must not continue past it.
  unsigned advance = 0;
};

// kMmioRead / kMmioWrite (store value masked to the access width) for a load/store
// guest-page fault, kHypercall (a0..a7) for ECALL from VS-mode, kHalt for WFI,
// kExternalInterrupt (value: the interrupt code) for an interrupt taken while the guest ran,
// and kFault with the cause named for everything else.
GuestTrap decode_guest_trap(const TrapState& t, FetchHalfword fetch);

// The guest-physical address of an instruction, load or store/AMO guest-page fault (18.6.1):
// htval holds it shifted right by 2 and stval the guest-virtual address, whose low 2 bits
// complete it (18.2.8). nullopt for any other cause.
std::optional<uint64_t> guest_page_fault_gpa(uint64_t scause, uint64_t stval, uint64_t htval);

// The exception's name in the privileged spec's words ("illegal instruction", ...), for a
// cause without the interrupt bit.
const char* exception_name(uint64_t cause);

}  // namespace tandem::riscv64
