// SPDX-License-Identifier: Apache-2.0
// Guest memory under Unicorn: RAM regions are mapped by host pointer (the address space's
// contiguous backing, so the VM, devices and the engine share one copy), MMIO regions become
// uc_mmio_map callbacks into the VM's device bus, and anything else faults the VM.
#include "backends/emu/emu_cpu.h"
#include "backends/emu/emu_quirks.h"
#include "core/base/log.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"

namespace tandem::emu {
namespace {

uint64_t width_mask(unsigned size) {
  return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
}

// The access is finished here, inside the callback: stopping the engine from an MMIO callback
// leaves the PC on the access and replays it on resume (UNICORN.md section 3, "MMIO replay").
// So a stop only takes effect after the device has seen the access once, and run() never
// resumes a stopped VM. The PC passed on is the block start under kImprecisePc; it only
// labels messages and traces. The CPU itself sign- or zero-extends what the callback returns.
// Unicorn's MMIO regions take at most 4 bytes per call (its ops leave impl.max_access_size 0,
// which QEMU reads as 4), so an 8-byte access arrives as two 4-byte calls, low half first;
// unicorn issue #2074 (2024) keeps this as documented behaviour. Catching the whole access
// with a UC_HOOK_MEM_READ/WRITE bound to the MMIO ranges would slow every guest load (measured
// on 2.0.1: 2.6x on a load loop, +12-19% on the aarch64/riscv64 compute guests), so devices
// see what a 32-bit guest would do.
uint64_t mmio_read(uc_engine* /*uc*/, uint64_t offset, unsigned size, void* user) {
  const auto& w = *static_cast<const MmioWindow*>(user);
  EmuCpu& cpu = *w.cpu;
  const uint64_t v = cpu.exits.mmio_read(Gpa(w.base + offset), size, lazy_pc(cpu));
  after_chip_access(cpu);
  stop_if_vm_stopped(cpu);
  return v & width_mask(size);
}

void mmio_write(uc_engine* /*uc*/, uint64_t offset, unsigned size, uint64_t value, void* user) {
  const auto& w = *static_cast<const MmioWindow*>(user);
  EmuCpu& cpu = *w.cpu;
  cpu.exits.mmio_write(Gpa(w.base + offset), size, value & width_mask(size), lazy_pc(cpu));
  after_chip_access(cpu);
  stop_if_vm_stopped(cpu);
}

const char* invalid_access_name(uc_mem_type type) {
  // The PC Unicorn reports here is the start of the translation block (kImprecisePc).
  constexpr bool n = kImprecisePc;
  switch (type) {
    case UC_MEM_READ_UNMAPPED: return n ? "unmapped read (pc near)" : "unmapped read";
    case UC_MEM_WRITE_UNMAPPED: return n ? "unmapped write (pc near)" : "unmapped write";
    case UC_MEM_FETCH_UNMAPPED: return n ? "unmapped fetch (pc near)" : "unmapped fetch";
    case UC_MEM_WRITE_PROT:
      return n ? "write to read-only memory (pc near)" : "write to read-only memory";
    case UC_MEM_READ_PROT:
      return n ? "read of unreadable memory (pc near)" : "read of unreadable memory";
    case UC_MEM_FETCH_PROT:
      return n ? "fetch from non-executable memory (pc near)" : "fetch from non-executable memory";
    default: return "invalid memory access";
  }
}

// No RAM and no device (or a permission the region does not give). The imprecise PC means the
// access cannot be emulated and retried, so the VM ends with a fault (UNICORN.md section 2).
bool on_invalid(uc_engine* uc, uc_mem_type type, uint64_t address, int /*size*/, int64_t /*value*/,
                void* user) {
  auto& cpu = *static_cast<EmuCpu*>(user);
  fault(cpu, invalid_access_name(type), address, read_reg(uc, cpu.ops->pc_reg));
  cpu.exit.write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
  return false;
}

uint32_t uc_prot(const MemFlags& f) {
  return (f.read ? UC_PROT_READ : 0) | (f.write ? UC_PROT_WRITE : 0) | (f.exec ? UC_PROT_EXEC : 0);
}

}  // namespace

Result<void> map_address_space(EmuCpu& cpu) {
  std::span<const Region> regions = cpu.address_space.regions();
  size_t mmio_count = 0;
  for (const Region& r : regions) mmio_count += r.kind == RegionKind::kMmio ? 1 : 0;
  // Sized once: the callbacks keep the addresses of these elements.
  cpu.mmio.reserve(mmio_count);

  for (const Region& r : regions) {
    uc_err err = UC_ERR_OK;
    switch (r.kind) {
      case RegionKind::kRam: {
        // Backing pages lazily would need UC_HOOK_TLB_FILL with UC_TLB_VIRTUAL, which replaces
        // the guest's own MMU walk (README.md).
        if (!r.contiguous()) return Error(Status::kUnsupported);
        const Hva host = TRY(cpu.address_space.host_address(r));
        err = uc_mem_map_ptr(cpu.uc, r.base.raw(), r.size, uc_prot(r.flags), to_ptr(host));
        break;
      }
      case RegionKind::kMmio:
        cpu.mmio.push_back(MmioWindow{&cpu, r.base.raw()});
        err = uc_mmio_map(cpu.uc, r.base.raw(), r.size, mmio_read, &cpu.mmio.back(), mmio_write,
                          &cpu.mmio.back());
        break;
      case RegionKind::kReserved: break;  // faults like an unmapped address
    }
    if (err != UC_ERR_OK) {
      TLOG_WARN("emu: cannot map region %#llx+%#llx: %s",
                static_cast<unsigned long long>(r.base.raw()),
                static_cast<unsigned long long>(r.size), uc_strerror(err));
      return Error(err == UC_ERR_NOMEM ? Status::kNoMemory : Status::kBackend);
    }
  }

  uc_hook h;
  if (uc_hook_add(cpu.uc, &h, UC_HOOK_MEM_INVALID, reinterpret_cast<void*>(on_invalid), &cpu, 1,
                  0) != UC_ERR_OK) {
    return Error(Status::kBackend);
  }
  return ok();
}

}  // namespace tandem::emu
