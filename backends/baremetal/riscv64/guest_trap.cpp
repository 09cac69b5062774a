// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/riscv64/guest_trap.h"

#include "backends/baremetal/riscv64/csr.h"
#include "core/arch/riscv64/insn_decode.h"
#include "core/base/log.h"

namespace tandem::baremetal::riscv64 {
namespace {

using tandem::riscv64::decode_mem_access;
using tandem::riscv64::decode_transformed;
using tandem::riscv64::insn_length;
using tandem::riscv64::kInsnWfi;
using tandem::riscv64::MemAccess;

GuestTrap fault(const TrapFrame& f, const char* reason, uint64_t addr, bool write = false) {
  GuestTrap t;
  t.exit.kind = ExitKind::kFault;
  t.exit.reason = reason;
  t.exit.addr = addr;
  t.exit.pc = f.sepc;
  t.exit.write = write;
  return t;
}

// The instruction at the guest's sepc, read the way the guest fetched it (HLVX.HU through
// vsatp and hgatp), one halfword at a time so a 32-bit instruction may straddle a page.
Result<uint32_t> fetch_insn(uint64_t pc) {
  uint64_t cause = 0;
  const uint64_t lo = hv_guest_fetch_u16(pc, &cause);
  if (cause != 0) return Error(Status::kGuestFault);
  if (insn_length(static_cast<uint16_t>(lo)) == 2) return static_cast<uint32_t>(lo);
  const uint64_t hi = hv_guest_fetch_u16(pc + 2, &cause);
  if (cause != 0) return Error(Status::kGuestFault);
  return static_cast<uint32_t>(lo | (hi << 16));
}

// A load/store guest-page fault outside guest RAM: an MMIO access. htinst names the
// instruction on hardware that fills it (18.6.3); QEMU 7.2 writes 0 there, so the instruction
// is fetched.
GuestTrap mmio_access(const TrapFrame& f, bool store_fault) {
  const uint64_t gpa = *guest_page_fault_gpa(f);
  Result<MemAccess> a = decode_transformed(f.htinst);
  if (!a.ok()) {
    Result<uint32_t> insn = fetch_insn(f.sepc);
    if (!insn.ok()) return fault(f, "MMIO access whose instruction cannot be read", gpa);
    a = decode_mem_access(*insn);
  }
  if (!a.ok() || a->is_store != store_fault)
    return fault(f, "MMIO access by an instruction other than an integer load/store", gpa,
                 store_fault);
  GuestTrap t;
  t.exit.kind = a->is_store ? ExitKind::kMmioWrite : ExitKind::kMmioRead;
  t.exit.addr = gpa;
  t.exit.size = a->size;
  t.exit.reg = a->reg;
  t.exit.sign_extend = a->sign_extend;
  t.exit.pc = f.sepc;
  if (a->is_store) {
    const uint64_t v = f.x[a->reg];
    t.exit.value = a->size == 8 ? v : v & ((uint64_t{1} << (a->size * 8)) - 1);
  }
  t.advance = a->length;
  return t;
}

// Virtual instruction exception (18.6.1): with hstatus.VTW=1 a VS-mode WFI lands here. stval
// may hold the instruction bits (18.6.2) or 0 (QEMU 7.2), so 0 means fetch it.
GuestTrap virtual_instruction(const TrapFrame& f) {
  uint32_t insn = static_cast<uint32_t>(f.stval);
  if (insn == 0) {
    Result<uint32_t> fetched = fetch_insn(f.sepc);
    if (fetched.ok()) insn = *fetched;
  }
  if (insn != kInsnWfi) return fault(f, "virtual instruction exception", f.sepc);
  GuestTrap t;
  t.exit.kind = ExitKind::kHalt;
  t.exit.pc = f.sepc;
  t.advance = 4;
  return t;
}

// stval holds an address for misaligned accesses and access/page faults (privileged spec
// "Supervisor Trap Value Register"); for the rest it is 0 or the instruction bits, so the
// report names the PC instead.
uint64_t faulting_address(const TrapFrame& f) {
  switch (f.scause) {
    case EXC_INST_MISALIGNED:
    case EXC_INST_ACCESS:
    case EXC_LOAD_MISALIGNED:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_MISALIGNED:
    case EXC_STORE_ACCESS:
    case EXC_INST_PAGE_FAULT:
    case EXC_LOAD_PAGE_FAULT:
    case EXC_STORE_PAGE_FAULT: return f.stval;
    default: return f.sepc;
  }
}

}  // namespace

std::optional<uint64_t> guest_page_fault_gpa(const TrapFrame& f) {
  switch (f.scause) {
    case EXC_INST_GUEST_PAGE_FAULT:
    case EXC_LOAD_GUEST_PAGE_FAULT:
    case EXC_STORE_GUEST_PAGE_FAULT: return (f.htval << 2) | (f.stval & 3);
    default: return std::nullopt;
  }
}

const char* exception_name(uint64_t scause) {
  switch (scause) {
    case EXC_INST_MISALIGNED: return "instruction address misaligned";
    case EXC_INST_ACCESS: return "instruction access fault";
    case EXC_ILLEGAL_INST: return "illegal instruction";
    case EXC_BREAKPOINT: return "breakpoint";
    case EXC_LOAD_MISALIGNED: return "load address misaligned";
    case EXC_LOAD_ACCESS: return "load access fault";
    case EXC_STORE_MISALIGNED: return "store/AMO address misaligned";
    case EXC_STORE_ACCESS: return "store/AMO access fault";
    case EXC_ECALL_U: return "environment call from U-mode";
    case EXC_ECALL_HS: return "environment call from HS-mode";
    case EXC_ECALL_VS: return "environment call from VS-mode";
    case EXC_ECALL_M: return "environment call from M-mode";
    case EXC_INST_PAGE_FAULT: return "instruction page fault";
    case EXC_LOAD_PAGE_FAULT: return "load page fault";
    case EXC_STORE_PAGE_FAULT: return "store/AMO page fault";
    case EXC_INST_GUEST_PAGE_FAULT: return "instruction guest-page fault";
    case EXC_LOAD_GUEST_PAGE_FAULT: return "load guest-page fault";
    case EXC_VIRTUAL_INST: return "virtual instruction";
    case EXC_STORE_GUEST_PAGE_FAULT: return "store/AMO guest-page fault";
    default: return "unknown exception";
  }
}

GuestTrap decode_guest_trap(const TrapFrame& f) {
  TLOG_TRACE("riscv64 guest trap scause=%#lx sepc=%#lx stval=%#lx htval=%#lx htinst=%#lx", f.scause,
             f.sepc, f.stval, f.htval, f.htinst);
  if ((f.scause & SCAUSE_INTERRUPT) != 0) {
    GuestTrap t;
    t.exit.kind = ExitKind::kExternalInterrupt;
    t.exit.value = f.scause & ~SCAUSE_INTERRUPT;
    t.exit.pc = f.sepc;
    return t;
  }
  switch (f.scause) {
    case EXC_LOAD_GUEST_PAGE_FAULT: return mmio_access(f, false);
    case EXC_STORE_GUEST_PAGE_FAULT: return mmio_access(f, true);
    case EXC_INST_GUEST_PAGE_FAULT:
      return fault(f, "instruction fetch from a guest-physical address without RAM",
                   *guest_page_fault_gpa(f));
    case EXC_ECALL_VS: {
      GuestTrap t;
      // SBI calls: a7 = extension, a6 = function, a0..a5 arguments (SBI spec v2.0, 3).
      t.exit.kind = ExitKind::kHypercall;
      t.exit.pc = f.sepc;
      for (unsigned i = 0; i < 8; i++) t.exit.args[i] = f.x[10 + i];
      t.advance = 4;  // ECALL has no compressed form
      return t;
    }
    case EXC_VIRTUAL_INST: return virtual_instruction(f);
    default: return fault(f, exception_name(f.scause), faulting_address(f));
  }
}

}  // namespace tandem::baremetal::riscv64
