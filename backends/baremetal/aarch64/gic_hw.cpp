// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/aarch64/gic_hw.h"

#include "backends/baremetal/aarch64/gic_regs.h"
#include "backends/baremetal/aarch64/sysreg.h"

namespace tandem::baremetal::aarch64 {
namespace {

// hw/arm/virt.c memory map.
constexpr uint64_t kGicd = 0x0800'0000;
constexpr uint64_t kGicr = 0x080A'0000;
constexpr uint64_t kGicrStride = 0x2'0000;
constexpr uint64_t kSgiBase = 0x1'0000;

// GICD_CTLR (IHI 0069 12.9.4; one security state on virt without secure=on): ARE bit 4,
// EnableGrp1 bit 1 (ARE_NS and EnableGrp1NS, at the same places, with two), RWP bit 31.
constexpr uint64_t kGicdCtlr = 0x0;
constexpr uint32_t kCtlrAre = 1u << 4;
constexpr uint32_t kCtlrEnableGrp1 = 1u << 1;
constexpr uint32_t kCtlrRwp = 1u << 31;
// GICR_WAKER (12.11.38) in RD_base; GICR_IGROUPR0, GICR_ISENABLER0 and GICR_IPRIORITYR<n>
// in SGI_base.
constexpr uint64_t kGicrWaker = 0x14;
constexpr uint32_t kWakerProcessorSleep = 1u << 1;
constexpr uint32_t kWakerChildrenAsleep = 1u << 2;
constexpr uint64_t kIgroupr0 = 0x80;
constexpr uint64_t kIsenabler0 = 0x100;
constexpr uint64_t kIspendr0 = 0x200;
constexpr uint64_t kIcpendr0 = 0x280;
constexpr uint64_t kIpriorityr = 0x400;
constexpr uint8_t kHypPriority = 0x80;

// ICC_SRE_EL2 (12.2.23): SRE, DFB, DIB, and Enable (EL1 may use ICC_SRE_EL1 itself).
constexpr uint64_t kSreEl2 = 0xf;
constexpr uint64_t kCtlrEoiMode = 1u << 1;  // ICC_CTLR_EL1.EOImode

// CNTV_CTL_EL0 / CNTHP_CTL_EL2 (DDI 0487 D11.2.4): ENABLE, IMASK, ISTATUS.
constexpr uint64_t kTimerEnable = 1u << 0;
constexpr uint64_t kTimerImask = 1u << 1;
constexpr uint64_t kTimerIstatus = 1u << 2;

uint32_t read32(uint64_t addr) { return *reinterpret_cast<volatile uint32_t*>(addr); }
void write32(uint64_t addr, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(addr) = v; }
void write8(uint64_t addr, uint8_t v) { *reinterpret_cast<volatile uint8_t*>(addr) = v; }

bool g_gic_ready = false;  // gic_init_cpu() ran: PPI 26 can wake a WFI

void wait_rwp() {
  while ((read32(kGicd + kGicdCtlr) & kCtlrRwp) != 0) {
  }
}

}  // namespace

// The GIC registers by encoding (S<op0>_<op1>_C<n>_C<m>_<op2>), so no assembler needs to know
// their names: ICC_IAR1_EL1 3,0,12,12,0; ICC_EOIR1_EL1 3,0,12,12,1; ICC_DIR_EL1 3,0,12,11,1;
// ICC_PMR_EL1 3,0,4,6,0; ICC_BPR1_EL1 3,0,12,12,3; ICC_CTLR_EL1 3,0,12,12,4;
// ICC_IGRPEN1_EL1 3,0,12,12,7; ICC_SRE_EL2 3,4,12,9,5; ICH_AP0R0/AP1R0_EL2 3,4,12,8/9,0;
// ICH_HCR_EL2 3,4,12,11,0; ICH_VTR_EL2 3,4,12,11,1; ICH_VMCR_EL2 3,4,12,11,7;
// ICH_LR<n>_EL2 3,4,12,12+n/8,n%8 (IHI 0069 12.2, 12.4).
unsigned gic_init_cpu(unsigned cpu) {
  if ((read32(kGicd + kGicdCtlr) & (kCtlrAre | kCtlrEnableGrp1)) != (kCtlrAre | kCtlrEnableGrp1)) {
    write32(kGicd + kGicdCtlr, read32(kGicd + kGicdCtlr) | kCtlrAre | kCtlrEnableGrp1);
    wait_rwp();
  }
  const uint64_t rd = kGicr + cpu * kGicrStride;
  write32(rd + kGicrWaker, read32(rd + kGicrWaker) & ~kWakerProcessorSleep);
  while ((read32(rd + kGicrWaker) & kWakerChildrenAsleep) != 0) {
  }
  const uint64_t sgi = rd + kSgiBase;
  const uint32_t ppis =
      (1u << kKickSgi) | (1u << kMaintenancePpi) | (1u << kHypTimerPpi) | (1u << kVirtualTimerPpi);
  write32(sgi + kIgroupr0, read32(sgi + kIgroupr0) | ppis);
  write8(sgi + kIpriorityr + kKickSgi, kHypPriority);
  write8(sgi + kIpriorityr + kMaintenancePpi, kHypPriority);
  write8(sgi + kIpriorityr + kHypTimerPpi, kHypPriority);
  write8(sgi + kIpriorityr + kVirtualTimerPpi, kHypPriority);
  write32(sgi + kIsenabler0, ppis);

  TANDEM_MSR(S3_4_C12_C9_5, kSreEl2);
  isb();
  TANDEM_MSR(S3_0_C4_C6_0, 0xff);  // PMR: every priority
  TANDEM_MSR(S3_0_C12_C12_3, 0);   // BPR1
  TANDEM_MSR(S3_0_C12_C12_4, kCtlrEoiMode);
  TANDEM_MSR(S3_0_C12_C12_7, 1);  // IGRPEN1
  // The virtual interface out of a known state: nothing listed or active, the guest's view of
  // its CPU interface (ICH_VMCR_EL2) as after reset. It stays live in the CPU across exits:
  // this physical CPU runs one vCPU.
  const unsigned lrs = vtr_list_regs(TANDEM_MRS(S3_4_C12_C11_1));
  for (unsigned n = 0; n < lrs; n++) ich_lr_write(n, 0);
  TANDEM_MSR(S3_4_C12_C8_0, 0);
  TANDEM_MSR(S3_4_C12_C9_0, 0);
  TANDEM_MSR(S3_4_C12_C11_7, kVmcrReset);
  ich_hcr_write(ICH_HCR_EN);
  g_gic_ready = true;
  return lrs;
}

uint32_t gic_ack() {
  const uint64_t intid = TANDEM_MRS(S3_0_C12_C12_0);
  // The read has side effects on the interface: order it before what the caller does next.
  dsb_ish();
  return static_cast<uint32_t>(intid & 0xff'ffff);
}

void gic_priority_drop(uint32_t intid) {
  TANDEM_MSR(S3_0_C12_C12_1, intid);
  isb();
}

// ICC_SGI1R_EL1 (IHI 0069 12.2.22) 3,0,12,11,5: INTID bits 27:24, TargetList bits 15:0 (Aff0),
// Aff1/2/3 = 0, IRM = 0. The DSB makes earlier writes (the model's state) visible first.
void gic_kick(uint32_t targets) {
  dsb_ish();
  TANDEM_MSR(S3_0_C12_C11_5, (static_cast<uint64_t>(kKickSgi) << 24) | (targets & 0xffff));
  isb();
}

void gic_deactivate(uint32_t intid) {
  TANDEM_MSR(S3_0_C12_C11_1, intid);
  isb();
}

#define TANDEM_LR_CASE(n, crm, op2)              \
  case n:                                        \
    if (write) {                                 \
      TANDEM_MSR(S3_4_C12_##crm##_##op2, value); \
      return 0;                                  \
    }                                            \
    return TANDEM_MRS(S3_4_C12_##crm##_##op2);

namespace {

uint64_t lr_access(unsigned n, bool write, uint64_t value) {
  switch (n) {
    TANDEM_LR_CASE(0, C12, 0)
    TANDEM_LR_CASE(1, C12, 1)
    TANDEM_LR_CASE(2, C12, 2)
    TANDEM_LR_CASE(3, C12, 3)
    TANDEM_LR_CASE(4, C12, 4)
    TANDEM_LR_CASE(5, C12, 5)
    TANDEM_LR_CASE(6, C12, 6)
    TANDEM_LR_CASE(7, C12, 7)
    TANDEM_LR_CASE(8, C13, 0)
    TANDEM_LR_CASE(9, C13, 1)
    TANDEM_LR_CASE(10, C13, 2)
    TANDEM_LR_CASE(11, C13, 3)
    TANDEM_LR_CASE(12, C13, 4)
    TANDEM_LR_CASE(13, C13, 5)
    TANDEM_LR_CASE(14, C13, 6)
    TANDEM_LR_CASE(15, C13, 7)
    default: return 0;
  }
}

}  // namespace

#undef TANDEM_LR_CASE

uint64_t ich_lr_read(unsigned n) { return lr_access(n, false, 0); }
void ich_lr_write(unsigned n, uint64_t value) { lr_access(n, true, value); }
void ich_hcr_write(uint64_t value) {
  TANDEM_MSR(S3_4_C12_C11_0, value);
  isb();
}

bool vtimer_asserted() {
  const uint64_t ctl = TANDEM_MRS(cntv_ctl_el0);
  return (ctl & (kTimerEnable | kTimerImask | kTimerIstatus)) == (kTimerEnable | kTimerIstatus);
}

bool vtimer_armed() {
  return (TANDEM_MRS(cntv_ctl_el0) & (kTimerEnable | kTimerImask)) == kTimerEnable;
}

void hyp_timer_set(uint64_t ticks) {
  if (ticks == 0) {
    TANDEM_MSR(cnthp_ctl_el2, 0);
  } else {
    TANDEM_MSR(cnthp_cval_el2, ticks);
    TANDEM_MSR(cnthp_ctl_el2, kTimerEnable);
  }
  isb();
}

uint64_t counter_hz() { return TANDEM_MRS(cntfrq_el0); }

void hyp_wait_until(uint64_t ticks) {
  if (!g_gic_ready) {
    while (TANDEM_MRS(cntpct_el0) < ticks) {
    }
    return;
  }
  hyp_timer_set(ticks);
  if (TANDEM_MRS(cntpct_el0) < ticks) asm volatile("dsb sy\n\twfi" : : : "memory");
  hyp_timer_set(0);  // the level goes, and with it the pending state
  // A kick that woke this wait has done its job; left pending it would end every later WFI
  // here at once (it is taken only on the way into a guest, which an off vCPU never makes).
  const uint64_t sgi = kGicr + (TANDEM_MRS(mpidr_el1) & 0xff) * kGicrStride + kSgiBase;
  if ((read32(sgi + kIspendr0) & (1u << kKickSgi)) != 0) write32(sgi + kIcpendr0, 1u << kKickSgi);
}

}  // namespace tandem::baremetal::aarch64
