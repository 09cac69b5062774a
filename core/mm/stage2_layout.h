// SPDX-License-Identifier: Apache-2.0
// The run-time description of one stage-2 format: its geometry (levels, index bits, root
// size) and its entry encoders, built on the pure per-arch PTE headers. Stage2Table walks any
// format through this, so the walker is one plain class rather than a template per format.
#pragma once

#include <array>
#include <cstdint>

#include "core/base/addr.h"
#include "core/base/result.h"
#include "core/mm/mem_flags.h"

namespace tandem {

enum class Stage2Format : uint8_t {
  kAarch64,  // Arm stage 2, 4 KiB granule, IPA 32..48 bits, 3 or 4 levels
  kEpt,      // Intel EPT, 4 levels, 48-bit guest-physical addresses
  kSv39x4,   // RISC-V G-stage, 41-bit guest-physical addresses, 3 levels
  kSv48x4,   // RISC-V G-stage, 50-bit guest-physical addresses, 4 levels
};

struct Stage2Config {
  Stage2Format format = Stage2Format::kAarch64;
  // aarch64 only (the other formats fix them): input size, levels and VTCR_EL2.PS, which
  // should be the CPU's ID_AA64MMFR0_EL1.PARange and must be at least the IPA size.
  uint8_t ipa_bits = 40;
  uint8_t levels = 3;
  uint8_t pa_bits = 40;
  // VTTBR_EL2.VMID (above 255 selects 16-bit VMIDs) or hgatp.VMID (14 bits). EPT has none
  // (VPIDs are per vCPU), so it must be 0 there.
  uint16_t vmid = 0;
  // Table walks through write-back cacheable memory (VTCR IRGN/ORGN/SH, EPTP memory type).
  bool cacheable_walks = true;
  // 1 GiB leaves; EPT needs IA32_VMX_EPT_VPID_CAP bit 17 for them.
  bool allow_1g_blocks = true;

  static constexpr Stage2Config aarch64(uint8_t ipa_bits, uint8_t levels, uint8_t pa_bits) {
    Stage2Config c;
    c.ipa_bits = ipa_bits;
    c.levels = levels;
    c.pa_bits = pa_bits;
    return c;
  }
  static constexpr Stage2Config of(Stage2Format format) {
    Stage2Config c;
    c.format = format;
    return c;
  }
};

inline constexpr unsigned kMaxStage2Levels = 4;

class Stage2Layout {
 public:
  [[nodiscard]] static Result<Stage2Layout> create(const Stage2Config& config);

  Stage2Format format() const { return m_format; }
  unsigned levels() const { return m_levels; }
  unsigned ipa_bits() const { return m_ipa_bits; }
  uint64_t ipa_limit() const { return 1ull << m_ipa_bits; }
  uint64_t oa_limit() const { return 1ull << m_oa_bits; }
  unsigned root_frames() const { return m_root_frames; }

  // Depth 0 is the root table. shift(depth) is log2 of the span of one entry there.
  unsigned shift(unsigned depth) const { return m_shift[depth]; }
  uint64_t index(uint64_t gpa, unsigned depth) const {
    return (gpa >> m_shift[depth]) & m_index_mask[depth];
  }
  uint64_t entries(unsigned depth) const { return m_index_mask[depth] + 1; }
  bool leaf_allowed(unsigned depth) const { return m_leaf_allowed[depth]; }

  bool is_valid(uint64_t e) const { return (e & m_valid_mask) != 0; }
  // Only meaningful for a valid entry above the last level (the last level holds leaves only).
  bool is_table(uint64_t e) const { return (e & m_table_mask) == m_table_value; }
  Hpa address(uint64_t e) const { return Hpa((e & m_oa_mask) << m_oa_shift); }

  uint64_t table_entry(Hpa table) const;
  uint64_t leaf_entry(Hpa pa, MemFlags flags, unsigned depth) const;
  MemFlags leaf_flags(uint64_t e) const;

  // What the CPU is given: VTTBR_EL2, EPTP or hgatp for a table rooted at `root`.
  uint64_t hw_root(Hpa root) const;
  // VTCR_EL2 on aarch64; 0 for formats without a separate control register.
  uint64_t hw_control() const { return m_hw_control; }

 private:
  Stage2Layout() = default;

  Stage2Format m_format = Stage2Format::kAarch64;
  uint8_t m_levels = 0;
  uint8_t m_ipa_bits = 0;
  uint8_t m_oa_bits = 0;
  uint8_t m_oa_shift = 0;
  uint8_t m_root_frames = 1;
  bool m_cacheable_walks = true;
  uint16_t m_vmid = 0;
  uint64_t m_valid_mask = 0;
  uint64_t m_table_mask = 0;
  uint64_t m_table_value = 0;
  uint64_t m_oa_mask = 0;
  uint64_t m_hw_control = 0;
  std::array<uint8_t, kMaxStage2Levels> m_shift{};
  std::array<uint64_t, kMaxStage2Levels> m_index_mask{};
  std::array<bool, kMaxStage2Levels> m_leaf_allowed{};
};

}  // namespace tandem
