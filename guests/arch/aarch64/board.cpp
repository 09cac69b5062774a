// SPDX-License-Identifier: Apache-2.0
// guests/lib/board.h on QEMU's virt board with gic-version=3 (hw/arm/virt.c): GICv3
// distributor at 0x08000000, one redistributor per CPU from 0x080a0000 (128 KiB each: RD_base
// then SGI_base), CPU interface through the ICC_* system registers; EL1 virtual timer on PPI 27;
// PL011 on SPI 1 (INTID 33); PSCI CPU_ON over HVC. Only group 1 interrupts, set up the way a
// minimal OS does (GICv3 architecture spec IHI 0069: 4.1 "Initialization", 12.9 GICD_*, 12.11
// GICR_*, 12.2 ICC_*). Register set kept to what Tandem models: GICD_CTLR, GICD_IGROUPR,
// GICD_ISENABLER/ICENABLER, GICD_IPRIORITYR, GICD_ICFGR, GICD_IROUTER, GICR_WAKER and the SGI_base
// equivalents.
//
// With gic-version=2 (the boot device tree's interrupt controller is "arm,cortex-a15-gic") the
// same calls drive a GICv2 (IHI 0048B): distributor at 0x08000000 with INTIDs 0..31 banked per
// CPU, memory-mapped CPU interface (GICC) at 0x08010000, group 0 interrupts signalled as IRQ.
#include "board.h"

#include "device_tree.h"
#include "guest.h"
#include "io.h"
#include "platform.h"

namespace guest {

const std::uint32_t kTimerIrq = 27;  // EL1 virtual timer PPI (virt: ARCH_TIMER_VIRT_IRQ 11 + 16)
const std::uint32_t kUartIrq = 33;   // PL011: SPI 1
const std::int64_t kCpuStartInvalidParam = -2;  // PSCI INVALID_PARAMETERS (DEN0022 5.2.2)
const std::int64_t kCpuStartAlreadyOn = -4;     // PSCI ALREADY_ON

}  // namespace guest

namespace {

constexpr std::uintptr_t kGicd = 0x08000000;
constexpr std::uintptr_t kGicr = 0x080a0000;
constexpr std::uintptr_t kGicrStride = 0x20000;
constexpr std::uintptr_t kSgiBase = 0x10000;

// Distributor registers.
constexpr std::uintptr_t kGicdCtlr = 0x0000;
constexpr std::uint32_t kCtlrRwp = 1u << 31;
// GICD_CTLR with one security state (QEMU virt: DS = 1): ARE bit 4, EnableGrp1 bit 1. With
// two security states the Non-secure view has ARE_NS at bit 4 and EnableGrp1A at bit 1: the
// same bits.
constexpr std::uint32_t kCtlrAre = 1u << 4;
constexpr std::uint32_t kCtlrEnableGrp1 = 1u << 1;
constexpr std::uintptr_t kIgroupr = 0x0080;     // GICD_IGROUPR<n> / GICR_IGROUPR0
constexpr std::uintptr_t kIsenabler = 0x0100;   // GICD_ISENABLER<n> / GICR_ISENABLER0
constexpr std::uintptr_t kIcenabler = 0x0180;   // GICD_ICENABLER<n> / GICR_ICENABLER0
constexpr std::uintptr_t kIpriorityr = 0x0400;  // GICD_IPRIORITYR<n> / GICR_IPRIORITYR<n>
constexpr std::uintptr_t kIcfgr = 0x0c00;       // GICD_ICFGR<n> / GICR_ICFGR<n>
constexpr std::uintptr_t kIrouter = 0x6000;     // GICD_IROUTER<n>, 64-bit
// Redistributor RD_base registers.
constexpr std::uintptr_t kGicrWaker = 0x0014;
constexpr std::uint32_t kWakerProcessorSleep = 1u << 1;
constexpr std::uint32_t kWakerChildrenAsleep = 1u << 2;

constexpr std::uint32_t kPriority = 0xa0;
constexpr std::uint32_t kSpuriousFirst = 1020;

// PL011 (DDI 0183): DR, FR (RXFE bit 4), IMSC (RXIM bit 4).
constexpr std::uintptr_t kUartDr = guest::kPl011Base + 0x00;
constexpr std::uintptr_t kUartFr = guest::kPl011Base + 0x18;
constexpr std::uintptr_t kUartImsc = guest::kPl011Base + 0x38;
constexpr std::uint32_t kFrRxfe = 1u << 4;
constexpr std::uint32_t kImscRxim = 1u << 4;

// PSCI CPU_ON, SMC64 function ID (DEN0022 5.1.4).
constexpr std::uint64_t kPsciCpuOn = 0xc4000003;

// GICv2 CPU interface (IHI 0048B 4.4) and its distributor's extra registers (4.3).
constexpr std::uintptr_t kGicc = 0x08010000;
constexpr std::uintptr_t kGiccCtlr = 0x00;
constexpr std::uintptr_t kGiccPmr = 0x04;
constexpr std::uintptr_t kGiccIar = 0x0c;
constexpr std::uintptr_t kGiccEoir = 0x10;
constexpr std::uint32_t kGiccCtlrEnableGrp0 = 1u << 0;
constexpr std::uint32_t kGicdCtlrEnableGrp0 = 1u << 0;
constexpr std::uintptr_t kItargetsr = 0x0800;  // one byte per INTID
constexpr std::uintptr_t kSgir = 0x0f00;
constexpr std::uint32_t kIarIntid = 0x3ff;

guest::IrqHandler g_handler = nullptr;
bool g_gicv2 = false;  // set by irq_controller_init from the boot device tree

bool equal(const char* a, const char* b) {
  while (*a != 0 && *a == *b) a++, b++;
  return *a == *b;
}

// Finds a "compatible" list whose first entry is the GICv2 binding's.
class GicVersion final : public guest::FdtVisitor {
 public:
  void node(const char*, int) override {}
  void property(const char*, const char* name, const std::uint8_t* value,
                std::uint32_t size) override {
    if (size > 0 && value[size - 1] == 0 && equal(name, "compatible") &&
        equal(reinterpret_cast<const char*>(value), "arm,cortex-a15-gic")) {
      gicv2 = true;
    }
  }
  bool gicv2 = false;
};

std::uintptr_t sgi_base(unsigned cpu) { return kGicr + cpu * kGicrStride + kSgiBase; }

void set_bit(std::uintptr_t reg_base, std::uint32_t irq) {
  const std::uintptr_t reg = reg_base + 4 * (irq / 32);
  guest::io::write32(reg, guest::io::read32(reg) | (1u << (irq % 32)));
}

void set_priority(std::uintptr_t frame, std::uint32_t irq) {
  // Word access (4 INTIDs per word), not the byte access the architecture also allows.
  const std::uintptr_t reg = frame + kIpriorityr + 4 * (irq / 4);
  const unsigned shift = 8 * (irq % 4);
  guest::io::write32(reg, (guest::io::read32(reg) & ~(0xffu << shift)) | (kPriority << shift));
}

void set_level_triggered(std::uintptr_t frame, std::uint32_t irq) {
  const std::uintptr_t reg = frame + kIcfgr + 4 * (irq / 16);
  guest::io::write32(reg, guest::io::read32(reg) & ~(3u << (2 * (irq % 16))));
}

void wait_rwp() {
  while ((guest::io::read32(kGicd + kGicdCtlr) & kCtlrRwp) != 0) {
  }
}

}  // namespace

// Called by irq_entry (start.S): one interrupt per exception, acknowledged (ICC_IAR1_EL1;
// GICv2: GICC_IAR) and completed (ICC_EOIR1_EL1 / GICC_EOIR with the IAR value: priority drop
// and deactivation, EOImode 0).
extern "C" void guest_irq_dispatch() {
  if (g_gicv2) {
    const std::uint32_t iar = guest::io::read32(kGicc + kGiccIar);
    const std::uint32_t intid = iar & kIarIntid;
    if (intid >= kSpuriousFirst) return;
    if (g_handler == nullptr) guest_trap();
    g_handler(intid);
    guest::io::write32(kGicc + kGiccEoir, iar);
    return;
  }
  std::uint64_t intid;
  asm volatile("mrs %0, icc_iar1_el1" : "=r"(intid) : : "memory");
  if (intid >= kSpuriousFirst) return;
  if (g_handler == nullptr) guest_trap();
  g_handler(static_cast<std::uint32_t>(intid));
  asm volatile("msr icc_eoir1_el1, %0" : : "r"(intid) : "memory");
}

void guest::irq_set_handler(IrqHandler handler) { g_handler = handler; }

void guest::irq_controller_init() {
  GicVersion version;
  if (const std::uint8_t* dtb = device_tree()) fdt_walk(dtb, version);
  g_gicv2 = version.gicv2;
  if (g_gicv2) {
    io::write32(kGicd + kGicdCtlr, 0);
    io::write32(kGicd + kGicdCtlr, kGicdCtlrEnableGrp0);
    return;
  }
  io::write32(kGicd + kGicdCtlr, 0);
  wait_rwp();
  io::write32(kGicd + kGicdCtlr, kCtlrAre | kCtlrEnableGrp1);
  wait_rwp();
}

void guest::irq_cpu_init(unsigned cpu) {
  if (g_gicv2) {  // all priorities let through, group 0 on
    io::write32(kGicc + kGiccPmr, 0xff);
    io::write32(kGicc + kGiccCtlr, kGiccCtlrEnableGrp0);
    return;
  }
  // Wake the redistributor (IHI 0069 4.1: clear ProcessorSleep, wait for ChildrenAsleep = 0).
  const std::uintptr_t waker = kGicr + cpu * kGicrStride + kGicrWaker;
  io::write32(waker, io::read32(waker) & ~kWakerProcessorSleep);
  while ((io::read32(waker) & kWakerChildrenAsleep) != 0) {
  }
  // CPU interface: system register access, all priorities let through, group 1 on.
  std::uint64_t sre;
  asm volatile("mrs %0, icc_sre_el1" : "=r"(sre));
  asm volatile("msr icc_sre_el1, %0; isb" : : "r"(sre | 1));
  asm volatile("msr icc_pmr_el1, %0" : : "r"(std::uint64_t{0xff}));
  asm volatile("msr icc_igrpen1_el1, %0; isb" : : "r"(std::uint64_t{1}) : "memory");
}

void guest::irq_enable(std::uint32_t irq, unsigned cpu) {
  if (g_gicv2) {  // group 0; INTIDs 0..31 are banked: this CPU's own
    set_priority(kGicd, irq);
    if (irq >= 16) set_level_triggered(kGicd, irq);
    if (irq >= 32) io::write8(kGicd + kItargetsr + irq, static_cast<std::uint8_t>(1u << cpu));
    io::write32(kGicd + kIsenabler + 4 * (irq / 32), 1u << (irq % 32));
    return;
  }
  if (irq < 32) {  // SGI/PPI: the CPU's redistributor
    const std::uintptr_t frame = sgi_base(cpu);
    set_bit(frame + kIgroupr, irq);
    set_priority(frame, irq);
    if (irq >= 16) set_level_triggered(frame, irq);
    io::write32(frame + kIsenabler, 1u << irq);
  } else {  // SPI: the distributor, routed to the CPU (Aff0 = cpu, IRM = 0)
    set_bit(kGicd + kIgroupr, irq);
    set_priority(kGicd, irq);
    set_level_triggered(kGicd, irq);
    io::write64(kGicd + kIrouter + 8 * irq, cpu);
    io::write32(kGicd + kIsenabler + 4 * (irq / 32), 1u << (irq % 32));
    wait_rwp();
  }
}

void guest::irq_disable(std::uint32_t irq, unsigned cpu) {
  if (g_gicv2) {
    io::write32(kGicd + kIcenabler + 4 * (irq / 32), 1u << (irq % 32));
    return;
  }
  if (irq < 32) {
    io::write32(sgi_base(cpu) + kIcenabler, 1u << irq);
  } else {
    io::write32(kGicd + kIcenabler + 4 * (irq / 32), 1u << (irq % 32));
    wait_rwp();
  }
}

void guest::irq_send_sgi(std::uint32_t irq, unsigned cpu) {
  if (g_gicv2) {
    // GICD_SGIR (IHI 0048B 4.3.15): CPUTargetList [23:16], SGIINTID [3:0].
    io::write32(kGicd + kSgir, (1u << (16 + cpu)) | irq);
    return;
  }
  // ICC_SGI1R_EL1 (IHI 0069 12.2.22): INTID bits 27:24, TargetList (Aff0) bits 15:0.
  const std::uint64_t value = (std::uint64_t{irq} << 24) | (std::uint64_t{1} << cpu);
  asm volatile("msr S3_0_C12_C11_5, %0\n\tisb" : : "r"(value) : "memory");
}

void guest::irq_local_enable() { asm volatile("msr daifclr, #2; isb" ::: "memory"); }
void guest::irq_local_disable() { asm volatile("msr daifset, #2" ::: "memory"); }
void guest::wait_for_interrupt() { asm volatile("wfi" ::: "memory"); }

std::uint64_t guest::timer_frequency() {
  std::uint64_t v;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
  return v;
}

std::uint64_t guest::timer_now() {
  std::uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
  return v;
}

void guest::timer_set(std::uint64_t deadline) {
  // CNTV_CTL_EL0: ENABLE = 1, IMASK = 0; the timer condition is CNTVCT >= CNTV_CVAL.
  asm volatile("msr cntv_cval_el0, %0" : : "r"(deadline));
  asm volatile("msr cntv_ctl_el0, %0; isb" : : "r"(std::uint64_t{1}) : "memory");
}

void guest::timer_stop() {
  asm volatile("msr cntv_ctl_el0, %0; isb" : : "r"(std::uint64_t{0}) : "memory");
}

void guest::uart_rx_irq_enable() { io::write32(kUartImsc, io::read32(kUartImsc) | kImscRxim); }

int guest::uart_getc() {
  if ((io::read32(kUartFr) & kFrRxfe) != 0) return -1;
  return static_cast<int>(io::read32(kUartDr) & 0xff);
}

std::int64_t guest::cpu_start(std::uint64_t id, const CpuStart* start, std::uint64_t entry) {
  if (entry == 0) entry = reinterpret_cast<std::uintptr_t>(&guest_secondary_entry);
  register std::uint64_t x0 asm("x0") = kPsciCpuOn;
  register std::uint64_t x1 asm("x1") = id;  // target MPIDR: Aff0 = id on virt (<= 8 CPUs)
  register std::uint64_t x2 asm("x2") = entry;
  register std::uint64_t x3 asm("x3") = reinterpret_cast<std::uintptr_t>(start);
  asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
  return static_cast<std::int64_t>(x0);
}

std::uint64_t guest::boot_cpu_id() { return 0; }

// QEMU's PSCI keeps the other CPUs off until CPU_ON: none runs without being started.
bool guest::cpu_adopt(std::uint64_t, const CpuStart*) { return false; }
