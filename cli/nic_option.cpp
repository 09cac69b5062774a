// SPDX-License-Identifier: Apache-2.0
#include "cli/nic_option.h"

#include <arpa/inet.h>

#include <charconv>

#include "cli/option_items.h"

namespace tandem::cli {
namespace {

// Splits `text` at the first `sep`: the part before it into `head`, the rest stays in `text`.
bool split(std::string& text, char sep, std::string& head) {
  const size_t at = text.find(sep);
  if (at == std::string::npos) return false;
  head = text.substr(0, at);
  text.erase(0, at + 1);
  return true;
}

bool parse_port(const std::string& text, uint16_t& port) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    return false;
  port = static_cast<uint16_t>(value);
  return true;
}

bool parse_address(const std::string& text, in_addr& addr) {
  return text.empty() || inet_pton(AF_INET, text.c_str(), &addr) == 1;
}

bool parse_hostfwd(std::string rule, hosted::HostForward& f) {
  std::string proto, host_addr, host_port, guest_addr;
  if (!split(rule, ':', proto) || !split(rule, ':', host_addr) || !split(rule, '-', host_port) ||
      !split(rule, ':', guest_addr))
    return false;
  if (proto != "" && proto != "tcp" && proto != "udp") return false;
  f.udp = proto == "udp";
  return parse_address(host_addr, f.host_addr) && parse_port(host_port, f.host_port) &&
         parse_address(guest_addr, f.guest_addr) && parse_port(rule, f.guest_port);
}

bool parse_mac(const std::string& text, std::array<uint8_t, 6>& mac) {
  if (text.size() != 17) return false;
  for (unsigned i = 0; i < 6; i++) {
    if (i > 0 && text[size_t{3} * i - 1] != ':') return false;
    const char* at = text.data() + size_t{3} * i;
    if (std::from_chars(at, at + 2, mac[i], 16).ptr != at + 2) return false;
  }
  return (mac[0] & 1) == 0;  // a unicast address
}

}  // namespace

std::optional<NicSpec> parse_nic(const std::string& text, std::string& error) {
  NicSpec spec;
  bool first = true;
  for (const OptionItem& it : option_items(text)) {
    const std::string& key = it.key;
    const std::string& value = it.value;
    bool good = false;
    if (first) {
      good = it.text == "user";
    } else if (key == "hostfwd") {
      good = parse_hostfwd(value, spec.forwards.emplace_back());
    } else if (key == "mac") {
      good = parse_mac(value, spec.mac.emplace());
    } else if (key == "model") {
      good = value == "virtio-net-device" || value == "virtio";
    }
    if (!good) {
      error = "--nic '" + text + "': '" + it.text + "' is not understood (" +
              (first ? "the first item is the network type; Tandem has `user`"
                     : "user[,hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport]..."
                       "[,mac=52:54:00:12:34:56][,model=virtio-net-device]") +
              ")";
      return std::nullopt;
    }
    first = false;
  }
  return spec;
}

}  // namespace tandem::cli
