// SPDX-License-Identifier: Apache-2.0
// Where a hosted VM waits while every vCPU is halted: the thread sleeps until the next timer
// deadline or until another thread (console input, the time limit, a stop request) wakes it.
// A wake that comes before the wait is kept, so none is lost.
#pragma once

#include <cstdint>

namespace tandem::hosted {

// Sleeps until now_ns() >= deadline_ns (kNoDeadline: until woken) or wake() is called.
void idle_until(uint64_t deadline_ns);
void wake();

}  // namespace tandem::hosted
