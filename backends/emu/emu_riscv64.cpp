// SPDX-License-Identifier: Apache-2.0
// riscv64 under Unicorn: the backend plays the SBI firmware. The guest runs in S-mode, ECALL
// goes to the VM's SBI, WFI halts, and every other exception ends the VM with a fault (Unicorn
// never vectors it to stvec, UNICORN.md TL;DR).
#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_quirks.h"
#include "backends/emu/emu_riscv_mip.h"
#include "backends/emu/emu_riscv_walk.h"
#include "core/arch/riscv64/csr.h"
#include "core/arch/riscv64/guest_trap.h"
#include "core/arch/riscv64/sbi.h"
#include "core/base/log.h"
#include "core/vm/vm_exits.h"

namespace tandem::emu {
namespace {

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

// `rdtime rd` (csrrs rd, time, x0; Zicntr): Unicorn has no time source for the time CSR
// and raises an illegal-instruction exception (UNICORN.md section 2, "Timer"), so the backend
// completes the read from the VM's timer, as the CLINT's mtime would answer on QEMU.
constexpr uint32_t kRdtimeMask = 0xFFFFF07F;
constexpr uint32_t kRdtime = 0xC0102073;

bool emulate_rdtime(EmuCpu& cpu, uint64_t pc) {
  uint32_t insn = 0;
  // The PC is a guest virtual address once the guest turns paging on.
  const std::optional<uint64_t> at = riscv_fetch_address(cpu.uc, pc);
  if (!at || uc_mem_read(cpu.uc, *at, &insn, sizeof insn) != UC_ERR_OK) return false;
  if ((insn & kRdtimeMask) != kRdtime) return false;
  uint64_t time = 0;
  if (!cpu.exits.sysreg_read(cpu.cpu_id, riscv64::CSR_TIME, time, pc)) return false;
  const unsigned rd = (insn >> 7) & 31;
  if (rd != 0) write_reg(cpu.uc, UC_RISCV_REG_X0 + static_cast<int>(rd), time);
  write_reg(cpu.uc, UC_RISCV_REG_PC, pc + 4);
  return true;
}

// An RFENCE call the SBI accepted (so its hart list is valid): the target harts' engines drop
// their translations (remote_fence_i) or TLBs (remote_sfence_vma, _asid) before they run again
// (SBI spec v2.0 chapter 8; emu_coherence.h). The hfence calls are for guests with the H
// extension, which Unicorn's CPU does not offer.
void remote_fence(EmuCpu& cpu, const uint64_t args[8]) {
  const uint64_t mask = args[0], base = args[1];
  const uint64_t harts = base == ~uint64_t{0} ? ~uint64_t{0} : base < 64 ? mask << base : 0;
  switch (args[6]) {
    case SBI_RFENCE_REMOTE_FENCE_I: flush_peers(cpu, harts, kFlushTranslations); break;
    case SBI_RFENCE_REMOTE_SFENCE_VMA:
    case SBI_RFENCE_REMOTE_SFENCE_VMA_ASID: flush_peers(cpu, harts, kFlushTlb); break;
    default: break;
  }
}

void on_intr(uc_engine* uc, uint32_t intno, void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  // Unicorn passes the exception code (core/arch/riscv64/csr.h) as intno, and reports every ECALL
  // as EXC_ECALL_U whatever the mode it came from (UNICORN.md section 2).
  if (intno != riscv64::EXC_ECALL_U) {
    uint64_t pc = read_reg(uc, UC_RISCV_REG_PC);
    if constexpr (kRiscvPcAdvancedBeforeTrap) pc -= 4;  // 2 too many after an RVC instruction
    if (intno == riscv64::EXC_ILLEGAL_INST && emulate_rdtime(cpu, pc)) return;
    return fault(cpu, riscv64::exception_name(intno), pc, pc);
  }

  // SBI calling convention (SBI spec 3): a7 = extension, a6 = function, a0..a5 arguments;
  // the VM's SBI returns error in a0 and value in a1. PC is already past the ECALL, and is
  // read only if a trace or report needs it.
  static constexpr int kArgs[8] = {UC_RISCV_REG_A0, UC_RISCV_REG_A1, UC_RISCV_REG_A2,
                                   UC_RISCV_REG_A3, UC_RISCV_REG_A4, UC_RISCV_REG_A5,
                                   UC_RISCV_REG_A6, UC_RISCV_REG_A7};
  uint64_t args[8] = {};
  void* ptrs[8];
  for (int i = 0; i < 8; ++i) ptrs[i] = &args[i];
  uc_reg_read_batch(uc, const_cast<int*>(kArgs), ptrs, 8);
  const PcSource pc(
      [](const void* c) {
        return read_reg(static_cast<const EmuCpu*>(c)->uc, UC_RISCV_REG_PC) - 4;
      },
      &cpu);
  HypercallResult r = cpu.exits.hypercall(cpu.cpu_id, args, pc);
  for (unsigned i = 0; i < r.count && i < 2; ++i) write_reg(uc, kArgs[i], r.ret[i]);
  if (args[7] == SBI_EXT_RFENCE && r.count > 0 && r.ret[0] == 0) remote_fence(cpu, args);
  after_chip_access(cpu);
  stop_if_vm_stopped(cpu);
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
  const std::vector<uint8_t> m_mode =
      cpu.chip != nullptr ? riscv_context_bytes(uc, cpu.context) : std::vector<uint8_t>{};
  uc_err err = uc_mem_write(uc, kTrampoline, &kMret, sizeof kMret);
  // Run the mret and stop on arrival at the entry. Not with count=1: the next count=0 run would
  // remove Unicorn's count hook with a tb_flush, which in 2.0.1 memsets the whole 1 GiB
  // translation buffer (measured: ~2 s and 1 GiB of RSS).
  if (err == UC_ERR_OK) err = uc_emu_start(uc, kTrampoline, boot.pc, 0, 0);
  const uint64_t pc = read_reg(uc, UC_RISCV_REG_PC);
  if (uc_mem_unmap(uc, kTrampoline, kTrampolineSize) != UC_ERR_OK || err != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  // A PC anywhere else means mret did not take (the engine was no longer in M-mode).
  if (pc != boot.pc) return Error(Status::kUnsupported);
  cpu.left_machine_mode = true;
  if (cpu.chip != nullptr && !riscv_find_priv(uc, cpu.context, m_mode)) {
    TLOG_ERROR(
        "emu: cannot deliver riscv64 interrupts: no field of this Unicorn's saved context passed "
        "the privilege checks (backends/emu/README.md, riscv64 privilege)");
    return Error(Status::kUnsupported);
  }
  return ok();
}

int gpr(unsigned n) { return n < 32 ? UC_RISCV_REG_X0 + static_cast<int>(n) : -1; }

}  // namespace

// Unicorn's default buffer: a bounded one crashes 2.1.1's riscv64 engine when it fills with
// code the guest wrote (tb_set_jmp_target after the flush; reproduced without Tandem;
// README.md, "Translation buffer").
const ArchOps kRiscv64Ops = {
    UC_ARCH_RISCV, UC_MODE_RISCV64, UC_RISCV_REG_PC, 4, 0, configure, load_boot, gpr, set_lines};

}  // namespace tandem::emu
