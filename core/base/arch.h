// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace tandem {

enum class Arch : unsigned char { kAarch64, kRiscv64, kX86_64 };

constexpr const char* to_string(Arch a) {
  switch (a) {
    case Arch::kAarch64: return "aarch64";
    case Arch::kRiscv64: return "riscv64";
    case Arch::kX86_64: return "x86_64";
  }
  return "unknown";
}

}  // namespace tandem
