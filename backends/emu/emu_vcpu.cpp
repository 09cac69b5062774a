// SPDX-License-Identifier: Apache-2.0
// Engine lifetime and the run loop. Hooks finish device accesses and hypercalls inside
// uc_emu_start; what makes it return is sorted out here.
#include "backends/emu/emu_vcpu.h"

#include <cstdio>
#include <new>

#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_translate.h"
#include "core/base/log.h"
#include "core/vm/vm_exits.h"

namespace tandem {
namespace emu {

// An `until` no guest reaches, so the engine only returns for the reasons run() sorts out.
constexpr uint64_t kNoUntil = ~uint64_t{0};

EmuCpu::~EmuCpu() {
  icount_detach(*this);
  if (peers != nullptr && cpu_id < peers->cpus.size()) peers->cpus[cpu_id] = nullptr;
  if (context != nullptr) uc_context_free(context);
  if (uc != nullptr) uc_close(uc);
}

void end_run(EmuCpu& cpu, const VcpuExit& exit) {
  cpu.exit = exit;
  cpu.has_exit = true;
  uc_emu_stop(cpu.uc);
}

void fault(EmuCpu& cpu, const char* what, uint64_t addr, uint64_t pc) {
  VcpuExit e;
  e.kind = ExitKind::kFault;
  e.addr = addr;
  e.pc = pc;
  e.reason = what;
  // The VM stops now (its other vCPUs too); handle() rewrites its copy to the stop exit, and
  // run() returns the fault itself, named by what the guest did.
  VcpuExit report = e;
  cpu.exits.handle(cpu.cpu_id, report);
  end_run(cpu, e);
}

uint64_t read_reg(uc_engine* uc, int reg) {
  uint64_t v = 0;
  uc_reg_read(uc, reg, &v);
  return v;
}

void write_reg(uc_engine* uc, int reg, uint64_t value) { uc_reg_write(uc, reg, &value); }

uint64_t read_pc(const void* cpu) {
  const auto& c = *static_cast<const EmuCpu*>(cpu);
  return read_reg(c.uc, c.ops->pc_reg);
}

namespace {

const ArchOps* ops_for(Arch arch) {
  switch (arch) {
    case Arch::kAarch64: return &kAarch64Ops;
    case Arch::kRiscv64: return &kRiscv64Ops;
    case Arch::kX86_64: return &kX86_64Ops;
  }
  return nullptr;
}

// The exit for a VM whose stop was requested by a device, PSCI/SBI or a fault report.
VcpuExit stopped_exit(const EmuCpu& cpu) {
  return cpu.exits.stop_info().as_exit(read_reg(cpu.uc, cpu.ops->pc_reg));
}

// uc_emu_start failed without a hook having reported why.
VcpuExit error_exit(EmuCpu& cpu, uc_err err) {
  const uint64_t pc = read_reg(cpu.uc, cpu.ops->pc_reg);
  // x86 ud2 and other invalid opcodes stop the engine instead of reaching UC_HOOK_INTR
  // (UNICORN.md section 2, "Synchronous exception").
  if (err == UC_ERR_INSN_INVALID) {
    fault(cpu, "undefined instruction", pc, pc);
    return cpu.exit;
  }
  std::snprintf(cpu.reason, sizeof cpu.reason, "emulator error: %s", uc_strerror(err));
  fault(cpu, cpu.reason, pc, pc);
  return cpu.exit;
}

}  // namespace
}  // namespace emu

EmuVcpu::EmuVcpu(std::unique_ptr<emu::EmuCpu> cpu) : m_cpu(std::move(cpu)) {}
EmuVcpu::EmuVcpu(EmuVcpu&&) noexcept = default;
EmuVcpu& EmuVcpu::operator=(EmuVcpu&&) noexcept = default;
EmuVcpu::~EmuVcpu() = default;

Result<EmuVcpu> EmuVcpu::create(const VcpuSetup& setup, std::shared_ptr<emu::EmuPeers> peers) {
  const emu::ArchOps* ops = emu::ops_for(setup.arch);
  if (ops == nullptr) return Error(Status::kUnsupported);
  std::unique_ptr<emu::EmuCpu> cpu(new (std::nothrow) emu::EmuCpu(*ops, setup));
  if (!cpu) return Error(Status::kNoMemory);
  emu::CodeBuffer::Setup code_setup;
  if (uc_open(ops->uc_arch_id, ops->uc_mode_id, &cpu->uc) != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  // Before anything that initialises the engine, like the CPU model.
  if (uc_ctl_set_tcg_buffer_size(cpu->uc, emu::kBufferBytes) != UC_ERR_OK)
    return Error(Status::kBackend);
  TRY(ops->configure(*cpu));
  if (emu::icount_enabled()) TRY(emu::icount_attach(*cpu));
  TRY(emu::install_block_hook(*cpu));
  TRY(emu::map_address_space(*cpu));
  cpu->code = code_setup.find();
  if (peers != nullptr && setup.cpu_id < peers->cpus.size()) {
    peers->cpus[setup.cpu_id] = cpu.get();
    cpu->peers = std::move(peers);
  }
  return EmuVcpu(std::move(cpu));
}

Result<void> EmuVcpu::set_boot_state(const BootState& boot) {
  return m_cpu->ops->load_boot(*m_cpu, boot);
}

Result<VcpuExit> EmuVcpu::run() {
  emu::EmuCpu& cpu = *m_cpu;
  // Resuming a stopped VM would replay an MMIO access cut short by uc_emu_stop (UNICORN.md
  // section 3, "MMIO replay").
  if (cpu.exits.stopped()) return emu::stopped_exit(cpu);
  if (cpu.debugger != nullptr)
    if (auto stop = cpu.debugger->before_run(cpu)) return *stop;
  VcpuExit e;
  // A request made before this point ends the run here; one made later is seen by the block
  // hook, which stops the engine before the first block runs.
  if (cpu.stop_requested.exchange(false)) {
    e.kind = ExitKind::kTimeout;
    e.pc = pc();
    return e;
  }
  cpu.has_exit = false;
  if (cpu.code.bound(cpu.uc)) TLOG_DEBUG("vCPU %u: translation buffer dropped", cpu.cpu_id);
  emu::take_flushes(cpu);
  emu::arm_slice(cpu);
  cpu.in_run = true;
  // A debugger's stop that came after before_run() looked but before in_run was set.
  if (cpu.debugger != nullptr && cpu.debugger->stop_wanted()) emu::preempt(cpu);
  uc_err err = uc_emu_start(cpu.uc, pc(), emu::kNoUntil, 0, 0);
  emu::icount_close(cpu);
  for (;;) {
    if (cpu.watch_hit && !cpu.has_exit && err == UC_ERR_OK) {
      // The block hook stopped the engine at EmuCpu::block_watch: the architecture finishes
      // what it watched for with the engine stopped, and the run goes on.
      cpu.watch_hit = false;
      cpu.ops->watched_block(cpu);
      if (cpu.debug.pending) break;  // a debugger's stop came with it: report it now
    } else if (err == UC_ERR_OK || cpu.has_exit || cpu.exits.stopped() ||
               cpu.ops->take_stop == nullptr || !cpu.ops->take_stop(cpu, err)) {
      break;
    }
    err = uc_emu_start(cpu.uc, pc(), emu::kNoUntil, 0, 0);
    emu::icount_close(cpu);
  }
  cpu.in_run = false;
  cpu.ticker.disarm();
  if (cpu.debugger != nullptr && err == UC_ERR_OK && !cpu.has_exit) cpu.debugger->check_break(cpu);
  if (cpu.debug.pending && cpu.debugger != nullptr) return cpu.debugger->after_stop(cpu);
  if (cpu.has_exit) return cpu.exit;
  if (cpu.exits.stopped()) return emu::stopped_exit(cpu);
  if (err != UC_ERR_OK) return emu::error_exit(cpu, err);
  e.pc = pc();
  if (cpu.stop_requested.exchange(false)) {
    e.kind = ExitKind::kTimeout;
    return e;
  }
  // Nothing stopped the engine: it returned on its own, which it does for WFI / HLT only, with
  // the PC after the instruction (UNICORN.md section 2, "WFI / HLT").
  if (cpu.ops->halted != nullptr && !cpu.ops->halted(cpu)) {
    e.kind = ExitKind::kTimeout;  // the WFI completed: the guest goes on after it
    return e;
  }
  e.kind = ExitKind::kHalt;
  e.pc -= cpu.ops->halt_size;
  return e;
}

void EmuVcpu::request_stop() { emu::preempt(*m_cpu); }

void EmuVcpu::attach_debugger(emu::EmuDebugger& debugger) { debugger.add(*m_cpu); }

Result<void> EmuVcpu::trace_instructions(const emu::InsnTrace& trace) {
  return emu::install_insn_trace(*m_cpu, trace);
}

std::optional<uint64_t> EmuVcpu::translate(uint64_t va, const TableReader& read) const {
  return emu::translate(*m_cpu, va, read);
}

Result<uint64_t> EmuVcpu::read_gpr(unsigned n) const {
  const int reg = m_cpu->ops->gpr(n);
  if (reg < 0) return Error(Status::kInvalidArgument);
  return emu::read_reg(m_cpu->uc, reg);
}

Result<void> EmuVcpu::write_gpr(unsigned n, uint64_t value) {
  const int reg = m_cpu->ops->gpr(n);
  if (reg < 0) return Error(Status::kInvalidArgument);
  emu::write_reg(m_cpu->uc, reg, value);
  return ok();
}

uint64_t EmuVcpu::pc() const { return emu::read_reg(m_cpu->uc, m_cpu->ops->pc_reg); }

size_t EmuVcpu::translation_resident_bytes() const { return m_cpu->code.resident_bytes(); }
unsigned EmuVcpu::translation_drops() const { return m_cpu->code.drops(); }

}  // namespace tandem
