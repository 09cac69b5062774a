// SPDX-License-Identifier: Apache-2.0
#include "core/board/boards.h"

#include <new>

#include "core/board/pc.h"
#include "core/board/virt_aarch64.h"
#include "core/board/virt_riscv64.h"

namespace tandem {
namespace {

struct BoardEntry {
  BoardInfo info;
  Board* (*make)(void* storage, const BoardServices& services);
  void (*destroy)(Board* board);
};

template <class B>
Board* make(void* storage, const BoardServices& services) {
  static_assert(sizeof(B) <= BoardSlot::kStorageBytes && alignof(B) <= 16);
  return new (storage) B(services);
}

Board* make_virt_gicv2(void* storage, const BoardServices& services) {
  return new (storage) VirtAarch64Board(services, VirtAarch64Board::GicVersion::k2);
}

template <class B>
void destroy(Board* board) {
  static_cast<B*>(board)->~B();
}

// The first board of an architecture is its default.
constexpr BoardEntry kBoards[] = {
    {{Arch::kAarch64, "virt", "QEMU virt memory map: GICv3, PL011, PSCI, generated device tree"},
     &make<VirtAarch64Board>,
     &destroy<VirtAarch64Board>},
    {{Arch::kAarch64, "virt,gic-version=2",
      "QEMU virt with a GICv2 (memory-mapped CPU interface; emu only)", false},
     &make_virt_gicv2,
     &destroy<VirtAarch64Board>},
    {{Arch::kRiscv64, "virt", "QEMU virt memory map: PLIC, CLINT, NS16550, SBI, device tree"},
     &make<VirtRiscv64Board>,
     &destroy<VirtRiscv64Board>},
    {{Arch::kX86_64, "pc", "PC: COM1, ACPI tables and S5 power-off, KVM's in-kernel irqchip"},
     &make<PcBoard>,
     &destroy<PcBoard>},
};

bool same(const char* a, const char* b) {
  while (*a != 0 && *a == *b) a++, b++;
  return *a == *b;
}

const BoardEntry* find_entry(Arch arch, const char* name) {
  const bool by_default = name == nullptr || *name == 0;
  for (const BoardEntry& e : kBoards) {
    if (e.info.arch == arch && (by_default || same(e.info.name, name))) return &e;
  }
  return nullptr;
}

}  // namespace

size_t board_count() { return sizeof kBoards / sizeof kBoards[0]; }

const BoardInfo& board_info(size_t i) { return kBoards[i].info; }

const BoardInfo* find_board(Arch arch, const char* name) {
  const BoardEntry* e = find_entry(arch, name);
  return e != nullptr ? &e->info : nullptr;
}

Result<Board*> BoardSlot::create(Arch arch, const char* name, const BoardServices& services) {
  const BoardEntry* e = find_entry(arch, name);
  if (e == nullptr) return Error(Status::kNotFound);
  reset();
  m_board = e->make(m_storage, services);
  m_destroy = e->destroy;
  return m_board;
}

void BoardSlot::reset() {
  if (m_board != nullptr) m_destroy(m_board);
  m_board = nullptr;
  m_destroy = nullptr;
}

}  // namespace tandem
