// SPDX-License-Identifier: Apache-2.0
// `--nic user[,hostfwd=RULE]...[,mac=MAC][,model=virtio-net-device]`: a virtio-net device on
// the host's user-mode network, in the words of QEMU's `-nic` (QEMU's `-netdev user` and
// `-device virtio-net-device` in one option). RULE is QEMU's
// `[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport` (an empty protocol is tcp, an empty
// host address every host address, an empty guest address the guest's DHCP address
// 10.0.2.15). The MAC defaults to QEMU's 52:54:00:12:34:56, plus n for the n-th --nic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/hosted/slirp_net.h"

namespace tandem::cli {

struct NicSpec {
  std::vector<hosted::HostForward> forwards;
  std::optional<std::array<uint8_t, 6>> mac;
};

// nullopt with a one-line reason in `error` for anything else.
std::optional<NicSpec> parse_nic(const std::string& text, std::string& error);

}  // namespace tandem::cli
