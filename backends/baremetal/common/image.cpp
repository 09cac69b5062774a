// SPDX-License-Identifier: Apache-2.0
#include "backends/baremetal/common/image.h"

namespace tandem::baremetal {

Result<fdt::Fdt> start_console(uint64_t boot_arg) {
  auto dtb = find_dtb(boot_arg);
  console_init(select_console(dtb ? &dtb.value() : nullptr));
  install_log_sink();
  return dtb;
}

}  // namespace tandem::baremetal
