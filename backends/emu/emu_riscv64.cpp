// SPDX-License-Identifier: Apache-2.0
// riscv64 under Unicorn: the backend plays the SBI firmware. The guest runs in S-mode; ECALL
// from S goes to the VM's SBI, WFI halts, and the exceptions a hart would take into S-mode under
// OpenSBI (page faults, ECALL from U, illegal instructions, ...) are delivered to the guest's
// stvec by the backend (Unicorn never vectors them, UNICORN.md TL;DR; emu_riscv_trap.h). An
// access with no RAM and no device is the VM's policy (emu_memory.cpp), not an exception.
#include <optional>

#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_quirks.h"
#include "backends/emu/emu_riscv_mip.h"
#include "backends/emu/emu_riscv_trap.h"
#include "backends/emu/emu_riscv_walk.h"
#include "core/arch/riscv64/csr.h"
#include "core/arch/riscv64/guest_trap.h"
#include "core/arch/riscv64/remote_fence.h"
#include "core/arch/riscv64/sbi.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"

namespace tandem::emu {
namespace {

// Unicorn passes the exception code (RISC-V privileged spec 3.1.15, table 3.6) as intno, and
// reports every ECALL as 8 whatever the mode it came from (UNICORN.md section 2); the privilege
// it was raised at tells an SBI call (from S) from a system call (from U).
constexpr uint32_t kCauseEcall = 8;
constexpr uint32_t kCauseIllegal = 2;
constexpr uint32_t kCauseBreakpoint = 3;
constexpr uint32_t kCauseLoadMisaligned = 4;
constexpr uint32_t kCauseStoreMisaligned = 6;
constexpr uint64_t kPrivU = 0;
constexpr uint64_t kPrivS = 1;
constexpr uint64_t kPrivM = 3;

// Unicorn starts in M-mode and 2.1.1 cannot set the privilege (UC_RISCV_REG_PRIV is 2.1.2), so
// the guest is entered through one mret on a scratch page at QEMU virt's boot-ROM address,
// which Tandem's riscv64 map leaves empty; the page is unmapped again before the guest runs.
constexpr uint64_t kTrampoline = 0x1000;
constexpr uint64_t kTrampolineSize = 0x1000;
constexpr uint32_t kMret = 0x30200073;  // riscv64-linux-gnu-as: mret

// mstatus.MPP = S (priv spec 3.1.6.1) so mret lands in S-mode; FS = Initial so an F/D guest
// can use the FPU, as OpenSBI leaves it.
constexpr uint64_t kMstatusMppS = 1ull << 11;
constexpr uint64_t kMstatusFsInitial = 1ull << 13;
// Delegations OpenSBI sets (sbi_hart.c delegate_traps): S-level software/timer/external
// interrupts, and misaligned fetch, breakpoint, U-mode ecall and page faults. Unicorn reports
// exceptions to the host either way; the interrupt delegation matters once SIP is injected.
constexpr uint64_t kMideleg = (1u << 1) | (1u << 5) | (1u << 9);
constexpr uint64_t kMedeleg =
    (1u << 0) | (1u << 3) | (1u << 8) | (1u << 12) | (1u << 13) | (1u << 15);
constexpr uint64_t kMcounteren = 0x7;  // CY, TM, IR readable from S-mode

// The instruction at the guest virtual address `pc`, read through the guest's page tables (2.1.1
// has no uc_vmem_read, and the PC is virtual once paging is on): its 16 bits if compressed, its
// 32 otherwise, which may straddle a page. nullopt if it cannot be read.
std::optional<uint32_t> fetch_insn(uc_engine* uc, uint64_t pc) {
  uint16_t half[2] = {};
  for (unsigned i = 0; i < 2; ++i) {
    const std::optional<uint64_t> at = riscv_fetch_address(uc, pc + 2 * uint64_t{i});
    if (!at || uc_mem_read(uc, *at, &half[i], sizeof half[i]) != UC_ERR_OK) return std::nullopt;
    if (i == 0 && (half[0] & 3) != 3) return half[0];  // RVC (priv spec 1.5, "Base encoding")
  }
  return half[0] | uint32_t{half[1]} << 16;
}

// The instruction that trapped at `pc`. The walk reads satp, an S-mode CSR the engine refuses
// to the host while the hart is in U-mode (emu_riscv_mip.h), so a trap from U-mode (Linux's vDSO
// reading `time`) is looked at with the engine at S for the moment.
std::optional<uint32_t> fetch_trapped_insn(EmuCpu& cpu, uint64_t pc) {
  const Result<RiscvTrapInfo> info = riscv_trap_info(cpu.uc, cpu.context);
  if (!info || info->priv != kPrivU) return fetch_insn(cpu.uc, pc);
  if (!riscv_set_priv(cpu.uc, cpu.context, kPrivS)) return std::nullopt;
  const std::optional<uint32_t> insn = fetch_insn(cpu.uc, pc);
  if (!riscv_set_priv(cpu.uc, cpu.context, kPrivU)) return std::nullopt;
  return insn;
}

// --icount: the instructions that start in [from, to) of one translation block, 2 bytes for an
// RVC encoding and 4 otherwise (priv spec 1.5, "Base encoding"), read through the guest's page
// tables as fetch_trapped_insn reads them. An unreadable halfword counts the rest as 4-byte
// instructions (the same every run).
uint64_t insns_between(EmuCpu& cpu, uint64_t from, uint64_t to) {
  if (from >= to) return 0;
  const Result<RiscvTrapInfo> info = riscv_trap_info(cpu.uc, cpu.context);
  const bool user = info && info->priv == kPrivU;
  if (user && !riscv_set_priv(cpu.uc, cpu.context, kPrivS)) return (to - from) / 4;
  constexpr uint64_t kPage = 0xfff;
  uint64_t count = 0;
  uint64_t pc = from;
  std::optional<uint64_t> page;  // the guest-physical page of `pc`
  while (pc < to) {
    if (pc == from || (pc & kPage) == 0) page = riscv_fetch_address(cpu.uc, pc & ~kPage);
    uint16_t half = 0;
    if (!page || uc_mem_read(cpu.uc, *page + (pc & kPage), &half, sizeof half) != UC_ERR_OK) {
      count += (to - pc + 3) / 4;
      break;
    }
    pc += (half & 3) == 3 ? 4 : 2;
    ++count;
  }
  if (user && !riscv_set_priv(cpu.uc, cpu.context, kPrivU))
    TLOG_DEBUG("emu: privilege not restored");
  return count;
}

// `rdtime rd` (csrrs rd, time, x0; Zicntr): Unicorn has no time source for the time CSR
// and raises an illegal-instruction exception (UNICORN.md section 2, "Timer"), so the backend
// completes the read from the VM's timer, as the CLINT's mtime would answer on QEMU. From U-mode
// too, whatever scounteren says: Linux opens `time` to user space only through the SBI PMU
// extension, which Tandem's SBI does not have, and its vDSO reads it all the same.
constexpr uint32_t kRdtimeMask = 0xFFFFF07F;
constexpr uint32_t kRdtime = 0xC0102073;

bool emulate_rdtime(EmuCpu& cpu, uint64_t pc, uint32_t insn) {
  if ((insn & kRdtimeMask) != kRdtime) return false;
  VcpuExit e;
  e.kind = ExitKind::kSysRegRead;
  e.addr = riscv64::CSR_TIME;
  e.size = 8;
  e.pc = pc;
  const ExitAction action = cpu.exits.handle(cpu.cpu_id, e);
  if (action == ExitAction::kNotHandled) return false;
  const unsigned rd = (insn >> 7) & 31;
  if (rd != 0 && action == ExitAction::kResume)
    write_reg(cpu.uc, UC_RISCV_REG_X0 + static_cast<int>(rd), e.value);
  write_reg(cpu.uc, UC_RISCV_REG_PC, pc + 4);
  return true;
}

// An RFENCE call the SBI accepted: the target harts' engines drop their translations
// (remote_fence_i) or TLBs (remote_sfence_vma, _asid) before they run again (SBI spec v2.0
// chapter 8; remote_fence.h, emu_coherence.h).
void remote_fence(EmuCpu& cpu, uint64_t eid, uint64_t fid, uint64_t mask, uint64_t base,
                  int64_t error) {
  const RemoteFence f = remote_fence_of(eid, fid, mask, base, error);
  if ((f.what & kFenceInstructions) != 0) flush_peers(cpu, f.harts, kFlushTranslations);
  if ((f.what & kFenceVsTlb) != 0) flush_peers(cpu, f.harts, kFlushTlb);
}

// An ECALL from S-mode: an SBI call (SBI spec 3: a7 = extension, a6 = function, a0..a5
// arguments; the VM's SBI returns error in a0 and value in a1). Only the registers the call
// reads (sbi_arg_regs) are read: each costs Unicorn 2.1.1 about 40 host instructions, and all
// eight were most of an ECALL exit's own cost. The vCPU's exit record is reused, as for a
// device access (device_access). PC is already past the ECALL, and is read only if a trace or
// report needs it.
void sbi_call(EmuCpu& cpu) {
  uc_engine* uc = cpu.uc;
  static constexpr int kArgs[8] = {UC_RISCV_REG_A0, UC_RISCV_REG_A1, UC_RISCV_REG_A2,
                                   UC_RISCV_REG_A3, UC_RISCV_REG_A4, UC_RISCV_REG_A5,
                                   UC_RISCV_REG_A6, UC_RISCV_REG_A7};
  VcpuExit& e = cpu.access;
  e.kind = ExitKind::kHypercall;
  e.args[7] = read_reg(uc, UC_RISCV_REG_A7);
  e.args[6] = read_reg(uc, UC_RISCV_REG_A6);
  const unsigned n = sbi_arg_regs(e.args[7]);
  for (unsigned i = 0; i < 6; ++i) e.args[i] = i < n ? read_reg(uc, kArgs[i]) : 0;
  const uint64_t eid = e.args[7], fid = e.args[6], mask = e.args[0], base = e.args[1];
  const PcSource pc(
      [](const void* c) {
        return read_reg(static_cast<const EmuCpu*>(c)->uc, UC_RISCV_REG_PC) - 4;
      },
      &cpu);
  cpu.exits.handle(cpu.cpu_id, e, pc);
  for (unsigned i = 0; i < e.results && i < 2; ++i) write_reg(uc, kArgs[i], e.args[i]);
  if (e.results > 0) remote_fence(cpu, eid, fid, mask, base, static_cast<int64_t>(e.args[0]));
  after_chip_access(cpu);
  stop_if_vm_stopped(cpu);
}

// Whether a hart under OpenSBI would take the exception in S-mode: OpenSBI's delegated and
// redirected set (trap_entry.h), and the misaligned loads and stores, which Unicorn raises only
// for atomics (LR/SC/AMO: it performs plain misaligned accesses itself) and which OpenSBI's
// misaligned-access emulation, decoding plain loads and stores only, redirects to S-mode too.
bool guest_exception(uint32_t cause) {
  using riscv64::Exception;
  if (cause > static_cast<uint32_t>(Exception::kStorePageFault)) return false;
  const auto e = static_cast<Exception>(cause);
  return riscv64::belongs_to_guest(e) || e == Exception::kLoadMisaligned ||
         e == Exception::kStoreMisaligned;
}

// stval for an exception (priv spec 4.1.9): the faulting address for misaligned accesses and
// page faults, the breakpoint's address, the instruction's bits for an illegal one (as QEMU
// writes them), 0 otherwise.
uint64_t trap_value(uint32_t cause, uint64_t pc, uint64_t badaddr, std::optional<uint32_t> insn) {
  switch (static_cast<riscv64::Exception>(cause)) {
    case riscv64::Exception::kIllegalInsn: return insn.value_or(0);
    case riscv64::Exception::kBreakpoint: return pc;
    case riscv64::Exception::kEcallFromU: return 0;
    default: return badaddr;
  }
}

// A misaligned SC or AMO is a store/AMO address-misaligned exception (priv spec 3.1.15: "AMOs
// ... raise store/AMO exceptions"); Unicorn reports them as load-misaligned (QEMU performs the
// AMO's read first, and its alignment check is the load's). LR stays a load.
constexpr uint32_t kOpcodeAmo = 0x2F;
constexpr uint32_t kFunct5Lr = 0b00010;

uint32_t misaligned_cause(std::optional<uint32_t> insn) {
  if (!insn || (*insn & 0x7F) != kOpcodeAmo || (*insn >> 27) == kFunct5Lr)
    return kCauseLoadMisaligned;
  return kCauseStoreMisaligned;
}

// Takes exception `cause` at `pc` (the faulting instruction) into the guest's S-mode, or ends
// the VM with a fault when the exception is not one the guest takes (an access fault: no RAM
// and no device there) or cannot be delivered.
void take_exception(EmuCpu& cpu, uint32_t cause, uint64_t pc, std::optional<uint32_t> insn) {
  uc_engine* uc = cpu.uc;
  const Result<RiscvTrapInfo> info = riscv_trap_info(uc, cpu.context);
  if (!info) return fault(cpu, "exception (the emulator's trap state is unreadable)", pc, pc);
  if (cause == kCauseEcall && info->priv == kPrivS) return sbi_call(cpu);
  const bool has_address = cause != kCauseIllegal && cause != kCauseBreakpoint;
  if (!guest_exception(cause) || (info->priv != kPrivU && info->priv != kPrivS))
    return fault(cpu, riscv64::exception_name(cause), has_address ? info->badaddr : pc, pc);
  const riscv64::Priv from =
      info->priv == kPrivU ? riscv64::Priv::kUser : riscv64::Priv::kSupervisor;
  const uint64_t tval = trap_value(cause, pc, info->badaddr, insn);
  const Result<void> taken = riscv_enter_supervisor(uc, cpu.context, from, pc,
                                                    static_cast<riscv64::Exception>(cause), tval);
  if (taken) return;
  // No handler to go to (stvec unset, unmapped or reserved): the guest cannot take its own
  // exception, which ends the VM as an exception nobody takes does.
  if (taken.error() == Status::kNotMapped || taken.error() == Status::kUnsupported)
    return fault(cpu, riscv64::exception_name(cause), has_address ? info->badaddr : pc, pc);
  fault(cpu, "exception the emulator did not let the host deliver", pc, pc);
}

void on_intr(uc_engine* uc, uint32_t intno, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  uint64_t pc = read_reg(uc, UC_RISCV_REG_PC);
  if constexpr (kRiscvPcAdvancedBeforeTrap) pc -= 4;  // exact for RVC too: Unicorn adds 4
  std::optional<uint32_t> insn;
  if (intno == kCauseIllegal || intno == kCauseLoadMisaligned) insn = fetch_trapped_insn(cpu, pc);
  // An ECALL and an emulated rdtime complete; an exception the guest takes re-runs the
  // instruction.
  const bool rdtime = intno == kCauseIllegal && insn && (*insn & kRdtimeMask) == kRdtime;
  icount_cut(cpu, pc, intno == kCauseEcall || rdtime);
  if (rdtime && emulate_rdtime(cpu, pc, *insn)) return;
  if (intno == kCauseLoadMisaligned) intno = misaligned_cause(insn);
  take_exception(cpu, intno, pc, insn);
}

// EBREAK does not reach UC_HOOK_INTR: Unicorn ends uc_emu_start with an error, the PC on the
// instruction (its riscv_stop_interrupt). A guest's EBREAK (Linux's BUG and WARN) is taken
// into its S-mode as a breakpoint and the run goes on.
constexpr uint32_t kEbreak = 0x00100073;
constexpr uint32_t kCEbreak = 0x9002;

bool take_stop(EmuCpu& cpu, uc_err err) {
  if (err != UC_ERR_EXCEPTION && err != UC_ERR_INSN_INVALID) return false;
  const uint64_t pc = read_reg(cpu.uc, UC_RISCV_REG_PC);
  const std::optional<uint32_t> insn = fetch_insn(cpu.uc, pc);
  if (!insn || (*insn != kEbreak && *insn != kCEbreak)) return false;
  take_exception(cpu, kCauseBreakpoint, pc, insn);
  return !cpu.has_exit;
}

// STIP and SEIP follow the chip's levels; SSIP is set on its rising edge only, since the guest
// clears it in sip itself.
void set_lines(EmuCpu& cpu, uint32_t lines) {
  constexpr uint64_t kLevels = cpu_irq::kStip | cpu_irq::kSeip;
  const uint64_t soft = lines & ~cpu.lines & cpu_irq::kSsip;
  if (!riscv_update_mip(cpu.uc, cpu.context, kLevels | soft, (lines & kLevels) | soft)) {
    cpu.exits.stop_info().set_fault(
        StopKind::kError,
        "emu: the riscv64 engine did not take an interrupt-pending (mip) update "
        "(backends/emu/README.md, riscv64 privilege)");
    uc_emu_stop(cpu.uc);
  }
}

Result<void> configure(EmuCpu& cpu) {
  if (uc_context_alloc(cpu.uc, &cpu.context) != UC_ERR_OK) return Error(Status::kNoMemory);
  uc_hook h;
  if (uc_hook_add(cpu.uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(on_intr), &cpu, 1, 0) !=
      UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  return ok();
}

// Enters S-mode at boot.pc with a0 = hart id, a1 = DTB (the SBI/Linux boot convention). Only
// possible while the engine is still in M-mode: once the guest runs in S-mode, Unicorn drops
// host writes to M-mode CSRs (UNICORN.md section 2, "IRQ injection"), so a second call fails.
Result<void> load_boot(EmuCpu& cpu, const BootState& boot) {
  uc_engine* uc = cpu.uc;
  if (cpu.left_machine_mode) return Error(Status::kUnsupported);
  if (uc_mem_map(uc, kTrampoline, kTrampolineSize, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK) {
    return Error(Status::kUnsupported);
  }
  write_reg(uc, UC_RISCV_REG_MSTATUS, kMstatusMppS | kMstatusFsInitial);
  write_reg(uc, UC_RISCV_REG_MEDELEG, kMedeleg);
  write_reg(uc, UC_RISCV_REG_MIDELEG, kMideleg);
  write_reg(uc, UC_RISCV_REG_MCOUNTEREN, kMcounteren);
  write_reg(uc, UC_RISCV_REG_SATP, 0);
  write_reg(uc, UC_RISCV_REG_MEPC, boot.pc);
  write_reg(uc, UC_RISCV_REG_A0, cpu.cpu_id);
  write_reg(uc, UC_RISCV_REG_A1, boot.args[1]);
  write_reg(uc, UC_RISCV_REG_SP, boot.sp);
  // The privilege field of the context is found on the first engine that enters S-mode.
  const std::vector<uint8_t> m_mode = riscv_context_bytes(uc, cpu.context);
  uc_err err = uc_mem_write(uc, kTrampoline, &kMret, sizeof kMret);
  // Run the mret and stop on arrival at the entry. Not with count=1: the next count=0 run would
  // remove Unicorn's count hook with a tb_flush, which in 2.0.1 memsets the whole 1 GiB
  // translation buffer (measured: ~2 s and 1 GiB of RSS).
  // Under a debugger with breakpoints (the engine's exits, emu_debug.h) `until` is ignored:
  // the mret is then run by count.
  size_t exits = 0;
  const bool counted = uc_ctl_get_exits_cnt(uc, &exits) == UC_ERR_OK;
  // --icount: the trampoline runs to the entry whatever slice another vCPU's deadline ended.
  const uint64_t count = icount_now();
  if (cpu.counting) icount_stop_at(kNoDeadline);
  if (err == UC_ERR_OK)
    err = uc_emu_start(uc, kTrampoline, counted ? 0 : boot.pc, 0, counted ? 1 : 0);
  const uint64_t pc = read_reg(uc, UC_RISCV_REG_PC);
  if (uc_mem_unmap(uc, kTrampoline, kTrampolineSize) != UC_ERR_OK || err != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  // A PC anywhere else means mret did not take (the engine was no longer in M-mode).
  if (pc != boot.pc) return Error(Status::kUnsupported);
  cpu.left_machine_mode = true;
  // --icount counts from the guest's entry: not the trampoline, nor the stop Unicorn makes of
  // `until` there.
  if (cpu.counting) icount_rewind(count);
  if (!riscv_find_priv(uc, cpu.context, m_mode) || !riscv_badaddr_offset()) {
    TLOG_ERROR(
        "emu: cannot deliver riscv64 interrupts and exceptions: the privilege or fault-address "
        "field of this Unicorn's saved context was not found (backends/emu/README.md, riscv64 "
        "privilege)");
    return Error(Status::kUnsupported);
  }
  return ok();
}

// The guest halted in WFI: it wakes for a pending interrupt it enabled in sie (priv spec 3.3.3),
// which the chip cannot see. sie's STIE/SSIE/SEIE sit where cpu_irq's bits do (sip layout). A
// hart in WFI is at S (WFI from U traps to the guest when TW is set, and Linux never does it).
// An IPI the engine already holds in sip.SSIP (an edge: the chip no longer reports it), taken
// while the guest had interrupts off (sstatus.SIE, as Linux's idle loop has them), must not
// wait for some later interrupt: the WFI completes at once. Without this, Debian's kernel on 2
// harts slept out up to a second of timer period with an IPI pending (measured: in 3 of 5 boots).
bool halted(EmuCpu& cpu) {
  if (cpu.chip == nullptr) return true;
  constexpr uint32_t kLines = cpu_irq::kSsip | cpu_irq::kStip | cpu_irq::kSeip;
  const auto enabled = static_cast<uint32_t>(read_reg(cpu.uc, UC_RISCV_REG_SIE)) & kLines;
  cpu.chip->set_wake_mask(cpu.cpu_id, enabled);
  return (read_reg(cpu.uc, UC_RISCV_REG_SIP) & enabled) == 0;
}

// remote_fence_i from another hart (emu_coherence.h). uc_ctl_flush_tb zeroes the whole
// translation buffer (README.md, "Translation buffer"; with the 1 GiB default about 2 s per
// fence, Debian's 6.12 kernel on 2 harts: 12 fences, 25 s); dropping the translations of guest
// RAM costs about 4 ms. Unicorn translates the start address as an instruction fetch at the
// engine's privilege, so the engine is at M (no translation) for the call.
void drop_translations(EmuCpu& cpu) {
  const Result<uint64_t> was = riscv_set_priv(cpu.uc, cpu.context, kPrivM);
  if (!was) return cpu.code.drop(cpu.uc);
  const bool dropped = remove_ram_translations(cpu);
  if (!riscv_set_priv(cpu.uc, cpu.context, *was) || !dropped) cpu.code.drop(cpu.uc);
}

int gpr(unsigned n) { return n < 32 ? UC_RISCV_REG_X0 + static_cast<int>(n) : -1; }

}  // namespace

const ArchOps kRiscv64Ops = {
    UC_ARCH_RISCV, UC_MODE_RISCV64, UC_RISCV_REG_PC, 4,      configure,         load_boot,    gpr,
    set_lines,     nullptr,         take_stop,       halted, drop_translations, insns_between};

}  // namespace tandem::emu
