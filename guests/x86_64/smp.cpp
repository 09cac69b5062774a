// SPDX-License-Identifier: Apache-2.0
// Multiprocessor start-up the PC way: the boot CPU copies a real-mode trampoline below 1 MiB
// (ap_trampoline.S), broadcasts INIT-SIPI-SIPI through its local APIC to every other CPU and
// counts the CPUs that check in within 500 ms (there is no firmware table to read the count
// from: Tandem passes none). The CPUs then print "cpu N up" in APIC ID order (a ticket), meet
// at a barrier, each add 1 to a shared counter 1000 times with LOCK XADD, and the boot CPU
// prints the total. Timing comes from the boot CPU's local APIC timer (10 ms periods, HLT in
// between); Intel SDM vol.3 8.4.4.1 for the start-up sequence.
#include <cstddef>
#include <cstdint>

#include "apic.h"
#include "guest.h"
#include "idt.h"

extern "C" {
extern const char ap_trampoline_start[];
extern const char ap_trampoline_end[];
extern const char ap_trampoline_data[];
}

namespace {

namespace apic = guest::apic;

constexpr std::uintptr_t kTrampolineBase = 0x8000;
constexpr std::uint32_t kSipiVector = kTrampolineBase >> 12;
constexpr unsigned kTimerVector = 0x40;
constexpr std::uint32_t kTimerCount = 10000 * 1000 / 16;  // 10 ms (1 GHz bus clock / 16)
constexpr unsigned kCheckInTicks = 50;                    // 500 ms
constexpr unsigned kMaxCpus = 8;
constexpr std::size_t kApStackSize = 4096;
constexpr unsigned kIncrements = 1000;

// The data block at the end of the trampoline (ap_trampoline.S).
struct ApTrampolineData {
  std::uint64_t cr3;
  std::uint64_t stack_base;
  std::uint64_t stack_size;
  std::uint64_t entry;
  std::uint64_t next;
};

alignas(16) std::uint8_t ap_stacks[kMaxCpus][kApStackSize];

volatile unsigned ticks;
unsigned arrived;   // APs that checked in; atomic
unsigned turn;      // the APIC ID whose turn it is to print; atomic
unsigned cpus;      // set by the boot CPU once it knows the count; atomic
unsigned barrier;   // CPUs at the barrier; atomic
unsigned counter;   // the shared counter
unsigned finished;  // CPUs done counting; atomic

template <class T>
T load(const T& v) {
  return __atomic_load_n(&v, __ATOMIC_ACQUIRE);
}
template <class T>
void store(T& v, T value) {
  __atomic_store_n(&v, value, __ATOMIC_RELEASE);
}

// LOCK XADD, spelled out (the compiler would pick LOCK ADD for an unused result).
unsigned fetch_add(unsigned& v, unsigned n) {
  asm volatile("lock xaddl %0, %1" : "+r"(n), "+m"(v) : : "memory");
  return n;
}

void pause() { asm volatile("pause"); }

void on_timer(unsigned, const guest::InterruptFrame&) {
  ticks = ticks + 1;
  apic::eoi();
}

void wait_ticks(unsigned n) {
  const unsigned until = ticks + n;
  while (ticks < until) apic::wait_for_interrupt();
}

void say_up(unsigned id) {
  while (load(turn) != id) pause();
  guest::put_str("cpu ");
  guest::put_dec(id);
  guest::put_str(" up\n");
  store(turn, id + 1);
}

// Everything after saying "up", on every CPU.
void count() {
  while (load(cpus) == 0) pause();
  const unsigned n = load(cpus);
  fetch_add(barrier, 1);
  while (load(barrier) < n) pause();
  for (unsigned i = 0; i < kIncrements; ++i) fetch_add(counter, 1);
  fetch_add(finished, 1);
}

extern "C" void ap_main() {
  x86_load_idt();
  fetch_add(arrived, 1);
  say_up(apic::lapic_id());
  count();
}

std::uint64_t read_cr3() {
  std::uint64_t v;
  asm volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}

void copy_trampoline() {
  auto* dst = reinterpret_cast<volatile char*>(kTrampolineBase);
  for (const char* p = ap_trampoline_start; p != ap_trampoline_end; ++p) *dst++ = *p;
  auto* data = reinterpret_cast<volatile ApTrampolineData*>(
      kTrampolineBase + (ap_trampoline_data - ap_trampoline_start));
  data->cr3 = read_cr3();
  data->stack_base = reinterpret_cast<std::uintptr_t>(&ap_stacks[0][0]);
  data->stack_size = kApStackSize;
  data->entry = reinterpret_cast<std::uintptr_t>(&ap_main);
  data->next = 0;
}

}  // namespace

extern "C" int guest_main() {
  apic::pic_disable();
  guest::set_irq_handler(kTimerVector, on_timer);
  apic::lapic_enable();
  apic::timer_periodic(kTimerVector, kTimerCount);
  const unsigned self = apic::lapic_id();
  if (self != 0) return 1;  // the boot CPU is APIC ID 0 on both boards
  say_up(0);

  copy_trampoline();
  apic::send_ipi(0, apic::kIcrAllButSelf | apic::kIcrAssert | apic::kIcrInit);
  wait_ticks(1);  // the SDM's 10 ms
  apic::send_ipi(0, apic::kIcrAllButSelf | apic::kIcrStartup | kSipiVector);
  wait_ticks(1);
  apic::send_ipi(0, apic::kIcrAllButSelf | apic::kIcrStartup | kSipiVector);
  wait_ticks(kCheckInTicks);
  apic::timer_stop();

  const unsigned n = 1 + load(arrived);
  if (n > kMaxCpus) return 1;
  while (load(turn) != n) pause();  // every CPU has said it is up
  store(cpus, n);
  count();
  while (load(finished) != n) pause();
  guest::put_str("smp: ");
  guest::put_dec(n);
  guest::put_str(" cpus, counter = ");
  guest::put_dec(load(counter));
  guest::put_str("\n");
  return load(counter) == n * kIncrements ? 0 : 1;
}
