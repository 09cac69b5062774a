// SPDX-License-Identifier: Apache-2.0
// Taking a trap into S-mode, as the privileged architecture does it (RISC-V Privileged
// Specification 20211203, 4.1.1 "Supervisor Status Register", 4.1.2 "stvec", 4.1.8 "scause",
// 4.1.7 "sepc", 4.1.9 "stval"): what a backend that has to deliver a guest's synchronous
// exception itself (emu: Unicorn only reports them, UNICORN.md) writes to sstatus, scause, sepc
// and stval, and where the guest continues. Pure; the emu backend applies it.
//
// sstatus bits a trap changes (4.1.1):
//   63  ...   8    7    6  5    4  3  2  1    0
//  +-----------+-----+--+----+----+--+--+---+--+
//  |    ...    | SPP |  |SPIE|    |  |  |SIE|  |
//  +-----------+-----+--+----+----+--+--+---+--+
//  SPP: 0 the trap came from U-mode, 1 from S-mode. SPIE takes SIE's value; SIE is cleared.
//
// stvec (4.1.2): BASE[63:2] | MODE[1:0]; MODE 0 Direct: every trap goes to BASE; MODE 1 Vectored:
// interrupts go to BASE + 4 * cause, exceptions to BASE; MODE >= 2 is reserved.
#pragma once

#include <cstdint>

#include "core/arch/riscv64/csr.h"

namespace tandem::riscv64 {

inline constexpr uint64_t STVEC_MODE_MASK = 0b11;
inline constexpr uint64_t STVEC_MODE_VECTORED = 1;

// Exception codes (scause with the interrupt bit clear, Table 4.2).
enum class Exception : uint8_t {
  kInsnMisaligned = 0,
  kInsnAccessFault = 1,
  kIllegalInsn = 2,
  kBreakpoint = 3,
  kLoadMisaligned = 4,
  kLoadAccessFault = 5,
  kStoreMisaligned = 6,
  kStoreAccessFault = 7,
  kEcallFromU = 8,
  kEcallFromS = 9,
  kInsnPageFault = 12,
  kLoadPageFault = 13,
  kStorePageFault = 15,
};

enum class Priv : uint8_t { kUser = 0, kSupervisor = 1 };

// The address a trap of `scause` enters at, or nothing (false) for a reserved stvec MODE.
constexpr bool stvec_target(uint64_t stvec, uint64_t scause, uint64_t& pc) {
  const uint64_t mode = stvec & STVEC_MODE_MASK;
  const uint64_t base = stvec & ~STVEC_MODE_MASK;
  if (mode > STVEC_MODE_VECTORED) return false;
  const bool interrupt = (scause & SCAUSE_INTERRUPT) != 0;
  pc = mode == STVEC_MODE_VECTORED && interrupt ? base + 4 * (scause & ~SCAUSE_INTERRUPT) : base;
  return true;
}

struct SupervisorTrap {
  uint64_t pc;       // where the guest continues: from stvec
  uint64_t sstatus;  // SPP, SPIE and SIE updated
  uint64_t scause;
  uint64_t sepc;  // the trapping instruction (4.1.7: "the virtual address of the instruction
                  // that was interrupted or that encountered the exception")
  uint64_t stval;
};

// Exception `cause` at `pc` taken into S-mode from `from`; `tval` is what stval gets (4.1.9:
// the faulting address for misaligned, access and page faults, the instruction bits or 0 for an
// illegal instruction, 0 for ECALL). False for a reserved stvec MODE, which has no defined
// target: a backend stops the guest with a fault then.
constexpr bool enter_supervisor(uint64_t sstatus, Priv from, uint64_t pc, uint64_t stvec,
                                Exception cause, uint64_t tval, SupervisorTrap& out) {
  out.scause = static_cast<uint64_t>(cause);
  if (!stvec_target(stvec, out.scause, out.pc)) return false;
  uint64_t next = sstatus & ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
  if (from == Priv::kSupervisor) next |= SSTATUS_SPP;
  if ((sstatus & SSTATUS_SIE) != 0) next |= SSTATUS_SPIE;
  out.sstatus = next;
  out.sepc = pc;
  out.stval = tval;
  return true;
}

// Whether the exception belongs to the guest's S-mode rather than to its SBI (which the
// hypervisor is): the set OpenSBI delegates with medeleg on QEMU's virt board (its boot log:
// 0xf0b509; bits 10 and 20-23 are the hypervisor extension's, which a guest kernel's S-mode
// never takes), plus illegal instructions, which OpenSBI redirects to S-mode when it does not
// emulate them. Not the guest's: ECALL from S-mode (the SBI call) and the misaligned loads and
// stores OpenSBI emulates; access faults (no RAM and no device there) are the VM's policy.
constexpr bool belongs_to_guest(Exception cause) {
  switch (cause) {
    case Exception::kInsnMisaligned:
    case Exception::kIllegalInsn:
    case Exception::kBreakpoint:
    case Exception::kEcallFromU:
    case Exception::kInsnPageFault:
    case Exception::kLoadPageFault:
    case Exception::kStorePageFault: return true;
    default: return false;
  }
}

static_assert(static_cast<uint64_t>(Exception::kStorePageFault) == 15);

}  // namespace tandem::riscv64
