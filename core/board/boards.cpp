// SPDX-License-Identifier: Apache-2.0
#include "core/board/boards.h"

#include <new>

#include "core/board/pc.h"
#include "core/board/virt_aarch64.h"
#include "core/board/virt_riscv64.h"

namespace tandem {
namespace {

struct BoardEntry {
  Arch arch;
  const char* name;
  Board* (*make)(void* storage, const BoardServices& services);
  void (*destroy)(Board* board);
};

template <class B>
Board* make(void* storage, const BoardServices& services) {
  static_assert(sizeof(B) <= BoardSlot::kStorageBytes && alignof(B) <= 16);
  return new (storage) B(services);
}

template <class B>
void destroy(Board* board) {
  static_cast<B*>(board)->~B();
}

// The first board of an architecture is its default.
constexpr BoardEntry kBoards[] = {
    {Arch::kAarch64, "virt", &make<VirtAarch64Board>, &destroy<VirtAarch64Board>},
    {Arch::kRiscv64, "virt", &make<VirtRiscv64Board>, &destroy<VirtRiscv64Board>},
    {Arch::kX86_64, "pc", &make<PcBoard>, &destroy<PcBoard>},
};

bool same(const char* a, const char* b) {
  while (*a != 0 && *a == *b) a++, b++;
  return *a == *b;
}

}  // namespace

Result<Board*> BoardSlot::create(Arch arch, const char* name, const BoardServices& services) {
  const bool by_default = name == nullptr || *name == 0;
  for (const BoardEntry& e : kBoards) {
    if (e.arch != arch || (!by_default && !same(e.name, name))) continue;
    reset();
    m_board = e.make(m_storage, services);
    m_destroy = e.destroy;
    return m_board;
  }
  return Error(Status::kNotFound);
}

void BoardSlot::reset() {
  if (m_board != nullptr) m_destroy(m_board);
  m_board = nullptr;
  m_destroy = nullptr;
}

}  // namespace tandem
