// SPDX-License-Identifier: Apache-2.0
// The Unicorn backend's vCPU: one Unicorn engine per vCPU (aarch64, riscv64 or x86_64), with
// the address space's RAM mapped by host pointer and its MMIO regions as callbacks into the
// VM's exit handling. Device accesses, port I/O and hypercalls are finished inside Unicorn's
// hooks; run() returns for a halt, a VM stop, a fault or request_stop().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "backends/emu/emu_insn_trace.h"
#include "core/arch/common/table_reader.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {

namespace emu {
struct EmuCpu;
struct EmuPeers;
class EmuDebugger;
}  // namespace emu

class EmuVcpu {
 public:
  // Opens the engine, configures the architecture (UNICORN.md section 6) and maps every RAM
  // and MMIO region of setup.address_space; the regions must not change afterwards. RAM must
  // be contiguous (kUnsupported for on-demand RAM: backends/emu/README.md).
  // `peers` (EmuMachine's) lets this vCPU's broadcast TLB and cache maintenance reach the
  // others (emu_coherence.h).
  [[nodiscard]] static Result<EmuVcpu> create(const VcpuSetup& setup,
                                              std::shared_ptr<emu::EmuPeers> peers = nullptr);

  EmuVcpu(EmuVcpu&&) noexcept;
  EmuVcpu& operator=(EmuVcpu&&) noexcept;
  ~EmuVcpu();

  // Loads the entry state. riscv64: enters S-mode through an mret trampoline, which only an
  // engine still in M-mode can do, so it succeeds once per vCPU (kUnsupported afterwards).
  [[nodiscard]] Result<void> set_boot_state(const BootState& boot);

  // Runs until the guest halts (kHalt), the VM stops (kSystemDown / kSystemReset / kFault, see
  // exits.stop_info()), the guest faults (kFault with reason, addr, pc) or request_stop() is
  // called (kTimeout; also at least every 20 ms, when the translation buffer is checked). A
  // stopped VM is never resumed: run() then returns its stop at once.
  [[nodiscard]] Result<VcpuExit> run();

  // Ends the current run() with kTimeout, or the next one if none is under way. Safe from any
  // thread, including the vCPU's own hooks; returns at once, and the engine stops at its next
  // translation-block boundary (microseconds).
  void request_stop();

  // Puts this vCPU under `debugger` (`--gdb`), which must outlive the runs.
  void attach_debugger(emu::EmuDebugger& debugger);
  // Traces this vCPU (`--trace`): exact PCs at every exit, and each instruction run in a range
  // of guest-virtual PCs reported (emu_insn_trace.h).
  [[nodiscard]] Result<void> trace_instructions(const emu::InsnTrace& trace);
  // The guest-physical address of guest-virtual `va` through the guest's own page tables now,
  // read with `read` (emu_translate.h), or nullopt.
  [[nodiscard]] std::optional<uint64_t> translate(uint64_t va, const TableReader& read) const;

  // General-purpose register n in the architecture's numbering (aarch64 x0..x30, riscv64
  // x0..x31, x86_64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15); kInvalidArgument past it.
  [[nodiscard]] Result<uint64_t> read_gpr(unsigned n) const;
  [[nodiscard]] Result<void> write_gpr(unsigned n, uint64_t value);
  uint64_t pc() const;

  // The engine's translation buffer: bytes resident now, and how often it was dropped because
  // it reached its bound (emu_code_buffer.h).
  size_t translation_resident_bytes() const;
  unsigned translation_drops() const;

 private:
  explicit EmuVcpu(std::unique_ptr<emu::EmuCpu> cpu);

  std::unique_ptr<emu::EmuCpu> m_cpu;
};

static_assert(Vcpu<EmuVcpu>);

}  // namespace tandem
