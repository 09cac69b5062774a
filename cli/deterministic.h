// SPDX-License-Identifier: Apache-2.0
// `--icount`, `--record`, `--replay`: the checks and set-up that make a run deterministic on the
// emu backend (backends/emu/emu_icount.h, cli/record_replay.h): one VM (of any vCPUs), aarch64 or
// riscv64.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <memory>

#include "cli/options.h"
#include "cli/record_replay.h"
#include "core/base/arch.h"

namespace tandem::cli {

// "--icount-shift": a whole number from 0 to emu::kMaxIcountShift.
std::optional<unsigned> parse_icount_shift(const std::string& text);

// A run of `vm_count` VMs (and a control socket when `api_socket`): false after printing why
// `opts` cannot run deterministically in it (the icount clock is the process's).
bool deterministic_alone(const RunOptions& opts, size_t vm_count, bool api_socket);

// Before the VM of `opts` (guest architecture `arch`) is created: false after printing why it
// cannot run deterministically; else turns the icount clock on when asked for.
bool start_deterministic(const RunOptions& opts, Arch arch);

// --record or --replay for the VM of `opts` whose files and command line hash to `guest_hash`
// (fnv1a); nullptr after printing why.
std::unique_ptr<RecordReplay> open_record(const RunOptions& opts, Arch arch, uint64_t guest_hash,
                                          RecordTarget target);

}  // namespace tandem::cli
