// SPDX-License-Identifier: Apache-2.0
#include "backends/emu/emu_code_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "backends/hosted/host_paging.h"
#include "core/base/log.h"

namespace tandem::emu {
namespace {

struct Mapping {
  uintptr_t start;
  size_t size;
};

// The anonymous read-write-execute mappings of this process.
std::vector<Mapping> rwx_mappings() {
  std::vector<Mapping> out;
  FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return out;
  char line[512];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    uintptr_t start = 0;
    uintptr_t end = 0;
    char perms[5] = {};
    unsigned long long offset = 0;
    unsigned long inode = 0;
    int path_at = 0;
    if (std::sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %llx %*s %lu %n", &start, &end, perms,
                    &offset, &inode, &path_at) < 5)
      continue;
    const bool anonymous = inode == 0 && (line[path_at] == '\n' || line[path_at] == '\0');
    if (std::strcmp(perms, "rwxp") == 0 && anonymous) out.push_back({start, end - start});
  }
  std::fclose(maps);
  return out;
}

std::mutex g_setup;

}  // namespace

CodeBuffer::Setup::Setup() : m_lock(g_setup) {
  for (const Mapping& m : rwx_mappings()) m_before.push_back(m.start);
}

CodeBuffer CodeBuffer::Setup::find() {
  const Mapping* found = nullptr;
  unsigned added = 0;
  const std::vector<Mapping> now = rwx_mappings();
  for (const Mapping& m : now) {
    if (std::find(m_before.begin(), m_before.end(), m.start) != m_before.end()) continue;
    ++added;
    found = &m;
  }
  // The mapping is the size asked for, less the guard page TCG puts at its end.
  if (added != 1 || found->size > kBufferBytes || found->size + (size_t{64} << 10) < kBufferBytes) {
    TLOG_WARN(
        "emu: cannot tell this engine's translation buffer (%u new executable mappings): its "
        "memory use is not bounded (backends/emu/README.md, \"Translation buffer\")",
        added);
    return CodeBuffer();
  }
  // NOLINTNEXTLINE(performance-no-int-to-ptr): an address read from /proc/self/maps
  return CodeBuffer(reinterpret_cast<uint8_t*>(found->start), found->size);
}

bool CodeBuffer::bound(uc_engine* uc) {
  if (m_base == nullptr) return false;
  const uint64_t now = hosted::now_ns();
  if (now - m_checked_ns < kCodeCheckNs) return false;
  m_checked_ns = now;
  if (resident_bytes() < kCodeBudget) return false;
  drop(uc);
  ++m_drops;
  return true;
}

void CodeBuffer::drop(uc_engine* uc) {
  uc_ctl_flush_tb(uc);
  // Nothing refers to the translations any more (and the flush has just zeroed the buffer,
  // making all of it resident): the pages go back to the host.
  if (m_base != nullptr) madvise(m_base + kCodeKeep, m_size - kCodeKeep, MADV_DONTNEED);
}

size_t CodeBuffer::resident_bytes() const {
  if (m_base == nullptr) return 0;
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> v((m_size + page - 1) / page);
  if (mincore(m_base, m_size, v.data()) != 0) return 0;
  size_t pages = 0;
  for (unsigned char b : v) pages += b & 1;
  return pages * page;
}

}  // namespace tandem::emu
