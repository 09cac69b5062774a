// SPDX-License-Identifier: Apache-2.0
// Keeping the vCPUs' engines coherent with each other. Each vCPU is its own Unicorn engine with
// its own softmmu TLB and translation-block cache, and a store through one engine does not
// invalidate another's translation of that code (UNICORN.md section 4). So what the
// architecture broadcasts to every PE / hart, Tandem forwards to the other engines: an aarch64
// TLBI of the Inner/Outer Shareable domain flushes their TLBs, IC IVAU and IC IALLUIS their
// translation caches; a riscv64 SBI remote_fence_i flushes the target harts' translation
// caches, remote_sfence_vma(_asid) their TLBs. The request is taken by the target before it
// next runs: the emu backend runs its vCPUs round-robin on one thread, so no target is running
// while another vCPU's hook asks.
// An aarch64 IC IVAU names one line, by a VA of the issuer that is often not executable
// anywhere (Linux cleans code through its linear map): the issuer translates it, and the
// targets drop only their translations of that guest-physical page (ArchOps::drop_code_pages)
// instead of all of them, up to kMaxCodePages pages between two runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace tandem::emu {

struct EmuCpu;

// What a target drops (bits).
inline constexpr uint32_t kFlushTranslations = 1;  // translated code (uc_ctl_flush_tb)
inline constexpr uint32_t kFlushTlb = 2;           // cached guest page walks (uc_ctl_flush_tlb)

// Guest-physical pages (4 KiB) whose translations a vCPU drops before it next runs; written
// and taken on the vCPUs' one thread.
inline constexpr unsigned kMaxCodePages = 128;
inline constexpr uint64_t kCodePageSize = 4096;
struct CodePages {
  uint64_t page[kMaxCodePages] = {};
  unsigned count = 0;
};

// The vCPUs of one machine, shared by the machine and each vCPU.
struct EmuPeers {
  explicit EmuPeers(unsigned count) : cpus(count, nullptr) {}
  std::vector<EmuCpu*> cpus;  // by vCPU index; null until created and after destruction
};

// Asks every vCPU whose bit is set in `mask` (bit i = vCPU i), other than `self`, to drop
// `what` before it next runs.
void flush_peers(EmuCpu& self, uint64_t mask, uint32_t what);

// Asks every vCPU in `mask` other than `self` to drop its translations of the code in the
// guest-physical page holding `pa`; one with too many pages queued drops all its translations.
void flush_peers_code(EmuCpu& self, uint64_t mask, uint64_t pa);

// Removes the engine's translations of every guest RAM region, page by page
// (uc_ctl_remove_cache: a few ms for 512 MiB, where uc_ctl_flush_tb zeroes the whole buffer,
// README.md). Unicorn translates each start address as an instruction fetch in the engine's
// current regime, so the caller puts it where every address is its own physical one and
// executable (riscv64 at M, aarch64 with stage 1 off). False if a removal failed.
bool remove_ram_translations(EmuCpu& cpu);

// Drops what other vCPUs asked for; run() calls it before it enters the engine.
void take_flushes(EmuCpu& cpu);

}  // namespace tandem::emu
