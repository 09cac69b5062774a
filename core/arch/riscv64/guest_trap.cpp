// SPDX-License-Identifier: Apache-2.0
#include "core/arch/riscv64/guest_trap.h"

#include "core/arch/riscv64/csr.h"
#include "core/arch/riscv64/insn_decode.h"
#include "core/base/log.h"

namespace tandem::riscv64 {
namespace {

GuestTrap fault(const TrapState& t, const char* reason, uint64_t addr, bool write = false) {
  GuestTrap g;
  g.exit.kind = ExitKind::kFault;
  g.exit.reason = reason;
  g.exit.addr = addr;
  g.exit.pc = t.sepc;
  g.exit.write = write;
  return g;
}

// The instruction at the guest's sepc, one halfword at a time so a 32-bit instruction may
// straddle a page.
Result<uint32_t> fetch_insn(uint64_t pc, FetchHalfword fetch) {
  const uint16_t lo = TRY(fetch(pc));
  if (insn_length(lo) == 2) return uint32_t{lo};
  const uint16_t hi = TRY(fetch(pc + 2));
  return uint32_t{lo} | (uint32_t{hi} << 16);
}

// A load/store guest-page fault outside guest RAM: an MMIO access. htinst names the
// instruction on hardware that fills it (18.6.3); QEMU 7.2 writes 0 there, so the instruction
// is fetched.
GuestTrap mmio_access(const TrapState& t, bool store_fault, FetchHalfword fetch) {
  const uint64_t gpa = *guest_page_fault_gpa(t.scause, t.stval, t.htval);
  Result<MemAccess> a = decode_transformed(t.htinst);
  if (!a.ok()) {
    Result<uint32_t> insn = fetch_insn(t.sepc, fetch);
    if (!insn.ok()) return fault(t, "MMIO access whose instruction cannot be read", gpa);
    a = decode_mem_access(*insn);
  }
  if (!a.ok() || a->is_store != store_fault)
    return fault(t, "MMIO access by an instruction other than an integer load/store", gpa,
                 store_fault);
  GuestTrap g;
  g.exit.kind = a->is_store ? ExitKind::kMmioWrite : ExitKind::kMmioRead;
  g.exit.addr = gpa;
  g.exit.size = a->size;
  g.exit.reg = a->reg;
  g.exit.sign_extend = a->sign_extend;
  g.exit.pc = t.sepc;
  if (a->is_store) {
    const uint64_t v = t.x[a->reg];
    g.exit.value = a->size == 8 ? v : v & ((uint64_t{1} << (a->size * 8)) - 1);
  }
  g.advance = a->length;
  return g;
}

// Virtual instruction exception (18.6.1): with hstatus.VTW=1 a VS-mode WFI lands here. stval
// may hold the instruction bits (18.6.2) or 0 (QEMU 7.2), so 0 means fetch it.
GuestTrap virtual_instruction(const TrapState& t, FetchHalfword fetch) {
  auto insn = static_cast<uint32_t>(t.stval);
  if (insn == 0) {
    Result<uint32_t> fetched = fetch_insn(t.sepc, fetch);
    if (fetched.ok()) insn = *fetched;
  }
  if (insn != kInsnWfi) return fault(t, "virtual instruction exception", t.sepc);
  GuestTrap g;
  g.exit.kind = ExitKind::kHalt;
  g.exit.pc = t.sepc;
  g.advance = 4;
  return g;
}

// stval holds an address for misaligned accesses and access/page faults (privileged spec
// "Supervisor Trap Value Register"); for the rest it is 0 or the instruction bits, so the
// report names the PC instead.
uint64_t faulting_address(const TrapState& t) {
  switch (t.scause) {
    case EXC_INST_MISALIGNED:
    case EXC_INST_ACCESS:
    case EXC_LOAD_MISALIGNED:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_MISALIGNED:
    case EXC_STORE_ACCESS:
    case EXC_INST_PAGE_FAULT:
    case EXC_LOAD_PAGE_FAULT:
    case EXC_STORE_PAGE_FAULT: return t.stval;
    default: return t.sepc;
  }
}

}  // namespace

std::optional<uint64_t> guest_page_fault_gpa(uint64_t scause, uint64_t stval, uint64_t htval) {
  switch (scause) {
    case EXC_INST_GUEST_PAGE_FAULT:
    case EXC_LOAD_GUEST_PAGE_FAULT:
    case EXC_STORE_GUEST_PAGE_FAULT: return (htval << 2) | (stval & 3);
    default: return std::nullopt;
  }
}

const char* exception_name(uint64_t cause) {
  switch (cause) {
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

GuestTrap decode_guest_trap(const TrapState& t, FetchHalfword fetch) {
  TLOG_TRACE("riscv64 guest trap scause=%#llx sepc=%#llx stval=%#llx htval=%#llx htinst=%#llx",
             static_cast<unsigned long long>(t.scause), static_cast<unsigned long long>(t.sepc),
             static_cast<unsigned long long>(t.stval), static_cast<unsigned long long>(t.htval),
             static_cast<unsigned long long>(t.htinst));
  if ((t.scause & SCAUSE_INTERRUPT) != 0) {
    GuestTrap g;
    g.exit.kind = ExitKind::kExternalInterrupt;
    g.exit.value = t.scause & ~SCAUSE_INTERRUPT;
    g.exit.pc = t.sepc;
    return g;
  }
  switch (t.scause) {
    case EXC_LOAD_GUEST_PAGE_FAULT: return mmio_access(t, false, fetch);
    case EXC_STORE_GUEST_PAGE_FAULT: return mmio_access(t, true, fetch);
    case EXC_INST_GUEST_PAGE_FAULT:
      return fault(t, "instruction fetch from a guest-physical address without RAM",
                   *guest_page_fault_gpa(t.scause, t.stval, t.htval));
    case EXC_ECALL_VS: {
      GuestTrap g;
      // SBI calls: a7 = extension, a6 = function, a0..a5 arguments (SBI spec v2.0, 3).
      g.exit.kind = ExitKind::kHypercall;
      g.exit.pc = t.sepc;
      for (unsigned i = 0; i < 8; i++) g.exit.args[i] = t.x[10 + i];
      g.advance = 4;  // ECALL has no compressed form
      return g;
    }
    case EXC_VIRTUAL_INST: return virtual_instruction(t, fetch);
    default: return fault(t, exception_name(t.scause), faulting_address(t));
  }
}

}  // namespace tandem::riscv64
