// SPDX-License-Identifier: Apache-2.0
// The riscv64 image: checks that the hart has the H extension (so S-mode is HS-mode), then the
// shared image flow with the HS machine.
#include "backends/baremetal/common/hal.h"
#include "backends/baremetal/common/image.h"
#include "backends/baremetal/common/start.h"
#include "backends/baremetal/riscv64/context.h"
#include "backends/baremetal/riscv64/hs_timer.h"
#include "backends/baremetal/riscv64/machine.h"

namespace tandem::baremetal {

// WFI in HS-mode with the HS timer armed.
using Riscv64Hal = BaremetalHal<riscv64::HypMachine, riscv64::hs_idle_until>;
static_assert(Hal<Riscv64Hal>);

void image_main(uint64_t boot_arg) {
  const auto dtb = start_console(boot_arg);
  if (!hv_has_h_extension()) {
    panic("this hart has no H extension: Tandem runs in HS-mode (QEMU: -cpu rv64, not h=false)");
  }
  TLOG_INFO("riscv64 bare-metal image in HS-mode");
  run_image<Riscv64Hal>(Arch::kRiscv64, dtb);
}

}  // namespace tandem::baremetal
