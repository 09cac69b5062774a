// SPDX-License-Identifier: Apache-2.0
#include "devices/irq/plic.h"

#include "core/base/bits.h"
#include "core/base/log.h"

namespace tandem {

Plic::Plic(unsigned hart_count)
    : m_contexts(2 * (hart_count == 0          ? 1
                      : hart_count < kMaxHarts ? hart_count
                                               : kMaxHarts)) {}

void Plic::assign(Bits& bits, uint32_t id, bool on) {
  const uint32_t bit = 1u << (id % 32);
  bits[id / 32] = on ? bits[id / 32] | bit : bits[id / 32] & ~bit;
}

void Plic::set_level(uint32_t id, bool level) {
  if (id == 0 || id >= kSources) return;
  assign(m_level, id, level);
  // Gateway (chapter 5): a claimed source forwards no new request until it is completed; the
  // pending bit follows the line otherwise (QEMU's sifive_plic_irq_request).
  if (!test(m_claimed, id)) assign(m_pending, id, level);
}

// Chapter 7: the highest-priority pending, enabled, unclaimed source whose priority exceeds the
// context's threshold; ties go to the lowest ID. 0 when there is none.
uint32_t Plic::best_source(unsigned context) const {
  uint32_t best = 0;
  uint32_t best_priority = m_threshold[context];
  for (unsigned w = 0; w < kWords; ++w) {
    uint32_t candidates = m_pending[w] & ~m_claimed[w] & m_enable[context][w];
    while (candidates != 0) {
      const unsigned bit = lowest_set_bit(candidates);
      candidates &= candidates - 1;
      const uint32_t id = w * 32 + bit;
      if (m_priority[id] > best_priority) {
        best = id;
        best_priority = m_priority[id];
      }
    }
  }
  return best;
}

uint32_t Plic::claim(unsigned context) {
  const uint32_t id = best_source(context);
  if (id != 0) {
    assign(m_pending, id, false);
    assign(m_claimed, id, true);
  }
  return id;
}

// Chapter 8: a completion for a source that is not enabled for the context is ignored; so is
// one for a source that is not claimed (nothing to release).
void Plic::complete(unsigned context, uint64_t id) {
  if (id == 0 || id >= kSources) return;
  const auto source = static_cast<uint32_t>(id);
  if (!test(m_enable[context], source) || !test(m_claimed, source)) {
    TLOG_DEBUG("plic: context %u completes source %u, not claimed or not enabled", context, source);
    return;
  }
  assign(m_claimed, source, false);
  if (test(m_level, source)) assign(m_pending, source, true);
}

uint32_t Plic::read_context(unsigned context, uint64_t reg) {
  if (reg == 0) return m_threshold[context];
  if (reg == 4) return claim(context);
  return 0;
}

void Plic::write_context(unsigned context, uint64_t reg, uint32_t value) {
  if (reg == 0) {
    // QEMU keeps the old threshold when the value is out of range.
    if (value <= kMaxPriority) m_threshold[context] = static_cast<uint8_t>(value);
  } else if (reg == 4) {
    complete(context, value);
  }
}

uint64_t Plic::read(uint64_t offset, unsigned size) {
  if (size != 4 || offset % 4 != 0) return 0;
  if (offset < kPendingBase) {
    const uint64_t id = (offset - kPriorityBase) / 4;
    return id < kSources ? m_priority[id] : 0;
  }
  if (offset < kEnableBase) {
    const uint64_t word = (offset - kPendingBase) / 4;
    return word < kWords ? m_pending[word] : 0;
  }
  if (offset < kContextBase) {
    const uint64_t context = (offset - kEnableBase) / kEnableStride;
    const uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    return context < m_contexts && word < kWords ? m_enable[context][word] : 0;
  }
  const uint64_t context = (offset - kContextBase) / kContextStride;
  if (context >= m_contexts) return 0;
  return read_context(static_cast<unsigned>(context), (offset - kContextBase) % kContextStride);
}

void Plic::write(uint64_t offset, unsigned size, uint64_t value) {
  if (size != 4 || offset % 4 != 0) {
    TLOG_DEBUG("plic: ignored %u-byte write at %#llx", size,
               static_cast<unsigned long long>(offset));
    return;
  }
  const auto v = static_cast<uint32_t>(value);
  if (offset < kPendingBase) {
    // Priorities are WARL: the low three bits are kept (QEMU, 2^bits - 1 priorities).
    const uint64_t id = (offset - kPriorityBase) / 4;
    if (id != 0 && id < kSources) m_priority[id] = static_cast<uint8_t>(v & kMaxPriority);
  } else if (offset < kEnableBase) {
    TLOG_DEBUG("plic: write to the read-only pending bits ignored");
  } else if (offset < kContextBase) {
    const uint64_t context = (offset - kEnableBase) / kEnableStride;
    const uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    if (context >= m_contexts || word >= kWords) return;
    // Source 0 does not exist; its enable bit is hardwired to 0.
    m_enable[context][word] = word == 0 ? v & ~1u : v;
  } else {
    const uint64_t context = (offset - kContextBase) / kContextStride;
    if (context >= m_contexts) return;
    write_context(static_cast<unsigned>(context), (offset - kContextBase) % kContextStride, v);
  }
}

// The PLIC specification names no registers, only their roles (chapters 3-9): priority[id],
// pending[word], and per context ctxN.enable[word], ctxN.threshold, ctxN.claim (a read) or
// ctxN.complete (a write).
bool Plic::register_name(uint64_t offset, bool write, RegisterName& out) const {
  const auto n = [](uint64_t v) { return static_cast<unsigned>(v); };
  if (offset < kPendingBase) return out.set_format("priority[%u]", n((offset - kPriorityBase) / 4));
  if (offset < kEnableBase) return out.set_format("pending[%u]", n((offset - kPendingBase) / 4));
  if (offset < kEnableBase + kMaxContexts * kEnableStride)
    return out.set_format("ctx%u.enable[%u]", n((offset - kEnableBase) / kEnableStride),
                          n((offset - kEnableBase) % kEnableStride / 4));
  if (offset < kContextBase || offset >= kContextBase + kMaxContexts * kContextStride) return false;
  const unsigned context = n((offset - kContextBase) / kContextStride);
  const uint64_t reg = (offset - kContextBase) % kContextStride;
  if (reg < 4) return out.set_format("ctx%u.threshold", context);
  if (reg < 8) return out.set_format("ctx%u.%s", context, write ? "complete" : "claim");
  return false;
}

}  // namespace tandem
