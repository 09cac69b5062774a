// SPDX-License-Identifier: Apache-2.0
// KVM's in-kernel irqchip through the backend: HLT waits in the kernel and request_stop()
// ends the wait, the local APIC timer wakes a HLT, KvmMachine::irq_controller() drives an
// IOAPIC input, and a second vCPU, never given a boot state, starts on INIT/SIPI in real mode.
// The guests are assembled below, in 64-bit mode: on the CI machines' paravirtual KVM a
// 32-bit protected-mode IRET ends in KVM_EXIT_INTERNAL_ERROR (emulation failure), IRETQ works.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "unit/kvm/kvm_fixture.h"

// The IDT is at 0x9000 with its IDTR at 0x8ff0 (written by the test); the guests are copied to
// kCodeGpa and use only RIP-relative or register-based addresses. The APIC windows lie above
// 2 GiB, out of reach of a sign-extended 32-bit displacement: they go through %rdi / %rsi.
asm(R"(
	.pushsection .rodata.kvm_irq_test, "a"
	.code64


	.global	kvm_timer_guest, kvm_timer_guest_end, kvm_timer_guest_handler
kvm_timer_guest:
	lidt	0x8ff0
	mov	$0xfee00000, %edi
	movl	$0x1ff, 0xf0(%rdi)		/* SVR: enabled, spurious vector 0xff */
	movl	$0xb, 0x3e0(%rdi)		/* divide by 1 */
	movl	$0x20040, 0x320(%rdi)		/* periodic, vector 0x40 */
	movl	$1000000, 0x380(%rdi)		/* 1 ms at KVM's 1 GHz APIC bus */
1:	sti
	hlt
	cli
	cmpl	$5, timer_count(%rip)
	jb	1b
	movl	$0x10000, 0x320(%rdi)		/* masked */
	mov	timer_count(%rip), %eax
	out	%al, $0xf4
kvm_timer_guest_handler:
	push	%rdi
	incl	timer_count(%rip)
	mov	$0xfee00000, %edi
	movl	$0, 0xb0(%rdi)			/* EOI */
	pop	%rdi
	iretq
	.balign	4
timer_count:
	.long	0
kvm_timer_guest_end:

	.global	kvm_ioapic_guest, kvm_ioapic_guest_end, kvm_ioapic_guest_handler
kvm_ioapic_guest:
	lidt	0x8ff0
	mov	$0xff, %al			/* mask both 8259s: KVM starts LINT0 in virtual wire */
	out	%al, $0x21
	out	%al, $0xa1
	mov	$0xfee00000, %edi
	movl	$0x1ff, 0xf0(%rdi)
	mov	$0xfec00000, %esi
	movl	$0x19, (%rsi)			/* redirection entry 4, high: APIC ID 0 */
	movl	$0, 0x10(%rsi)
	movl	$0x18, (%rsi)			/* low: vector 0x24, fixed, edge, unmasked */
	movl	$0x24, 0x10(%rsi)
	mov	$0x510, %dx
	out	%al, (%dx)			/* the test pulses GSI 4 */
1:	sti
	hlt
	cli
	cmpl	$0, ioapic_count(%rip)
	je	1b
	mov	ioapic_count(%rip), %eax
	out	%al, $0xf4
kvm_ioapic_guest_handler:
	push	%rdi
	incl	ioapic_count(%rip)
	mov	$0xfee00000, %edi
	movl	$0, 0xb0(%rdi)
	pop	%rdi
	iretq
	.balign	4
ioapic_count:
	.long	0
kvm_ioapic_guest_end:

/* The boot vCPU: INIT, then a SIPI with vector 0x0a (0xa000) to APIC ID 1; waits for the flag. */
	.global	kvm_sipi_guest, kvm_sipi_guest_end
kvm_sipi_guest:
	mov	$0xfee00000, %edi
	movl	$0x1ff, 0xf0(%rdi)
	movl	$0x01000000, 0x310(%rdi)
	movl	$0x4500, 0x300(%rdi)		/* INIT, assert */
	movl	$0x01000000, 0x310(%rdi)
	movl	$0x460a, 0x300(%rdi)		/* SIPI, vector 0x0a */
1:	pause
	cmpw	$0, 0xb000
	je	1b
	movzwl	0xb000, %eax
	out	%al, $0xf4
kvm_sipi_guest_end:

/* The secondary vCPU at 0xa000 in real mode: reports CS on port 0x500, sets the flag. */
	.code16
	.global	kvm_ap_guest, kvm_ap_guest_end
kvm_ap_guest:
	mov	%cs, %ax
	mov	$0x500, %dx
	out	%ax, (%dx)
	xor	%ax, %ax
	mov	%ax, %ds
	movw	$0x42, 0xb000
1:	hlt
	jmp	1b
kvm_ap_guest_end:
	.code64
	.popsection
)");

extern "C" {
extern const uint8_t kvm_timer_guest[], kvm_timer_guest_end[], kvm_timer_guest_handler[];
extern const uint8_t kvm_ioapic_guest[], kvm_ioapic_guest_end[], kvm_ioapic_guest_handler[];
extern const uint8_t kvm_sipi_guest[], kvm_sipi_guest_end[];
extern const uint8_t kvm_ap_guest[], kvm_ap_guest_end[];
}

namespace tandem::kvm_test {
namespace {

constexpr uint64_t kIdtrGpa = 0x8ff0;
constexpr uint64_t kIdtGpa = 0x9000;
constexpr uint64_t kApCodeGpa = 0xa000;
constexpr uint64_t kFlagGpa = 0xb000;
constexpr uint16_t kPulsePort = 0x510;

std::span<const uint8_t> blob(const uint8_t* start, const uint8_t* end) {
  return {start, static_cast<size_t>(end - start)};
}

// Pulses a GSI of the machine's irq_controller() on every write (a device raising its line).
class PulseDevice final : public Device {
 public:
  const char* name() const override { return "pulse"; }
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint64_t) override {
    controller->set_irq_level(gsi, true);
    controller->set_irq_level(gsi, false);
  }
  IrqController* controller = nullptr;
  uint32_t gsi = 0;
};

class KvmIrqTest : public KvmTest {
 protected:
  // A 64-bit interrupt gate for `vector` to guest address `handler` (SDM vol.3 6.14.1).
  void set_gate(unsigned vector, uint64_t handler) {
    const uint16_t words[4] = {static_cast<uint16_t>(handler), x86::kCodeSelector, 0x8e00,
                               static_cast<uint16_t>(handler >> 16)};
    const uint32_t high[2] = {static_cast<uint32_t>(handler >> 32), 0};
    std::memcpy(m_ram.data() + kIdtGpa + 16 * vector, words, sizeof words);
    std::memcpy(m_ram.data() + kIdtGpa + 16 * vector + 8, high, sizeof high);
    const uint16_t limit = 256 * 16 - 1;
    const uint64_t base = kIdtGpa;
    std::memcpy(m_ram.data() + kIdtrGpa, &limit, 2);
    std::memcpy(m_ram.data() + kIdtrGpa + 2, &base, 8);
  }

  // Guest address of `symbol` inside a blob copied to kCodeGpa.
  static uint64_t at(const uint8_t* blob_start, const uint8_t* symbol) {
    return kCodeGpa + static_cast<uint64_t>(symbol - blob_start);
  }
};

TEST_F(KvmIrqTest, MachineOffersTheInKernelIrqchipAndAThreadPerVcpu) {
  EXPECT_NE(m_machine->irq_controller(), nullptr);
  static_assert(KvmMachine::kTraits.thread_per_vcpu);
  // Past the IOAPIC's 24 pins: logged and dropped, not a failure.
  m_machine->irq_controller()->set_irq_level(200, true);
}

TEST_F(KvmIrqTest, HltWaitsInTheKernelUntilRequestStopUsingNoCpu) {
  const uint8_t code[] = {
      0xfa,        // cli
      0xf4,        // hlt: nothing can wake it
      0xe6, 0xf4,  // out %al,$0xf4: isa-debug-exit ends the run
  };
  boot64(code);
  rusage before{}, after{};
  VcpuExit exit;
  auto start = std::chrono::steady_clock::now();
  std::thread cpu([&] {
    getrusage(RUSAGE_THREAD, &before);
    exit = run();
    getrusage(RUSAGE_THREAD, &after);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  vcpu().request_stop();
  cpu.join();
  const double waited_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(exit.kind, ExitKind::kTimeout);
  EXPECT_GE(waited_ms, 290.0);
  auto us = [](const timeval& t) { return t.tv_sec * 1'000'000.0 + t.tv_usec; };
  const double cpu_ms =
      (us(after.ru_utime) + us(after.ru_stime) - us(before.ru_utime) - us(before.ru_stime)) / 1e3;
  std::printf("vCPU thread CPU time over a %.0f ms HLT: %.1f ms\n", waited_ms, cpu_ms);
  EXPECT_LT(cpu_ms, 60.0);
}

TEST_F(KvmIrqTest, LapicTimerWakesHlt) {
  const auto code = blob(kvm_timer_guest, kvm_timer_guest_end);
  set_gate(0x40, at(kvm_timer_guest, kvm_timer_guest_handler));
  boot64(code);
  const auto start = std::chrono::steady_clock::now();
  const VcpuExit exit = run();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(exit.kind, ExitKind::kSystemDown) << (exit.reason ? exit.reason : "");
  // At least the five it waits for: a period can also end between a handler's iretq and the
  // loop's cli (a descheduled vCPU on a loaded host sees two), so more is not an error.
  EXPECT_GE(exit.value, 5u);
  EXPECT_GE(ms, 4.0);  // five 1 ms periods, the first after 1 ms
}

TEST_F(KvmIrqTest, IrqControllerLineReachesTheGuestThroughTheIoapic) {
  PulseDevice pulse;
  pulse.controller = m_machine->irq_controller();
  pulse.gsi = 4;
  ASSERT_TRUE(m_bus.add(BusSpace::kPort, kPulsePort, 1, pulse).ok());
  set_gate(0x24, at(kvm_ioapic_guest, kvm_ioapic_guest_handler));
  boot64(blob(kvm_ioapic_guest, kvm_ioapic_guest_end));
  const VcpuExit exit = run();
  ASSERT_EQ(exit.kind, ExitKind::kSystemDown) << (exit.reason ? exit.reason : "");
  EXPECT_EQ(exit.value, 1u);  // exactly one interrupt, on vector 0x24
}

class KvmSmpTest : public KvmIrqTest {
 protected:
  unsigned cpu_count() const override { return 2; }
};

TEST_F(KvmSmpTest, SecondVcpuWithoutBootStateStartsInRealModeOnInitSipi) {
  auto ap = m_machine->create_vcpu(1);
  ASSERT_TRUE(ap.ok());
  const auto ap_code = blob(kvm_ap_guest, kvm_ap_guest_end);
  std::memcpy(m_ram.data() + kApCodeGpa, ap_code.data(), ap_code.size());
  boot64(blob(kvm_sipi_guest, kvm_sipi_guest_end));

  VcpuExit ap_exit;
  std::thread ap_thread([&] {
    auto e = ap->run();  // blocks in KVM_RUN until the SIPI, then in the AP's HLT
    if (e.ok()) ap_exit = *e;
  });
  const VcpuExit exit = run();
  ap->request_stop();
  ap_thread.join();
  ASSERT_EQ(exit.kind, ExitKind::kSystemDown) << (exit.reason ? exit.reason : "");
  EXPECT_EQ(exit.value, 0x42u);
  EXPECT_EQ(ap_exit.kind, ExitKind::kTimeout);
  ASSERT_EQ(m_port.accesses.size(), 1u);
  EXPECT_EQ(m_port.accesses[0].value, kApCodeGpa >> 4);  // CS = vector << 8
  EXPECT_EQ(m_ram[kFlagGpa], 0x42);
}

TEST_F(KvmSmpTest, RequestStopEndsASecondaryVcpuThatNeverGotItsSipi) {
  auto ap = m_machine->create_vcpu(1);
  ASSERT_TRUE(ap.ok());
  VcpuExit ap_exit;
  std::thread ap_thread([&] {
    auto e = ap->run();
    if (e.ok()) ap_exit = *e;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ap->request_stop();
  ap_thread.join();
  EXPECT_EQ(ap_exit.kind, ExitKind::kTimeout);
}

}  // namespace
}  // namespace tandem::kvm_test
