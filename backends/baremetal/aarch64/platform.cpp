// SPDX-License-Identifier: Apache-2.0
// The aarch64 side of backends/baremetal/common/arch.h, for QEMU's virt board (and boards that
// boot like it), plus the payload header this image links in.
#include "backends/baremetal/aarch64/platform.h"

#include "backends/baremetal/aarch64/gic_hw.h"
#include "backends/baremetal/aarch64/sysreg.h"
#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/console.h"
#include "backends/baremetal/common/payload.h"

extern "C" char _secondary_start[];  // entry.S

namespace tandem::baremetal {

// Guests are AArch64 ELF files (e_machine EM_AARCH64 = 183, System V gABI) whose RAM starts
// where QEMU virt's does.
[[gnu::section(".payload"), gnu::used]] const PayloadHeader kImagePayload =
    empty_payload(183, 0x4000'0000);

namespace {

// hw/arm/virt.c: the PL011 at 0x09000000; RAM at 0x40000000, where QEMU's loader puts the DTB
// when at least 1 MiB is free below the image (docs/BAREMETAL.md).
constexpr uint64_t kPl011Base = 0x0900'0000;
constexpr uint64_t kRamBase = 0x4000'0000;

// Arm semihosting (IHI 0090): SYS_EXIT (0x18) with x1 -> {reason, subcode}; for
// ADP_Stopped_ApplicationExit QEMU exits with the subcode.
constexpr uint64_t kSysExit = 0x18;
constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;
// PSCI SYSTEM_OFF (DEN0022D 5.1.9), to the firmware at EL3 by SMC.
constexpr uint64_t kPsciSystemOff = 0x8400'0008;
// PSCI CPU_ON, SMC64 (DEN0022D 5.1.4): x1 target MPIDR, x2 entry, x3 context (the entry's x0).
constexpr uint64_t kPsciCpuOn64 = 0xc400'0003;

// How far exit_platform() got: a step that faults (HLT without semihosting, SMC without EL3 are
// UNDEFINED) comes back through the EL2 vector into exit_platform(), which tries the next.
enum class ExitStep : uint8_t { kNone, kSemihosting, kPsci, kPark };
ExitStep g_exit_step = ExitStep::kNone;
int g_exit_status = 0;  // the first status asked for; later attempts come back with another

}  // namespace

bool exiting() { return g_exit_step != ExitStep::kNone; }

namespace arch {

void exit_platform(int status) {
  if (g_exit_step == ExitStep::kNone) {
    g_exit_step = ExitStep::kSemihosting;
    g_exit_status = status;
    const uint64_t block[2] = {kAdpStoppedApplicationExit, static_cast<uint64_t>(status)};
    register uint64_t x0 asm("x0") = kSysExit;
    register const uint64_t* x1 asm("x1") = block;
    asm volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
  }
  if (g_exit_step == ExitStep::kSemihosting) {
    // Semihosting is a debugger's service; on a board, power off through the firmware (the
    // status is lost there).
    g_exit_step = ExitStep::kPsci;
    if (g_exit_status != 0) {
      console_printf("tandem: no semihosting: powering off by PSCI, exit status %d is lost\n",
                     g_exit_status);
    }
    register uint64_t x0 asm("x0") = kPsciSystemOff;
    asm volatile("smc #0" : "+r"(x0) : : "memory");
  }
  g_exit_step = ExitStep::kPark;
  park();
}

void park() {
  asm volatile("msr daifset, #0xf" : : : "memory");
  for (;;) asm volatile("wfi");
}

uint64_t now_ns() {
  // The generic timer (DDI 0487 D11.1): CNTPCT_EL0 ticks at CNTFRQ_EL0 Hz. Split the
  // conversion so it cannot overflow for any counter value.
  const uint64_t ticks = TANDEM_MRS(cntpct_el0);
  const uint64_t hz = TANDEM_MRS(cntfrq_el0);
  if (hz == 0) return 0;
  return ticks / hz * 1'000'000'000 + ticks % hz * 1'000'000'000 / hz;
}

UartInfo default_console() { return UartInfo{UartKind::kPl011, kPl011Base, 0}; }

uint64_t default_dtb_address() { return kRamBase; }

// Physical CPU `index` is MPIDR Aff0 = index (QEMU virt up to 8 CPUs; entry.S parks any other
// CPU that firmware lets in at _start). It enters _secondary_start at EL2 with x0 = index.
int64_t start_cpu(unsigned index) {
  register uint64_t x0 asm("x0") = kPsciCpuOn64;
  register uint64_t x1 asm("x1") = index;
  register uint64_t x2 asm("x2") = reinterpret_cast<uint64_t>(&_secondary_start);
  register uint64_t x3 asm("x3") = index;
  asm volatile("dsb sy\n\tsmc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
  return static_cast<int64_t>(x0);
}

void kick_cpu(unsigned index) { aarch64::gic_kick(1u << index); }

}  // namespace arch
}  // namespace tandem::baremetal
