// SPDX-License-Identifier: Apache-2.0
// A KVM vCPU: its fd, the shared kvm_run mapping, and the KVM_RUN loop. Port I/O and MMIO exits
// are finished inside run() through VmExits::handle(); run() returns for a stop a device access
// asked for, a fault, or request_stop(). With the in-kernel irqchip (KvmMachine) HLT waits inside
// KVM_RUN until an interrupt, and so does a secondary vCPU until INIT/SIPI: run() may block for
// as long as the guest wants, on the vCPU's own thread; request_stop() from any other thread
// ends the wait.
#pragma once

#include <linux/kvm.h>

#include <memory>
#include <optional>

#include "backends/kvm/kvm_exit.h"
#include "backends/kvm/kvm_handles.h"
#include "core/arch/common/table_reader.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {

namespace kvm {
class KvmSystem;
class KvmDebugger;
}  // namespace kvm

class KvmVcpu {
 public:
  // KVM_CREATE_VCPU on `vm_fd`, mmap of kvm_run, KVM_SET_CPUID2 with what the host supports.
  [[nodiscard]] static Result<KvmVcpu> create(const kvm::KvmSystem& system, int vm_fd, unsigned id,
                                              VmExits& exits);

  KvmVcpu(KvmVcpu&&) noexcept;
  KvmVcpu& operator=(KvmVcpu&&) noexcept;
  ~KvmVcpu();

  [[nodiscard]] Result<void> set_boot_state(const BootState& boot);
  // Runs until the guest halts (kHalt; only without an in-kernel irqchip), the VM stops
  // (kSystemDown / kSystemReset / kFault, see exits.stop_info()), KVM reports what the guest cannot
  // continue from (kFault: triple fault, entry failure, internal error) or request_stop() is called
  // (kTimeout). A stopped VM is never resumed: run() then returns its stop at once. A kFault
  // `reason` lives until the next run().
  [[nodiscard]] Result<VcpuExit> run();
  // Thread-safe; the current or next run() returns kTimeout (api.rst, kvm_run.immediate_exit:
  // the flag closes the race with a signal that arrives just before KVM_RUN, the signal kicks
  // a vCPU that is already inside it).
  void request_stop();

  // General-purpose register n: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 (as EmuVcpu);
  // kInvalidArgument past r15.
  [[nodiscard]] Result<uint64_t> read_gpr(unsigned n) const;
  // The guest-physical address of guest-virtual `va` through the guest's IA-32e paging now
  // (KVM_GET_SREGS: CR0, CR3, CR4; core/arch/x86_64/page_walk.h over `read`), or nullopt.
  [[nodiscard]] std::optional<uint64_t> translate(uint64_t va, const TableReader& read) const;

  // Puts this vCPU under `debugger` (`--gdb`), which must outlive the runs.
  void attach_debugger(kvm::KvmDebugger& debugger);
  // The vCPU fd, for the debugger's register and guest-debug ioctls while it is not running.
  int fd() const { return m_fd.get(); }

 private:
  struct Control;

  KvmVcpu(kvm::UniqueFd fd, kvm::SharedMapping run, std::unique_ptr<Control> control,
          VmExits& exits, unsigned id);
  kvm_run& run_page() const { return *m_run.as<kvm_run>(); }

  kvm::UniqueFd m_fd;
  kvm::SharedMapping m_run;
  std::unique_ptr<Control> m_control;  // heap: a mutex cannot move with the vCPU
  VmExits* m_exits;
  unsigned m_id;  // the vCPU's index, for VmExits::handle()
  kvm::KvmDebugger* m_debugger = nullptr;
};

static_assert(Vcpu<KvmVcpu>);

}  // namespace tandem
