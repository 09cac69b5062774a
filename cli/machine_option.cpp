// SPDX-License-Identifier: Apache-2.0
#include "cli/machine_option.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "core/board/boards.h"

namespace tandem::cli {
namespace {

void print_machines() {
  std::printf("Boards (--machine NAME; the first of an architecture is its default):\n");
  for (const Arch arch : {Arch::kAarch64, Arch::kRiscv64, Arch::kX86_64}) {
    const BoardInfo* first = find_board(arch, nullptr);
    for (size_t i = 0; i < board_count(); i++) {
      const BoardInfo& b = board_info(i);
      if (b.arch != arch) continue;
      std::printf("  %-8s %-6s %s%s\n", to_string(arch), b.name, b.description,
                  &b == first ? " (default)" : "");
    }
  }
}

}  // namespace

void add_machine_option(CLI::App& cmd, std::string& machine) {
  // CLI11 runs an option's callbacks before it checks required options, so `build-image
  // --machine help` needs no --arch or --kernel.
  cmd.add_option("--machine,-M", machine,
                 "Board to run the guest on (`--machine help` lists them; default: the "
                 "architecture's first)")
      ->each([](const std::string& name) {
        if (name != "help") return;
        print_machines();
        throw CLI::Success();
      });
}

bool check_machine(Arch arch, const std::string& name, bool bare_metal) {
  const BoardInfo* board = find_board(arch, name.c_str());
  if (board == nullptr) {
    spdlog::error("--machine {}: no {} board of that name (`--machine help` lists them)", name,
                  to_string(arch));
    return false;
  }
  if (bare_metal && !board->bare_metal) {
    spdlog::error("--machine {}: the bare-metal image cannot run this board (emu only)", name);
    return false;
  }
  return true;
}

}  // namespace tandem::cli
