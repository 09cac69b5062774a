// SPDX-License-Identifier: Apache-2.0
// Interrupts, timer, UART input and CPU start-up for the aarch64 and riscv64 guests (timer,
// smp, echo, irqstorm): the same calls on both, implemented in guests/arch/<arch>/board.cpp
// for QEMU's virt board (aarch64: GICv3, virtual timer, PL011, PSCI over HVC; riscv64: PLIC,
// SBI TIME/HSM, NS16550). x86_64 does not provide them.
#pragma once

#include <cstdint>

namespace guest {

// ---- Interrupts -------------------------------------------------------------------------
// Interrupt numbers passed to the handler and to irq_enable(). aarch64: the GIC INTID;
// riscv64: the scause interrupt code for local interrupts (5 = supervisor timer), and
// 0x100 + source for PLIC (external) interrupts (kPlicIrqBase, guests/arch/riscv64/board.cpp).
extern const std::uint32_t kTimerIrq;
extern const std::uint32_t kUartIrq;

// Called once per interrupt exception with IRQs masked. The library acknowledges the
// interrupt at the controller before (GIC IAR, PLIC claim) and completes it after (GIC EOI,
// PLIC complete); clearing the device's condition is the handler's job.
using IrqHandler = void (*)(std::uint32_t irq);
void irq_set_handler(IrqHandler handler);

// Boot CPU, once: the interrupt controller's global part (GICv3 distributor; nothing on riscv).
void irq_controller_init();
// Every CPU that takes interrupts, once: its own part (GICv3 redistributor + CPU interface).
void irq_cpu_init(unsigned cpu);
// Routes interrupt `irq` to `cpu` and enables it (GIC group 1, priority, enable; PLIC
// priority + enable bit of the CPU's S-mode context; riscv local interrupts: the sie bit). On a
// GICv2 INTIDs 0..31 are banked per CPU: `cpu` must then be the calling CPU for them.
void irq_enable(std::uint32_t irq, unsigned cpu);
void irq_disable(std::uint32_t irq, unsigned cpu);
#if defined(__aarch64__)
// Sends SGI `irq` to `cpu` (ICC_SGI1R_EL1; GICv2: GICD_SGIR).
void irq_send_sgi(std::uint32_t irq, unsigned cpu);
#endif
// Unmask / mask interrupts on this CPU (PSTATE.I; sstatus.SIE).
void irq_local_enable();
void irq_local_disable();
// Waits for an interrupt (WFI); returns when one is pending, even if masked.
void wait_for_interrupt();

// ---- Timer (aarch64 virtual timer on PPI 27; riscv64 `time` + SBI set_timer) -----------
std::uint64_t timer_frequency();  // ticks per second: CNTFRQ_EL0; riscv64 virt timebase
std::uint64_t timer_now();        // CNTVCT_EL0; rdtime
// Raises kTimerIrq from `deadline` on until the next timer_set() or timer_stop().
void timer_set(std::uint64_t deadline);
void timer_stop();

// ---- UART input -------------------------------------------------------------------------
// Makes the UART raise kUartIrq while it holds received data (PL011 IMSC.RXIM; 16550 IER.ERBFI).
void uart_rx_irq_enable();
// The next received byte, or -1 when the receive FIFO is empty.
int uart_getc();

// ---- CPUs -------------------------------------------------------------------------------
// What a started CPU runs: guest_secondary_entry (start.S) switches to `stack_top`, installs
// the exception vectors and calls fn(arg); fn must not return.
struct CpuStart {
  std::uint64_t stack_top;
  void (*fn)(std::uint64_t arg);
  std::uint64_t arg;
};
// Starts CPU `id` (aarch64: MPIDR Aff0 = id, PSCI CPU_ON; riscv64: hart id, SBI HSM
// hart_start) at `entry` (the secondary entry when 0) with `start` as its context, and returns
// the firmware's status code (0 = success).
std::int64_t cpu_start(std::uint64_t id, const CpuStart* start, std::uint64_t entry = 0);
// The id of the CPU the guest was started on (aarch64: 0; riscv64: the hart id OpenSBI
// booted, a0 at entry).
std::uint64_t boot_cpu_id();
// When cpu_start() said kCpuStartAlreadyOn for a CPU the guest never started: takes that CPU
// over if the firmware let it into the guest's entry at boot (riscv64: OpenSBI 1.1 now and then
// does; start.S parks it) and starts it on `start`; false if there is no such CPU.
bool cpu_adopt(std::uint64_t id, const CpuStart* start);
// Firmware status codes.
extern const std::int64_t kCpuStartInvalidParam;  // PSCI INVALID_PARAMETERS; SBI_ERR_INVALID_PARAM
extern const std::int64_t kCpuStartAlreadyOn;     // PSCI ALREADY_ON; SBI_ERR_ALREADY_AVAILABLE

}  // namespace guest

extern "C" void guest_secondary_entry();
