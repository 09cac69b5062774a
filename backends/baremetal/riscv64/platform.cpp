// SPDX-License-Identifier: Apache-2.0
// The riscv64 side of backends/baremetal/common/arch.h, for QEMU's virt board under OpenSBI,
// plus the payload header this image links in.
#include "backends/baremetal/common/arch.h"
#include "backends/baremetal/common/payload.h"
#include "backends/baremetal/riscv64/csr.h"
#include "backends/baremetal/riscv64/hs_timer.h"

extern "C" {
extern char _secondary_start[];  // entry.S
extern uint64_t boot_hartid;     // entry.S: a0 at _start
}

namespace tandem::baremetal {

// Guests are RISC-V ELF files (e_machine EM_RISCV = 243, System V gABI) whose RAM starts where
// QEMU virt's does.
[[gnu::section(".payload"), gnu::used]] const PayloadHeader kImagePayload =
    empty_payload(243, 0x8000'0000);

namespace arch {
namespace {

// hw/riscv/virt.c: the sifive_test finisher ("sifive,test0") at 0x100000 and the NS16550A
// UART at 0x10000000. Writing FINISHER_PASS (0x5555) ends QEMU with status 0 and
// FINISHER_FAIL (0x3333) | code << 16 with status `code` (hw/misc/sifive_test.c).
constexpr uint64_t kSifiveTestBase = 0x100000;
constexpr uint32_t kFinisherPass = 0x5555;
constexpr uint32_t kFinisherFail = 0x3333;
constexpr uint64_t kUartBase = 0x10000000;

// SBI SRST system_reset (SBI spec v2.0, 10.1): shutdown, with a reason of system failure
// when the status is not 0. The fallback for boards without a test finisher.
void sbi_system_reset(bool failure) {
  register uint64_t a0 asm("a0") = 0;  // SBI_SRST_TYPE_SHUTDOWN
  register uint64_t a1 asm("a1") = failure ? 1 : 0;
  register uint64_t a6 asm("a6") = 0;           // SBI_SRST_SYSTEM_RESET
  register uint64_t a7 asm("a7") = 0x53525354;  // "SRST"
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}

// SBI calls with two arguments in, sbiret {error, value} out; the error is returned.
int64_t sbi_call(uint64_t eid, uint64_t fid, uint64_t arg0, uint64_t arg1, uint64_t arg2) {
  register uint64_t a0 asm("a0") = arg0;
  register uint64_t a1 asm("a1") = arg1;
  register uint64_t a2 asm("a2") = arg2;
  register uint64_t a6 asm("a6") = fid;
  register uint64_t a7 asm("a7") = eid;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
  return static_cast<int64_t>(a0);
}

constexpr uint64_t kSbiHsm = 0x48534D;  // "HSM", hart_start = FID 0 (SBI spec v2.0, 9.1)
constexpr uint64_t kSbiIpi = 0x735049;  // "sPI", send_ipi = FID 0 (7.1)

// Physical CPU `index` -> hart id: 0 is the boot hart (whichever OpenSBI chose), the others
// are the remaining hart ids 0, 1, ... in order (QEMU virt numbers its harts 0..N-1).
uint64_t hart_of(unsigned index) {
  if (index == 0) return boot_hartid;
  return index <= boot_hartid ? index - 1 : index;
}

}  // namespace

int64_t start_cpu(unsigned index) {
  // The hart enters _secondary_start in S-mode with a0 = hart id, a1 = opaque = index.
  asm volatile("fence rw, rw" ::: "memory");
  return sbi_call(kSbiHsm, 0, hart_of(index), reinterpret_cast<uint64_t>(&_secondary_start), index);
}

// An HS-level software interrupt (sip.SSIP) on that hart: it ends its guest's run or its WFI.
void kick_cpu(unsigned index) {
  asm volatile("fence rw, rw" ::: "memory");
  (void)sbi_call(kSbiIpi, 0, 1, hart_of(index), 0);
}

void exit_platform(int status) {
  const uint32_t code = static_cast<uint32_t>(status) & 0xffff;
  const uint32_t value = code == 0 ? kFinisherPass : kFinisherFail | (code << 16);
  *reinterpret_cast<volatile uint32_t*>(kSifiveTestBase) = value;
  sbi_system_reset(status != 0);
  park();
}

void park() {
  riscv64::csr_write<riscv64::CSR_SIE>(0);
  for (;;) asm volatile("wfi");
}

uint64_t now_ns() {
  using riscv64::kTimebaseHz;
  const uint64_t t = riscv64::csr_read<riscv64::CSR_TIME>();
  return t / kTimebaseHz * 1'000'000'000 + t % kTimebaseHz * 1'000'000'000 / kTimebaseHz;
}

UartInfo default_console() { return UartInfo{UartKind::kNs16550, kUartBase, 0}; }

// OpenSBI always passes the DTB in a1.
uint64_t default_dtb_address() { return 0; }

// Zkr's seed CSR is M-mode's unless the firmware grants S-mode access (mseccfg.SSEED), which
// OpenSBI does only from v1.3 on; QEMU 7.2 runs OpenSBI v1.1 (backends/baremetal/README.md).
virtio::EntropySource* hardware_entropy(const char** why) {
  *why = "the riscv64 image has no random number generator to use (Zkr's seed CSR is M-mode's)";
  return nullptr;
}

}  // namespace arch
}  // namespace tandem::baremetal
