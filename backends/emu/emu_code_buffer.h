// SPDX-License-Identifier: Apache-2.0
// A bound on each engine's translation buffer (README.md, "Translation buffer"). Unicorn
// translates guest code into a buffer of its own per engine, by default 1 GiB of address space
// that becomes resident as the guest runs through new code. When the buffer fills in the middle
// of a run, 2.1.1 flushes it and may crash in tb_set_jmp_target (unicorn issues #1923, #2048;
// every arm64 Linux boot did with a 32 MiB buffer). A flush between runs (uc_ctl_flush_tb) is
// safe, but it zeroes the whole buffer (tcg_region_assign), about 2-8 s and all of it resident
// for the default size. So each engine gets a kBufferBytes buffer and never lets it fill: a run
// ends at least every 20 ms (emu_irq.cpp), and once kCodeBudget of the buffer is resident the
// next run starts with the translations dropped and the pages handed back to the host. A run
// would have to translate kBufferBytes - kCodeBudget within 20 ms to overflow (the fresh-code
// bench guest, which does nothing else, translates about 2 MiB per 100 ms). The budget holds
// what a Linux boot translates (about 36 MiB to /init, Debian's arm64 and riscv64 kernels):
// dropping it midway and translating the boot's code again cost 12% of the boot (measured).
//
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include <unicorn/unicorn.h>

namespace tandem::emu {

// The buffer asked for, how much of it may be resident before it is dropped, and its start,
// never handed back (TCG's prologue, which every translation calls, is at its very start).
inline constexpr size_t kBufferBytes = size_t{64} << 20;
inline constexpr size_t kCodeBudget = size_t{48} << 20;
inline constexpr size_t kCodeKeep = size_t{64} << 10;
// How often the buffer is checked: runs end at least this often (emu_irq.cpp), and run() checks
// at most this often (halts and stops can end runs far more often). Far less than the 16 MiB it
// would take to overflow is translated in that time, and the check (mincore over 64 MiB, ~25 us)
// is 0.1% of it.
inline constexpr uint64_t kCodeCheckNs = 20'000'000;
// The buffer of a scratch engine that runs a few instructions once (the calibrations).
inline constexpr size_t kScratchBufferBytes = size_t{1} << 20;

class CodeBuffer {
 public:
  // Holds the set-up lock and notes the read-write-execute mappings that exist now.
  class Setup {
   public:
    Setup();
    // After the engine has translated nothing yet but is initialised (its buffer allocated):
    // the buffer it added, or an unwatched one.
    CodeBuffer find();

   private:
    std::unique_lock<std::mutex> m_lock;
    std::vector<uintptr_t> m_before;
  };

  CodeBuffer() = default;
  bool watched() const { return m_base != nullptr; }
  // Before a run, at most every kCodeCheckNs: if kCodeBudget of the buffer is resident, drops
  // `uc`'s translations and returns the pages to the host. True if it did.
  bool bound(uc_engine* uc);
  // Drops all of `uc`'s translations (uc_ctl_flush_tb, which zeroes the buffer) and hands the
  // pages back to the host, so the next check sees only what is translated after it.
  void drop(uc_engine* uc);
  // Resident bytes of the buffer, and how many times bound() dropped it.
  size_t resident_bytes() const;
  unsigned drops() const { return m_drops; }

 private:
  CodeBuffer(uint8_t* base, size_t size) : m_base(base), m_size(size) {}
  uint8_t* m_base = nullptr;
  size_t m_size = 0;
  unsigned m_drops = 0;
  uint64_t m_checked_ns = 0;  // hosted::now_ns() of the last check
};

}  // namespace tandem::emu
