// SPDX-License-Identifier: Apache-2.0
// SBI remote fences (SBI spec v2.0, chapter 8) for harts that keep their own translations and
// instruction fetch: what an accepted RFENCE call asks of its target harts, and the fences
// posted to each hart of a VM until that hart does them. A target does its fences on its next
// guest entry; the caller returns to its guest only once every target has either done them or
// is outside the guest (it then does them before it enters again), so no target runs the guest
// on a translation the caller's guest has fenced away, as OpenSBI waits for its targets.
#pragma once

#include <cstdint>

namespace tandem {

// What a target hart does before it next runs the guest (bits).
inline constexpr uint32_t kFenceInstructions = 1;  // FENCE.I: code stores seen by fetch
inline constexpr uint32_t kFenceVsTlb = 2;  // drop every VS-stage translation of the VM's VMID

struct RemoteFence {
  uint64_t harts = 0;  // bit i: hart i
  uint32_t what = 0;
};

// The fence an SBI call asks of its target harts: its extension (a7) and function (a6), its hart
// list (a0 hart_mask, a1 hart_mask_base), and `error`, what the SBI returned for it. Nothing for a
// failed call or another extension, nor for the hfence calls (3..6), which are for guests with the
// H extension, which the VMs do not offer. remote_sfence_vma(_asid) fences the whole VMID rather
// than the range or ASID: a superset.
RemoteFence remote_fence_of(uint64_t eid, uint64_t fid, uint64_t hart_mask, uint64_t hart_mask_base,
                            int64_t error);

// The fences posted to the harts of one VM, safe between harts (atomics). The target brackets
// each guest run with enter() and leave(); the caller posts and waits until settled().
class PendingFences {
 public:
  static constexpr unsigned kMaxHarts = 32;

  // Hart `hart` is about to run its guest: from now on it counts as in the guest; returns the
  // fences posted to it, which it does before it enters.
  uint32_t enter(unsigned hart);
  // Hart `hart` has left its guest.
  void leave(unsigned hart);
  // Each of f's harts does f.what before its next guest entry.
  void post(const RemoteFence& f);
  // After post(): whether `hart` no longer runs its guest on what was fenced: it has taken its
  // fences, or it is outside the guest (and takes them on its way in).
  bool settled(unsigned hart);  // not const: std::atomic_ref of const is C++26

 private:
  uint32_t m_pending[kMaxHarts] = {};
  uint32_t m_in_guest[kMaxHarts] = {};
};

}  // namespace tandem
