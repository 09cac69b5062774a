// SPDX-License-Identifier: Apache-2.0
// The run loop: enter the guest, handle the exit, re-enter until the VM needs the caller.
#include "backends/baremetal/aarch64/vcpu.h"

#include "backends/baremetal/aarch64/el2_setup.h"
#include "core/arch/aarch64/esr.h"
#include "core/vm/vm_exits.h"

namespace tandem::baremetal::aarch64 {

Result<void> El2Vcpu::set_boot_state(const BootState& boot) {
  m_ctx = GuestContext{};
  for (unsigned i = 0; i < 4; i++) m_ctx.x[i] = boot.args[i];
  m_ctx.sp_el1 = boot.sp;
  m_ctx.elr = boot.pc;
  m_ctx.spsr = kSpsrEl1hMasked;
  m_started = false;
  return ok();
}

uint64_t El2Vcpu::esr_length() const { return tandem::aarch64::esr_insn_len(m_ctx.esr); }

Result<VcpuExit> El2Vcpu::run() {
  VcpuExit exit;
  if (m_exits->stopped()) {
    stop_exit(exit);
    return exit;
  }
  if (!m_started) {
    reset_el1_for_vcpu(m_id);
    // The guest image was written with the MMU off (non-cacheable); drop any instruction
    // cache lines older than it before the guest fetches from there.
    asm volatile("ic iallu\n\tdsb ish\n\tisb" : : : "memory");
    m_started = true;
  }
  for (;;) {
    if (__atomic_exchange_n(&m_stop_requested, false, __ATOMIC_ACQ_REL)) {
      exit = VcpuExit{};
      exit.kind = ExitKind::kTimeout;
      exit.pc = m_ctx.elr;
      return exit;
    }
    const ExitVector vector = tandem_guest_enter(&m_ctx);
    exit = VcpuExit{};
    exit.pc = m_ctx.elr;
    switch (vector) {
      case ExitVector::kSync:
        if (handle_sync(exit) == Action::kReturn) return exit;
        break;
      case ExitVector::kIrq:
      case ExitVector::kFiq:
        // HCR_EL2.IMO/FMO route physical interrupts here; nothing in the image owns one yet,
        // so the VM decides what to do.
        exit.kind = ExitKind::kExternalInterrupt;
        return exit;
      case ExitVector::kSError:
        exit.kind = ExitKind::kFault;
        exit.reason = "SError (asynchronous abort) while the guest ran";
        return exit;
    }
  }
}

}  // namespace tandem::baremetal::aarch64
