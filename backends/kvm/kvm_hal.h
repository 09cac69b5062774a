// SPDX-License-Identifier: Apache-2.0
// The kvm backend's HAL bundle.
#pragma once

#include "backends/hosted/host_idle.h"
#include "backends/hosted/host_paging.h"
#include "backends/kvm/kvm_machine.h"
#include "core/hal.h"

namespace tandem {

struct KvmHal {
  using PagingHandler = hosted::HostPagingHandler;
  using Machine = KvmMachine;
  static uint64_t now_ns() { return hosted::now_ns(); }
  static void idle_until(uint64_t deadline_ns) { hosted::idle_until(deadline_ns); }
  static void wake() { hosted::wake(); }
  static void poll_input() {}  // input comes from the reader thread
};

static_assert(Hal<KvmHal>);

}  // namespace tandem
