// SPDX-License-Identifier: Apache-2.0
// Uses the CPU's SVE, SME and pointer authentication at EL1 when its ID registers announce
// them (DDI 0487 "ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1", "ID_AA64ISAR1_EL1"), as a kernel does:
// CPACR_EL1 enables them, ZCR_EL1/SMCR_EL1.LEN ask for the longest vectors, and each line says
// what the instructions gave. With a second CPU, that CPU enters streaming mode, turns itself
// off (PSCI CPU_OFF) and is started again (CPU_ON): a CPU out of reset has PSTATE.SM and ZA
// clear, so SVCR reads 0 there. A hypervisor that traps any of them (CPTR_EL2.TZ/TSM,
// HCR_EL2.API) or caps the lengths (ZCR_EL2/SMCR_EL2.LEN) shows here. Registers and
// instructions newer than the assembler's baseline are named by their encoding.
#include "atomic.h"
#include "board.h"
#include "guest.h"

namespace {

#define GUEST_MRS(reg)                                      \
  ({                                                        \
    std::uint64_t guest_mrs_value_;                         \
    asm volatile("mrs %0, " #reg : "=r"(guest_mrs_value_)); \
    guest_mrs_value_;                                       \
  })
#define GUEST_MSR(reg, value) \
  asm volatile("msr " #reg ", %0\n\tisb" : : "r"(static_cast<std::uint64_t>(value)) : "memory")

std::uint64_t field(std::uint64_t reg, unsigned shift) { return (reg >> shift) & 0xf; }

// CPACR_EL1: FPEN (21:20), ZEN (17:16) and SMEN (25:24) = 0b11, nothing traps at EL1/EL0.
constexpr std::uint64_t kCpacrAll = (3ull << 20) | (3ull << 16) | (3ull << 24);
constexpr std::uint64_t kLenMax = 0xf;

// PSCI 1.0 (DEN0022D): CPU_OFF, and AFFINITY_INFO's answer for a CPU that is off.
constexpr std::uint64_t kPsciCpuOff = 0x84000002;
constexpr std::uint64_t kPsciAffinityInfo = 0xc4000004;
constexpr std::uint64_t kAffinityOff = 1;
constexpr std::uint64_t kStackSize = 4096;
alignas(16) std::uint8_t g_stack[kStackSize];
guest::CpuStart g_start;
std::uint32_t g_restarted = 0;
std::uint64_t g_svcr_in_streaming = 0;
std::uint64_t g_svcr_after_restart = 0;

std::uint64_t psci(std::uint64_t function, std::uint64_t arg) {
  register std::uint64_t x0 asm("x0") = function;
  register std::uint64_t x1 asm("x1") = arg;
  register std::uint64_t x2 asm("x2") = 0;  // AFFINITY_INFO: lowest affinity level 0
  asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2) : : "x3", "memory");
  return x0;
}

void sve() {
  GUEST_MSR(s3_0_c1_c2_0, kLenMax);  // ZCR_EL1
  std::uint64_t length = 0;
  // RDVL x0, #1: the vector length in bytes.
  asm volatile(".inst 0x04bf5020\n\tmov %0, x0" : "=r"(length) : : "x0");
  guest::put_str("cpu_extensions: sve vector length ");
  guest::put_dec(length);
  guest::put_str(" bytes\n");
}

void sme() {
  GUEST_MSR(s3_0_c1_c2_6, kLenMax);  // SMCR_EL1
  std::uint64_t length = 0;
  // RDSVL x0, #1: the streaming vector length in bytes.
  asm volatile(".inst 0x04bf5820\n\tmov %0, x0" : "=r"(length) : : "x0");
  asm volatile(".inst 0xd503477f" : : : "memory");     // SMSTART: streaming mode and ZA on
  const std::uint64_t svcr = GUEST_MRS(s3_3_c4_c2_2);  // SVCR: SM (bit 0), ZA (bit 1)
  asm volatile(".inst 0xd503467f" : : : "memory");     // SMSTOP
  guest::put_str("cpu_extensions: sme streaming vector length ");
  guest::put_dec(length);
  guest::put_str(" bytes, SVCR after SMSTART ");
  guest::put_hex(svcr);
  guest::put_str(" after SMSTOP ");
  guest::put_hex(GUEST_MRS(s3_3_c4_c2_2));
  guest::put_byte('\n');
}

// PACGA (generic authentication) of `value` with `modifier` under the key APGAKey_EL1 has: the
// code in bits 63:32, zeros below.
std::uint64_t pacga(std::uint64_t key_lo, std::uint64_t value, std::uint64_t modifier) {
  GUEST_MSR(s3_0_c2_c3_0, key_lo);                 // APGAKeyLo_EL1
  GUEST_MSR(s3_0_c2_c3_1, 0x0123456789abcdefull);  // APGAKeyHi_EL1
  std::uint64_t code = 0;
  asm volatile("mov x1, %1\n\tmov x2, %2\n\t.inst 0x9ac23020\n\tmov %0, x0"  // PACGA x0, x1, x2
               : "=r"(code)
               : "r"(value), "r"(modifier)
               : "x0", "x1", "x2");
  return code;
}

void pauth() {
  const std::uint64_t a = pacga(0x1111, 0x40001000, 7);
  const std::uint64_t again = pacga(0x1111, 0x40001000, 7);
  const std::uint64_t other_key = pacga(0x2222, 0x40001000, 7);
  guest::put_str("cpu_extensions: pauth pacga code ");
  guest::put_str((a >> 32) != 0 && (a & 0xffffffffu) == 0 ? "in bits 63:32" : "MISPLACED");
  guest::put_str(a == again ? ", repeatable" : ", NOT repeatable");
  guest::put_str(a != other_key ? ", keyed\n" : ", NOT keyed\n");
}

// CPU 1's first start: streaming mode and ZA on, then off with them on.
[[noreturn]] void streaming_then_off(std::uint64_t) {
  GUEST_MSR(cpacr_el1, kCpacrAll);
  asm volatile(".inst 0xd503477f" : : : "memory");  // SMSTART
  g_svcr_in_streaming = GUEST_MRS(s3_3_c4_c2_2);
  psci(kPsciCpuOff, 0);
  for (;;) guest::wait_for_interrupt();  // CPU_OFF does not return
}

// CPU 1's second start: what SVCR holds now.
[[noreturn]] void after_restart(std::uint64_t) {
  GUEST_MSR(cpacr_el1, kCpacrAll);
  g_svcr_after_restart = GUEST_MRS(s3_3_c4_c2_2);
  guest::atomic_store(&g_restarted, 1u);
  for (;;) guest::wait_for_interrupt();
}

void sme_after_cpu_restart() {
  g_start = {reinterpret_cast<std::uintptr_t>(&g_stack[kStackSize]), streaming_then_off, 0};
  if (guest::cpu_start(1, &g_start) != 0) return;  // one CPU only
  while (psci(kPsciAffinityInfo, 1) != kAffinityOff) guest::cpu_relax();
  g_start.fn = after_restart;
  if (guest::cpu_start(1, &g_start) != 0) {
    guest::put_str("cpu_extensions: CPU 1 did not start again\n");
    return;
  }
  while (guest::atomic_load(&g_restarted) == 0) guest::cpu_relax();
  guest::put_str("cpu_extensions: sme CPU 1 SVCR ");
  guest::put_hex(g_svcr_in_streaming);
  guest::put_str(" before CPU_OFF, ");
  guest::put_hex(g_svcr_after_restart);
  guest::put_str(" after CPU_ON\n");
}

}  // namespace

extern "C" int guest_main() {
  GUEST_MSR(cpacr_el1, kCpacrAll);
  const std::uint64_t isar1 = GUEST_MRS(id_aa64isar1_el1);
  if (field(GUEST_MRS(id_aa64pfr0_el1), 32) != 0) sve();
  if (field(GUEST_MRS(id_aa64pfr1_el1), 24) != 0) {
    sme();
    sme_after_cpu_restart();
  }
  // Generic authentication: ID_AA64ISAR1_EL1.GPA (27:24) or GPI (31:28), or
  // ID_AA64ISAR2_EL1.GPA3 (11:8; the register is S3_0_C0_C6_2).
  if (field(isar1, 24) != 0 || field(isar1, 28) != 0 || field(GUEST_MRS(s3_0_c0_c6_2), 8) != 0) {
    pauth();
  }
  return 0;
}
