# SPDX-License-Identifier: Apache-2.0
# Warning flags for every target, and the restrictions freestanding code obeys everywhere.

set(TANDEM_WARNINGS -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(TANDEM_WERROR)
  list(APPEND TANDEM_WARNINGS -Werror)
endif()

# core/, devices/ and backends/baremetal/ compile with these in the hosted build too, so a
# violation shows on a laptop (DESIGN.md, "What must stay freestanding").
set(TANDEM_FREESTANDING_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics
  -fno-asynchronous-unwind-tables -fno-stack-protector)
