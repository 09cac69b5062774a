// SPDX-License-Identifier: Apache-2.0
// The HAL, after Axvisor's AxVMHal: the program (hosted backend or bare-metal image) provides a
// bundle type H with associated types; Vm<H> is the only template that sees it. Each concrete
// bundle is checked with static_assert(Hal<...>) next to its definition.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/mm/frame_allocator.h"
#include "core/vcpu/vcpu.h"

namespace tandem {

// Frames for stage-2 tables and on-demand RAM, and the mapping between the addresses the
// tables hold (Hpa) and the addresses the hypervisor dereferences (Hva). Frames are 4 KiB
// and zero-filled.
template <class P>
concept PagingHandler = requires(P& p, const P& cp, Hpa pa, Hva va, size_t n) {
  { p.alloc_frames(n, n) } -> std::same_as<Result<Hpa>>;
  { p.free_frames(pa, n) } -> std::same_as<void>;
  { cp.phys_to_virt(pa) } -> std::same_as<Hva>;
  { cp.virt_to_phys(va) } -> std::same_as<Hpa>;
};

// The bundle: the associated PagingHandler and Machine (which makes the vCPUs), plus the
// services every backend must give.
// idle_until() is where the VM waits while every vCPU is halted: it returns once now_ns()
// reaches the deadline (kNoDeadline: never by itself) or when wake() is called from another
// thread or an interrupt handler (console input, a stop request); it may return early.
// poll_input() runs on the guest's device accesses: a HAL without an input thread or interrupt
// (bare metal) reads its console there; the others do nothing.
template <class H>
concept Hal = PagingHandler<typename H::PagingHandler> && Machine<typename H::Machine> &&
    requires(uint64_t deadline) {
  { H::now_ns() } -> std::same_as<uint64_t>;
  { H::idle_until(deadline) } -> std::same_as<void>;
  { H::wake() } -> std::same_as<void>;
  { H::poll_input() } -> std::same_as<void>;
};

// Adapts a concept-checked PagingHandler to the FrameAllocator interface the core uses.
template <PagingHandler P>
class PagingHandlerAdapter final : public FrameAllocator {
 public:
  explicit PagingHandlerAdapter(P& handler) : m_handler(handler) {}
  Result<Hpa> alloc_frames(size_t count, size_t align) override {
    return m_handler.alloc_frames(count, align);
  }
  void free_frames(Hpa pa, size_t count) override { m_handler.free_frames(pa, count); }
  Hva phys_to_virt(Hpa pa) const override { return m_handler.phys_to_virt(pa); }
  Hpa virt_to_phys(Hva va) const override { return m_handler.virt_to_phys(va); }

 private:
  P& m_handler;
};

}  // namespace tandem
