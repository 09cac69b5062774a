// SPDX-License-Identifier: Apache-2.0
// The board registry: which boards exist for which architecture, chosen by name (`--machine`)
// or the architecture's default, and storage for the one a VM runs on. Only
// boards.cpp sees the concrete boards, so the VM includes no device header.
#pragma once

#include <cstddef>

#include "core/base/arch.h"
#include "core/base/result.h"
#include "core/board/board.h"

namespace tandem {

// One board of the registry, as `--machine help` lists it. Several boards may serve one
// architecture (`virt,gic-version=2` next to the GICv3 `virt`); the first of an architecture
// is its default.
struct BoardInfo {
  Arch arch;
  const char* name;
  const char* description;
  bool bare_metal = true;  // whether `build-image` can build it (the image's vGIC is a GICv3)
};

size_t board_count();
const BoardInfo& board_info(size_t i);
// The board `name` builds for `arch` (null or "": the default), or null when there is none.
const BoardInfo* find_board(Arch arch, const char* name);

class BoardSlot {
 public:
  BoardSlot() = default;
  ~BoardSlot() { reset(); }
  BoardSlot(const BoardSlot&) = delete;
  BoardSlot& operator=(const BoardSlot&) = delete;

  // Builds the board named `name` for `arch` (null or "": the architecture's default), replacing
  // any board held before. kNotFound when no board of that name exists for `arch`.
  [[nodiscard]] Result<Board*> create(Arch arch, const char* name, const BoardServices& services);
  Board* get() const { return m_board; }
  void reset();

  // Enough for the largest board (checked in boards.cpp).
  static constexpr size_t kStorageBytes = size_t{24} * 1024;

 private:
  alignas(16) unsigned char m_storage[kStorageBytes];
  Board* m_board = nullptr;
  void (*m_destroy)(Board*) = nullptr;
};

}  // namespace tandem
