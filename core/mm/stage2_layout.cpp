// SPDX-License-Identifier: Apache-2.0
#include "core/mm/stage2_layout.h"

#include "core/arch/aarch64/stage2_pte.h"
#include "core/arch/riscv64/gstage_pte.h"
#include "core/arch/x86_64/ept_pte.h"

namespace tandem {
namespace {

// Our own marker for device mappings in a G-stage PTE: without Svpbmt the PTE has no memory
// type, so the kind lives in a software bit (RSW) and is only used when decoding.
constexpr uint64_t kGstageDeviceMarker = riscv64::PTE_RSW0;

}  // namespace

Result<Stage2Layout> Stage2Layout::create(const Stage2Config& config) {
  Stage2Layout l;
  l.m_format = config.format;
  l.m_cacheable_walks = config.cacheable_walks;
  l.m_vmid = config.vmid;
  switch (config.format) {
    case Stage2Format::kAarch64: {
      const auto vtcr = aarch64::vtcr_el2({config.ipa_bits, config.levels, config.pa_bits,
                                           config.cacheable_walks, config.vmid > 0xff});
      // An IPA wider than the PA size is CONSTRAINED UNPREDICTABLE (Arm ARM, "Supported IPA
      // size"), so it is refused rather than encoded.
      if (!vtcr || config.pa_bits < config.ipa_bits) return Error(Status::kInvalidArgument);
      l.m_levels = config.levels;
      l.m_ipa_bits = config.ipa_bits;
      l.m_root_frames =
          static_cast<uint8_t>(aarch64::s2_root_tables(config.ipa_bits, config.levels));
      l.m_oa_bits = 48;
      l.m_valid_mask = aarch64::S2_DESC_VALID;
      l.m_table_mask = aarch64::S2_DESC_TABLE;
      l.m_table_value = aarch64::S2_DESC_TABLE;
      l.m_oa_mask = aarch64::S2_OA_MASK;
      l.m_hw_control = *vtcr;
      break;
    }
    case Stage2Format::kEpt:
      if (config.vmid != 0) return Error(Status::kInvalidArgument);
      l.m_levels = 4;
      l.m_ipa_bits = 48;
      l.m_oa_bits = 52;
      l.m_valid_mask = x86_64::EPT_RWX;
      l.m_table_mask = x86_64::EPT_LARGE;
      l.m_table_value = 0;
      l.m_oa_mask = x86_64::EPT_ADDR_MASK;
      break;
    case Stage2Format::kSv39x4:
    case Stage2Format::kSv48x4:
      if (config.vmid > riscv64::HGATP_VMID_MAX) return Error(Status::kInvalidArgument);
      l.m_levels = config.format == Stage2Format::kSv39x4 ? 3 : 4;
      l.m_ipa_bits = config.format == Stage2Format::kSv39x4 ? 41 : 50;
      l.m_root_frames = riscv64::kGstageRootFrames;
      l.m_oa_bits = 56;
      l.m_oa_shift = 12 - riscv64::PTE_PPN_SHIFT;
      l.m_valid_mask = riscv64::PTE_V;
      l.m_table_mask = riscv64::PTE_RWX;
      l.m_table_value = 0;
      l.m_oa_mask = riscv64::PTE_PPN_MASK;
      break;
    default: return Error(Status::kInvalidArgument);
  }
  for (unsigned d = 0; d < l.m_levels; ++d) {
    const unsigned shift = 12 + 9 * (l.m_levels - 1 - d);
    l.m_shift[d] = static_cast<uint8_t>(shift);
    l.m_index_mask[d] = d == 0 ? (1ull << (l.m_ipa_bits - shift)) - 1 : 511;
    // Leaves of 4 KiB, 2 MiB and (optionally) 1 GiB; never 512 GiB, which only Sv48x4 could
    // express and nothing needs.
    l.m_leaf_allowed[d] = shift == 12 || shift == 21 || (shift == 30 && config.allow_1g_blocks);
  }
  return l;
}

uint64_t Stage2Layout::table_entry(Hpa table) const {
  switch (m_format) {
    case Stage2Format::kAarch64: return aarch64::s2_table_desc(table.raw());
    case Stage2Format::kEpt: return x86_64::ept_table_entry(table.raw());
    default: return riscv64::gstage_table_pte(table.raw());
  }
}

uint64_t Stage2Layout::leaf_entry(Hpa pa, MemFlags f, unsigned depth) const {
  const bool last = depth + 1 == m_levels;
  const bool device = f.kind == MemKind::kDevice;
  switch (m_format) {
    case Stage2Format::kAarch64: {
      const aarch64::S2LeafAttrs a{
          f.read, f.write, f.exec,
          device ? aarch64::S2_MEMATTR_DEVICE_nGnRE : aarch64::S2_MEMATTR_NORMAL_WB};
      return last ? aarch64::s2_page_desc(pa.raw(), a) : aarch64::s2_block_desc(pa.raw(), a);
    }
    case Stage2Format::kEpt: {
      const x86_64::EptLeafAttrs a{f.read, f.write, f.exec,
                                   device ? x86_64::EPT_MT_UC : x86_64::EPT_MT_WB};
      return x86_64::ept_leaf(pa.raw(), a, !last);
    }
    default:
      return riscv64::gstage_leaf_pte(pa.raw(), f.read, f.write, f.exec) |
             (device ? kGstageDeviceMarker : 0);
  }
}

MemFlags Stage2Layout::leaf_flags(uint64_t e) const {
  switch (m_format) {
    case Stage2Format::kAarch64: {
      const auto a = aarch64::s2_leaf_attrs(e);
      return {a.read, a.write, a.exec,
              aarch64::s2_memattr_is_device(a.memattr) ? MemKind::kDevice : MemKind::kNormal};
    }
    case Stage2Format::kEpt: {
      const auto a = x86_64::ept_leaf_attrs(e);
      return {a.read, a.write, a.exec,
              a.memtype == x86_64::EPT_MT_UC ? MemKind::kDevice : MemKind::kNormal};
    }
    default:
      return {(e & riscv64::PTE_R) != 0, (e & riscv64::PTE_W) != 0, (e & riscv64::PTE_X) != 0,
              (e & kGstageDeviceMarker) != 0 ? MemKind::kDevice : MemKind::kNormal};
  }
}

uint64_t Stage2Layout::hw_root(Hpa root) const {
  if (m_format == Stage2Format::kAarch64) return aarch64::vttbr_el2(root.raw(), m_vmid);
  if (m_format == Stage2Format::kEpt) {
    return x86_64::eptp(root.raw(), m_cacheable_walks ? x86_64::EPT_MT_WB : x86_64::EPT_MT_UC,
                        m_levels);
  }
  const uint64_t mode =
      m_format == Stage2Format::kSv39x4 ? riscv64::HGATP_MODE_SV39X4 : riscv64::HGATP_MODE_SV48X4;
  return riscv64::hgatp(mode, m_vmid, root.raw());
}

}  // namespace tandem
