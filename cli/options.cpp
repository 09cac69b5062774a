// SPDX-License-Identifier: Apache-2.0
#include "cli/options.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace tandem::cli {

std::optional<Arch> parse_arch(const std::string& text) {
  if (text == "aarch64" || text == "arm64") return Arch::kAarch64;
  if (text == "riscv64") return Arch::kRiscv64;
  if (text == "x86_64" || text == "x86-64" || text == "amd64") return Arch::kX86_64;
  return std::nullopt;
}

std::optional<Backend> parse_backend(const std::string& text) {
  if (text == "emu") return Backend::kEmu;
  if (text == "kvm") return Backend::kKvm;
  return std::nullopt;
}

const char* to_string(Backend b) { return b == Backend::kEmu ? "emu" : "kvm"; }

std::optional<double> parse_timeout(const std::string& text) {
  // strtod also takes "nan", "inf" and hex floats: only plain decimal text gets through.
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos)
    return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  if (value < 0 || value > kMaxTimeoutSeconds) return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_size(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0])) == 0) return std::nullopt;
  uint64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; i++) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  unsigned shift = 0;
  if (i < text.size()) {
    switch (std::toupper(static_cast<unsigned char>(text[i]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      default: return std::nullopt;
    }
    i++;
    if (i < text.size() && (text[i] == 'i' || text[i] == 'B')) i++;  // "MiB", "MB"
    if (i < text.size() && text[i] == 'B') i++;
  }
  if (i != text.size()) return std::nullopt;
  if (shift != 0 && value > (std::numeric_limits<uint64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

std::string vm_name(const RunOptions& opts) {
  if (!opts.name.empty()) return opts.name;
  const std::string& path = opts.guest_path.empty() ? opts.bios_path : opts.guest_path;
  const size_t slash = path.find_last_of('/');
  std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  const size_t dot = name.find('.');
  if (dot != std::string::npos && dot != 0) name.resize(dot);
  return name;
}

}  // namespace tandem::cli
