// SPDX-License-Identifier: Apache-2.0
// Parsed command lines for `tandem run` and helpers that turn user text into values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/trace_option.h"
#include "cli/virtio_options.h"
#include "core/base/arch.h"

namespace tandem::cli {

enum class Backend { kEmu, kKvm };

struct RunOptions {
  Backend backend = Backend::kEmu;
  std::optional<Arch> arch;  // from the ELF when not given
  uint64_t mem_bytes = 128ull << 20;
  unsigned cpus = 1;
  TraceSpec trace;          // --trace
  std::string trace_file;   // --trace-file: the trace lines go here instead of stderr
  double timeout_s = 0;     // 0 = no limit
  bool verbose = false;     // log at info level (e.g. the boot timer's line), not only warnings
  std::string guest_path;   // the kernel (--kernel or the guest argument), in any format
                            // core/loader/kernel_image.h detects; empty with bios_path, or
                            // with dump_dtb and arch
  std::string initrd_path;  // empty: none
  std::string bios_path;    // firmware run in place from the board's flash (QEMU's -bios)
  // The kernel command line (QEMU's -append): /chosen bootargs on device-tree boards, the
  // multiboot or Linux command line on x86.
  std::string cmdline;
  std::string dump_dtb;  // write the guest's device tree here instead of running
  std::string dtb;       // give the guest this device tree instead of the board's
  std::string machine;   // the board (--machine); empty: the architecture's default
  std::string name;      // the VM's name (console prefix, `tandem ctl`); empty: from the file
  // Where the guest's console goes: "stdio" (stdout as is), "prefix" (stdout, each line
  // prefixed "[name] "), "file:PATH" or "socket:PATH" (a Unix socket Tandem listens on). Empty:
  // stdio for one VM, prefix for several.
  std::string console;
  std::string api_socket;  // serve the control protocol (cli/api_server.h) on this Unix socket
  VirtioOptions virtio;    // --drive, --rng, --console virtio
  std::string gdb;         // GDB stub socket: tcp::PORT, tcp:HOST:PORT, unix:PATH; empty: none
  bool wait_gdb = false;   // stop before the first instruction until a GDB client connects
  // Guest time from the instruction count, 2^icount_shift ns per instruction (emu;
  // backends/emu/emu_icount.h).
  bool icount = false;
  unsigned icount_shift = 0;
  std::string record;  // --record FILE: the run's inputs and exit history (implies icount)
  std::string replay;  // --replay FILE: a recorded run repeated (implies icount)
  // A guest's own reset (PSCI SYSTEM_RESET, SBI SRST reboot) restarts the VM from its files,
  // as QEMU does, at most reboot_limit times (0: no limit); with no_reboot (QEMU's -no-reboot)
  // a reset ends the VM like a power-off with status 0.
  unsigned reboot_limit = 0;
  bool no_reboot = false;
};

std::optional<Arch> parse_arch(const std::string& text);
std::optional<Backend> parse_backend(const std::string& text);
// "128M", "1G", "65536", "512K": bytes. nullopt for malformed or overflowing text.
std::optional<uint64_t> parse_size(const std::string& text);
// "--timeout" seconds: a finite decimal number in [0, kMaxTimeoutSeconds] ("2", "0.05", "1e3").
// nullopt for anything else (nan, inf, negative, trailing text, beyond the limit).
inline constexpr double kMaxTimeoutSeconds = 30.0 * 24 * 3600;
std::optional<double> parse_timeout(const std::string& text);
const char* to_string(Backend b);
// The VM's name: --name, else its kernel's (or firmware's) file name up to the first dot.
std::string vm_name(const RunOptions& opts);

}  // namespace tandem::cli
