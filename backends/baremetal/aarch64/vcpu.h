// SPDX-License-Identifier: Apache-2.0
// The aarch64 bare-metal vCPU: one guest EL1 on this physical CPU. run() switches to the
// guest and handles what it can without the VM's run loop (MMIO through the device bus,
// PSCI calls, on-demand RAM), like the kvm backend finishes I/O inside KVM_RUN; it returns on
// a halt (WFI), a stop the exit handling requested, a fault, or request_stop().
#pragma once

#include <cstdint>

#include "backends/baremetal/aarch64/context.h"
#include "core/base/result.h"
#include "core/vcpu/vcpu.h"

namespace tandem {
class AddressSpace;
class VmExits;
}  // namespace tandem

namespace tandem::baremetal::aarch64 {

class El2Vcpu {
 public:
  [[nodiscard]] Result<void> set_boot_state(const BootState& boot);
  [[nodiscard]] Result<VcpuExit> run();
  void request_stop() { __atomic_store_n(&m_stop_requested, true, __ATOMIC_RELEASE); }

 private:
  friend class El2Machine;
  El2Vcpu(unsigned id, AddressSpace& space, VmExits& exits)
      : m_id(id), m_space(&space), m_exits(&exits) {}

  enum class Action : uint8_t { kResume, kReturn };
  Action handle_sync(VcpuExit& exit);
  Action finish_mmio(VcpuExit& exit);
  Action finish_hypercall(VcpuExit& exit);
  bool populate_on_demand(const VcpuExit& exit);
  void stop_exit(VcpuExit& exit) const;
  void skip_instruction() { m_ctx.elr += esr_length(); }
  uint64_t esr_length() const;

  unsigned m_id;
  AddressSpace* m_space;
  VmExits* m_exits;
  GuestContext m_ctx;
  bool m_started = false;
  bool m_stop_requested = false;
};

static_assert(Vcpu<El2Vcpu>);

}  // namespace tandem::baremetal::aarch64
