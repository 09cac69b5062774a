// SPDX-License-Identifier: Apache-2.0
// The aarch64 image: checks that it runs at EL2, then the shared image flow with the EL2
// machine.
#include "backends/baremetal/aarch64/gic_hw.h"
#include "backends/baremetal/aarch64/gic_regs.h"
#include "backends/baremetal/aarch64/machine.h"
#include "backends/baremetal/aarch64/sysreg.h"
#include "backends/baremetal/common/hal.h"
#include "backends/baremetal/common/image.h"
#include "backends/baremetal/common/start.h"

namespace tandem::baremetal {

// WFI at EL2 with the EL2 physical timer armed.
void wait_until(uint64_t deadline_ns) {
  if (deadline_ns == kNoDeadline) return;
  aarch64::hyp_wait_until(aarch64::ns_to_ticks(deadline_ns, aarch64::counter_hz()) + 1);
}

using Aarch64Hal = BaremetalHal<aarch64::HypMachine, wait_until>;
static_assert(Hal<Aarch64Hal>);

void image_main(uint64_t boot_arg) {
  const auto dtb = start_console(boot_arg);
  // CurrentEL[3:2] (DDI 0487 "CurrentEL"); QEMU starts at EL1 without virtualization=on.
  const uint64_t el = (TANDEM_MRS(CurrentEL) >> 2) & 3;
  if (el != 2) {
    panic("started at EL%llu: Tandem runs at EL2 (QEMU: -M virt,virtualization=on)",
          static_cast<unsigned long long>(el));
  }
  TLOG_INFO("aarch64 bare-metal image at EL2");
  run_image<Aarch64Hal>(Arch::kAarch64, dtb);
}

}  // namespace tandem::baremetal
