// SPDX-License-Identifier: Apache-2.0
// Reading a file the user named (a guest, a hypervisor image) safely: only a regular file, of
// bounded size, read with a limit, never blocking on a FIFO or a device.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tandem::cli {

// Largest file Tandem reads as a guest or an image: far above any kernel, firmware or
// initramfs it boots, far below what would exhaust the host.
inline constexpr uint64_t kMaxInputFileBytes = 1ull << 30;

// The file's bytes, or nullopt after logging one line that names the file and what is wrong
// (missing, unreadable, a directory, a device, a FIFO or socket, larger than `limit`).
std::optional<std::vector<uint8_t>> read_input_file(const std::string& path,
                                                    uint64_t limit = kMaxInputFileBytes);

}  // namespace tandem::cli
