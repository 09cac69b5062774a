// SPDX-License-Identifier: Apache-2.0
// CSR numbers, the register fields a hypervisor uses, trap cause codes and interrupt bits: the
// pure part of the CSRs, shared by the bare-metal HS-mode backend (which adds the accessors,
// backends/baremetal/riscv64/csr.h), trap decoding (guest_trap.h) and host tests.
// RISC-V privileged spec 20240411: 2.2 "CSR Listing", the Supervisor-Level ISA chapter's CSRs and
// 18.2 "Hypervisor and Virtual Supervisor CSRs".
#pragma once

#include <cstdint>

namespace tandem::riscv64 {

// Supervisor CSRs.
inline constexpr unsigned CSR_SSTATUS = 0x100;
inline constexpr unsigned CSR_SIE = 0x104;
inline constexpr unsigned CSR_SIP = 0x144;
inline constexpr unsigned CSR_STIMECMP = 0x14d;  // Sstc
inline constexpr unsigned CSR_TIME = 0xc01;

// Hypervisor CSRs (18.2.1 - 18.2.10).
inline constexpr unsigned CSR_HSTATUS = 0x600;
inline constexpr unsigned CSR_HEDELEG = 0x602;
inline constexpr unsigned CSR_HIDELEG = 0x603;
inline constexpr unsigned CSR_HIE = 0x604;
inline constexpr unsigned CSR_HTIMEDELTA = 0x605;
inline constexpr unsigned CSR_HCOUNTEREN = 0x606;
inline constexpr unsigned CSR_HENVCFG = 0x60a;
inline constexpr unsigned CSR_HVIP = 0x645;
inline constexpr unsigned CSR_HGATP = 0x680;

// Virtual supervisor CSRs (18.2.11 - 18.2.18): while V=0 these are the guest's S-mode CSRs.
inline constexpr unsigned CSR_VSSTATUS = 0x200;
inline constexpr unsigned CSR_VSIE = 0x204;
inline constexpr unsigned CSR_VSTVEC = 0x205;
inline constexpr unsigned CSR_VSSCRATCH = 0x240;
inline constexpr unsigned CSR_VSEPC = 0x241;
inline constexpr unsigned CSR_VSCAUSE = 0x242;
inline constexpr unsigned CSR_VSTVAL = 0x243;
inline constexpr unsigned CSR_VSATP = 0x280;
inline constexpr unsigned CSR_VSTIMECMP = 0x24d;  // Sstc

// sstatus ("Supervisor Status Register") and vsstatus (18.2.11, same layout).
inline constexpr uint64_t SSTATUS_SIE = 1ull << 1;
inline constexpr uint64_t SSTATUS_SPIE = 1ull << 5;
inline constexpr uint64_t SSTATUS_SPP = 1ull << 8;
inline constexpr uint64_t SSTATUS_FS = 3ull << 13;  // FP state: Off, Initial, Clean, Dirty
inline constexpr uint64_t SSTATUS_FS_INITIAL = 1ull << 13;

// hstatus (18.2.1).
inline constexpr uint64_t HSTATUS_SPV = 1ull << 7;
inline constexpr uint64_t HSTATUS_SPVP = 1ull << 8;
inline constexpr uint64_t HSTATUS_VTW = 1ull << 21;
// The guest's XLEN (bits 33:32): 2 = 64-bit, the only value QEMU 7.2 allows.
inline constexpr uint64_t HSTATUS_VSXL = 3ull << 32;

// scause exception codes with the hypervisor's additions (18.6.1 "Trap Cause Codes").
inline constexpr uint64_t SCAUSE_INTERRUPT = 1ull << 63;
inline constexpr uint64_t EXC_INST_MISALIGNED = 0;
inline constexpr uint64_t EXC_INST_ACCESS = 1;
inline constexpr uint64_t EXC_ILLEGAL_INST = 2;
inline constexpr uint64_t EXC_BREAKPOINT = 3;
inline constexpr uint64_t EXC_LOAD_MISALIGNED = 4;
inline constexpr uint64_t EXC_LOAD_ACCESS = 5;
inline constexpr uint64_t EXC_STORE_MISALIGNED = 6;
inline constexpr uint64_t EXC_STORE_ACCESS = 7;
inline constexpr uint64_t EXC_ECALL_U = 8;
inline constexpr uint64_t EXC_ECALL_HS = 9;
inline constexpr uint64_t EXC_ECALL_VS = 10;
inline constexpr uint64_t EXC_ECALL_M = 11;
inline constexpr uint64_t EXC_INST_PAGE_FAULT = 12;
inline constexpr uint64_t EXC_LOAD_PAGE_FAULT = 13;
inline constexpr uint64_t EXC_STORE_PAGE_FAULT = 15;
inline constexpr uint64_t EXC_INST_GUEST_PAGE_FAULT = 20;
inline constexpr uint64_t EXC_LOAD_GUEST_PAGE_FAULT = 21;
inline constexpr uint64_t EXC_VIRTUAL_INST = 22;
inline constexpr uint64_t EXC_STORE_GUEST_PAGE_FAULT = 23;

// sie / sip (the Supervisor-Level ISA chapter): the supervisor timer interrupt, also its scause
// interrupt code.
inline constexpr uint64_t IRQ_S_SOFT = 1;
inline constexpr uint64_t IRQ_S_TIMER = 5;
inline constexpr uint64_t SIE_SSIE = 1ull << IRQ_S_SOFT;
inline constexpr uint64_t SIE_STIE = 1ull << IRQ_S_TIMER;

// Interrupt bits of hideleg / hvip / hip (18.2.2, 18.2.3): the VS-level ones.
inline constexpr uint64_t IRQ_VSSIP = 1ull << 2;
inline constexpr uint64_t IRQ_VSTIP = 1ull << 6;
inline constexpr uint64_t IRQ_VSEIP = 1ull << 10;

// hcounteren (18.2.6): which counters VS/VU-mode may read.
inline constexpr uint64_t HCOUNTEREN_CY = 1ull << 0;
inline constexpr uint64_t HCOUNTEREN_TM = 1ull << 1;
inline constexpr uint64_t HCOUNTEREN_IR = 1ull << 2;

// henvcfg (18.2.5): STCE lets VS-mode use its own timer compare (Sstc: stimecmp is vstimecmp).
inline constexpr uint64_t HENVCFG_STCE = 1ull << 63;

}  // namespace tandem::riscv64
