// SPDX-License-Identifier: Apache-2.0
// The riscv64 bare-metal vCPU: a VS-mode guest hart entered from HS-mode with sret. run()
// switches worlds until something needs the VM: it finishes MMIO accesses (load/store
// guest-page faults), SBI calls (ECALL from VS-mode) and on-demand RAM itself through
// VmExits and the address space, and returns on WFI, a VM stop, a fault, the interrupt model's
// next timer deadline or request_stop(). Interrupts reach the guest through hvip
// (vcpu_irq.cpp).
#pragma once

#include <cstdint>

#include "backends/baremetal/riscv64/context.h"
#include "core/arch/riscv64/guest_trap.h"
#include "core/arch/riscv64/remote_fence.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {
class AddressSpace;
class VmExits;
}  // namespace tandem

namespace tandem::baremetal::riscv64 {

using tandem::riscv64::GuestTrap;

// The guest's virtual-supervisor CSRs (privileged spec 20240411, 18.2.11 - 18.2.18) and its
// pending virtual interrupts (hvip), kept in memory between runs so vCPUs can share a hart.
struct VsCsrs {
  uint64_t vsstatus = 0;
  uint64_t vsie = 0;
  uint64_t vstvec = 0;
  uint64_t vsscratch = 0;
  uint64_t vsepc = 0;
  uint64_t vscause = 0;
  uint64_t vstval = 0;
  uint64_t vsatp = 0;
  uint64_t hvip = 0;
  uint64_t vstimecmp = ~uint64_t{0};  // Sstc only: the guest's own timer, parked
};

class HypVcpu {
 public:
  // `hgatp` is the G-stage root the machine built; `hstatus` the hypervisor's hstatus as
  // HypMachine::create found it (VSXL), to which each entry adds SPV, SPVP and VTW. `chip`
  // (may be null: no interrupts) decides the guest's VS-level interrupts, on `clock`'s time.
  // `cpus`: vCPUs in the VM, each on a hart of its own (more than one: a WFI waits here for
  // another hart's kick instead of returning kHalt). `fences`: the VM's SBI remote fences,
  // shared by its vCPUs.
  HypVcpu(unsigned id, unsigned cpus, AddressSpace& as, VmExits& exits, uint64_t hgatp,
          uint64_t hstatus, IrqChip* chip, GuestClock clock, PendingFences& fences);

  // pc -> sepc, sp -> x2, a0 = hart id, a1 = DTB (args[0], args[1]); VS-mode, vsatp Bare.
  [[nodiscard]] Result<void> set_boot_state(const BootState& boot);

  // Runs until the guest executes WFI (kHalt, sepc past it), the VM stops (kSystemDown,
  // kSystemReset or kFault as exits.stop_info() says), the interrupt model's next timer
  // deadline (kTimeout, by the HS timer) or request_stop() (kTimeout). A stopped
  // VM is never resumed: run() then returns its stop at once.
  [[nodiscard]] Result<VcpuExit> run();

  // Safe from an interrupt handler: the next guest entry returns kTimeout instead.
  void request_stop();

  [[nodiscard]] Result<uint64_t> read_gpr(unsigned n) const;
  [[nodiscard]] Result<void> write_gpr(unsigned n, uint64_t value);
  uint64_t pc() const { return m_ctx.guest.sepc; }

 private:
  void load_guest_csrs();
  void save_guest_csrs();
  void prepare_entry();
  void sync_irqs();
  // An interrupt the guest enabled in vsie is pending in hvip (vcpu_irq.cpp).
  bool guest_irq_pending() const;
  ExitAction handle(GuestTrap& trap, VcpuExit& out);
  bool backed_on_demand(uint64_t gpa);
  void wait_for_kick();
  uint64_t guest_timer_ns() const;
  void kick_others(bool all);
  void enter_guest();
  void fence_harts(const RemoteFence& fence);
  unsigned physical_cpu(unsigned vcpu) const;
  VcpuExit stopped_exit() const;

  unsigned m_id;
  unsigned m_cpus;
  GuestContext m_ctx{};
  VsCsrs m_vs{};
  AddressSpace* m_as;
  VmExits* m_exits;
  uint64_t m_hgatp;
  uint64_t m_hstatus;
  IrqChip* m_chip;
  GuestClock m_clock;
  PendingFences* m_fences;
  bool m_sstc;                     // the guest has vstimecmp (HypMachine::guest_timer_compare)
  uint32_t m_seen_generation = 0;  // the model's generation() at the last sync_irqs()
  bool m_resync_irqs = true;       // time passed or another hart kicked: recompute anyway
  uint32_t m_stop_requested = 0;
};

static_assert(Vcpu<HypVcpu>);

}  // namespace tandem::baremetal::riscv64
