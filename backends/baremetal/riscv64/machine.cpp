// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/riscv64/machine.h"

#include "backends/baremetal/common/panic.h"
#include "backends/baremetal/riscv64/context.h"
#include "backends/baremetal/riscv64/csr.h"
#include "backends/baremetal/riscv64/hs_timer.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"

namespace tandem::baremetal::riscv64 {
namespace {

// What the guest handles itself (18.2.2): misaligned fetches, breakpoints, ECALLs from its own
// U-mode and its own (VS-stage) page faults go straight to its vstvec, as KVM delegates them.
// Everything else traps to HS-mode: guest-page faults (MMIO), ECALL from VS-mode (SBI),
// virtual instructions (WFI) and illegal instructions and access faults, which stop the VM
// with a report. hedeleg bits 10 and 20..23 are read-only zero, so HS-mode always gets those.
constexpr uint64_t kHedeleg = (1ull << EXC_INST_MISALIGNED) | (1ull << EXC_BREAKPOINT) |
                              (1ull << EXC_ECALL_U) | (1ull << EXC_INST_PAGE_FAULT) |
                              (1ull << EXC_LOAD_PAGE_FAULT) | (1ull << EXC_STORE_PAGE_FAULT);
// VS-level interrupts the hypervisor raises in hvip go to the guest (18.2.2).
constexpr uint64_t kHideleg = IRQ_VSSIP | IRQ_VSTIP | IRQ_VSEIP;
// The guest reads time, cycle and instret directly (18.2.6); htimedelta (18.2.7) makes its
// time the interrupt model's (see create()).
constexpr uint64_t kHcounteren = HCOUNTEREN_CY | HCOUNTEREN_TM | HCOUNTEREN_IR;

// The guest's time CSR must read what the interrupt model calls time, GuestClock ns / 100:
// GuestClock is arch::now_ns() (the host's time CSR in ns, exact at 10 MHz) minus start_ns, so
// the guest's time = host time - start_ns / 100 ticks, and htimedelta = -(start_ns / 100).
uint64_t guest_time_delta(const GuestClock& clock) {
  return uint64_t{0} - clock.start_ns / kNsPerTick;
}

}  // namespace

namespace {

// What create() chose, replayed on every secondary hart by init_cpu().
struct HartSetup {
  uint64_t hgatp = 0;
  uint64_t time_delta = 0;
  uint64_t sie = 0;
};
HartSetup g_hart;

bool setup_hart(const HartSetup& h) {
  csr_write<CSR_HGATP>(h.hgatp);
  if (csr_read<CSR_HGATP>() != h.hgatp) {
    TLOG_ERROR("riscv64: hgatp %#lx rejected by this hart", h.hgatp);
    csr_write<CSR_HGATP>(0);
    return false;
  }
  hfence_gvma_all();
  csr_write<CSR_HEDELEG>(kHedeleg);
  csr_write<CSR_HIDELEG>(kHideleg);
  csr_write<CSR_HCOUNTEREN>(kHcounteren);
  csr_write<CSR_HTIMEDELTA>(h.time_delta);
  // The guest's timer is the interrupt model's, raised through hvip; henvcfg.STCE stays 0, so
  // vstimecmp (Sstc, 0 at reset) should not matter. It is parked in the far future anyway,
  // because QEMU's Sstc code re-evaluates it against the guest's time on htimedelta writes.
  if (hv_has_sstc()) csr_write<CSR_VSTIMECMP>(~uint64_t{0});
  csr_write<CSR_HIE>(0);
  csr_write<CSR_HVIP>(0);
  // The hypervisor's own timer (hs_timer.h) may interrupt the guest; HS-mode itself keeps
  // sstatus.SIE = 0 and takes it only as a trap from the guest or a WFI wake-up. With several
  // harts, another hart's kick (SBI IPI: sip.SSIP) does the same.
  csr_write<CSR_SIE>(h.sie);
  return true;
}

}  // namespace

Result<HypMachine> HypMachine::create(const MachineSetup& setup) {
  if (setup.arch != Arch::kRiscv64 || setup.cpu_count == 0 || setup.cpu_count > kMaxCpus)
    return Error(Status::kUnsupported);
  g_hart.hgatp = setup.address_space.stage2().hw_root();
  g_hart.time_delta = guest_time_delta(setup.clock);
  g_hart.sie = SIE_STIE | (setup.cpu_count > 1 ? SIE_SSIE : 0);
  if (!setup_hart(g_hart)) return Error(Status::kUnsupported);
  const uint64_t hstatus = csr_read<CSR_HSTATUS>() & HSTATUS_VSXL;
  return HypMachine(setup, g_hart.hgatp, hstatus);
}

void HypMachine::init_cpu(unsigned index, AddressSpace&) {
  if (!setup_hart(g_hart)) panic("hart %u cannot run the VM (hgatp rejected)", index);
}

Result<HypVcpu> HypMachine::create_vcpu(unsigned id) {
  if (id >= m_cpus || (m_vcpus_created & (1u << id)) != 0) return Error(Status::kUnsupported);
  m_vcpus_created |= 1u << id;
  return HypVcpu(id, m_cpus, *m_as, *m_exits, m_hgatp, m_hstatus, m_chip, m_clock, m_fences);
}

}  // namespace tandem::baremetal::riscv64
