// SPDX-License-Identifier: Apache-2.0
// guests/lib/board.h on QEMU's virt board (hw/riscv/virt.c) under OpenSBI: the guest runs in
// S-mode and never touches the CLINT (M-mode only). Timer: `time` CSR (rdtime, 10 MHz
// timebase) and SBI TIME set_timer; CPUs: SBI HSM hart_start (SBI v1.0 spec, chapters 6 and 9);
// external interrupts: PLIC (RISC-V PLIC spec 1.0), hart h's S-mode context is 2h + 1; UART:
// NS16550 on PLIC source 10.
#include "board.h"

#include "guest.h"
#include "io.h"
#include "platform.h"

extern "C" {
// Stored by _start: the hart OpenSBI booted the guest on (a0 at entry).
std::uint64_t guest_boot_hartid = 0;
}

namespace guest {

inline constexpr std::uint32_t kPlicIrqBase = 0x100;
const std::uint32_t kTimerIrq = 5;                 // scause: supervisor timer interrupt
const std::uint32_t kUartIrq = kPlicIrqBase + 10;  // PLIC source 10 (virt UART0_IRQ)
const std::int64_t kCpuStartInvalidParam = -3;     // SBI_ERR_INVALID_PARAM
const std::int64_t kCpuStartAlreadyOn = -6;        // SBI_ERR_ALREADY_AVAILABLE

}  // namespace guest

namespace {

constexpr std::uint64_t kScauseExternal = 9;
constexpr std::uint64_t kScauseCodeMask = ~(std::uint64_t{1} << 63);

constexpr std::uintptr_t kPlic = 0x0c000000;
constexpr std::uintptr_t kPlicEnable = kPlic + 0x2000;       // + 0x80 * context
constexpr std::uintptr_t kPlicThreshold = kPlic + 0x200000;  // + 0x1000 * context
constexpr std::uintptr_t kPlicClaim = kPlic + 0x200004;      // + 0x1000 * context

// 16550: RBR (read) at 0, IER at 1 (ERBFI bit 0), LSR at 5 (DR bit 0).
constexpr std::uintptr_t kUartRbr = guest::kUartBase + 0;
constexpr std::uintptr_t kUartIer = guest::kUartBase + 1;
constexpr std::uintptr_t kUartLsr = guest::kUartBase + 5;

constexpr std::uint64_t kTimebase = 10000000;  // virt: /cpus timebase-frequency

constexpr std::uint64_t kSbiExtTime = 0x54494d45;
constexpr std::uint64_t kSbiExtHsm = 0x48534d;

guest::IrqHandler g_handler = nullptr;

std::uint64_t s_context(std::uint64_t hart) { return 2 * hart + 1; }

std::int64_t sbi_call(std::uint64_t eid, std::uint64_t fid, std::uint64_t arg0,
                      std::uint64_t arg1 = 0, std::uint64_t arg2 = 0) {
  register std::uint64_t a0 asm("a0") = arg0;
  register std::uint64_t a1 asm("a1") = arg1;
  register std::uint64_t a2 asm("a2") = arg2;
  register std::uint64_t a6 asm("a6") = fid;
  register std::uint64_t a7 asm("a7") = eid;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
  return static_cast<std::int64_t>(a0);
}

}  // namespace

// Called by trap_vector (start.S) with scause of an interrupt.
extern "C" void guest_irq_dispatch(std::uint64_t scause) {
  const std::uint64_t code = scause & kScauseCodeMask;
  if (g_handler == nullptr) guest_trap();
  if (code != kScauseExternal) {
    g_handler(static_cast<std::uint32_t>(code));
    return;
  }
  std::uint64_t hart;
  asm volatile("csrr %0, sscratch" : "=r"(hart));
  const std::uintptr_t claim = kPlicClaim + 0x1000 * s_context(hart);
  const std::uint32_t source = static_cast<std::uint32_t>(guest::io::read32(claim));
  if (source == 0) return;  // claimed by another hart, or no longer pending
  g_handler(guest::kPlicIrqBase + source);
  guest::io::write32(claim, source);
}

void guest::irq_set_handler(IrqHandler handler) { g_handler = handler; }

void guest::irq_controller_init() {}
void guest::irq_cpu_init(unsigned) {}

void guest::irq_enable(std::uint32_t irq, unsigned cpu) {
  if (irq < kPlicIrqBase) {
    asm volatile("csrs sie, %0" : : "r"(std::uint64_t{1} << irq) : "memory");
    return;
  }
  const std::uint32_t source = irq - kPlicIrqBase;
  const std::uint64_t context = s_context(cpu);
  io::write32(kPlic + 4 * source, 1);  // priority 1 (0 = never)
  const std::uintptr_t enable = kPlicEnable + 0x80 * context + 4 * (source / 32);
  io::write32(enable, io::read32(enable) | (1u << (source % 32)));
  io::write32(kPlicThreshold + 0x1000 * context, 0);
  asm volatile("csrs sie, %0" : : "r"(std::uint64_t{1} << kScauseExternal) : "memory");
}

void guest::irq_disable(std::uint32_t irq, unsigned cpu) {
  if (irq < kPlicIrqBase) {
    asm volatile("csrc sie, %0" : : "r"(std::uint64_t{1} << irq) : "memory");
    return;
  }
  const std::uint32_t source = irq - kPlicIrqBase;
  const std::uintptr_t enable = kPlicEnable + 0x80 * s_context(cpu) + 4 * (source / 32);
  io::write32(enable, io::read32(enable) & ~(1u << (source % 32)));
}

void guest::irq_local_enable() { asm volatile("csrsi sstatus, 2" ::: "memory"); }
void guest::irq_local_disable() { asm volatile("csrci sstatus, 2" ::: "memory"); }
void guest::wait_for_interrupt() { asm volatile("wfi" ::: "memory"); }

std::uint64_t guest::timer_frequency() { return kTimebase; }

std::uint64_t guest::timer_now() {
  std::uint64_t v;
  asm volatile("rdtime %0" : "=r"(v) : : "memory");
  return v;
}

void guest::timer_set(std::uint64_t deadline) { sbi_call(kSbiExtTime, 0, deadline); }

// A deadline that never comes clears the pending timer interrupt (SBI spec 6.1).
void guest::timer_stop() { sbi_call(kSbiExtTime, 0, ~std::uint64_t{0}); }

void guest::uart_rx_irq_enable() { io::write8(kUartIer, io::read8(kUartIer) | 1); }

int guest::uart_getc() {
  if ((io::read8(kUartLsr) & 1) == 0) return -1;
  return static_cast<int>(io::read8(kUartRbr));
}

std::int64_t guest::cpu_start(std::uint64_t id, const CpuStart* start, std::uint64_t entry) {
  if (entry == 0) entry = reinterpret_cast<std::uintptr_t>(&guest_secondary_entry);
  return sbi_call(kSbiExtHsm, 0, id, entry, reinterpret_cast<std::uintptr_t>(start));
}

std::uint64_t guest::boot_cpu_id() { return guest_boot_hartid; }

// start.S's parked harts (hart ids 0..7).
extern "C" std::uint64_t guest_parked[8];
extern "C" std::uint64_t guest_release[8];

bool guest::cpu_adopt(std::uint64_t id, const CpuStart* start) {
  if (id >= 8) return false;
  // A hart OpenSBI let into _start is STARTED before it reaches the parking code.
  for (std::uint64_t spins = 0; __atomic_load_n(&guest_parked[id], __ATOMIC_ACQUIRE) == 0;
       ++spins) {
    if (spins == 100000000) return false;
  }
  __atomic_store_n(&guest_parked[id], 0, __ATOMIC_RELAXED);
  __atomic_store_n(&guest_release[id], reinterpret_cast<std::uintptr_t>(start), __ATOMIC_RELEASE);
  return true;
}
