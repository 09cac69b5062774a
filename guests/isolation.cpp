// SPDX-License-Identifier: Apache-2.0
// Two VMs' memories are disjoint: run as VM "A" (bootargs "A") beside VM "B" (bootargs "B"),
// the guest writes its own 16-byte marker into its RAM, then scans all of its RAM (every
// region the device tree lists) again and again for the other VM's marker, reporting after
// each scan whether it found its own (proof the scan sees what is there) and whether it found
// the other's (which it never may). It scans until the host stops it. The markers are built
// at run time from the letter, so no image holds one.
#include "device_tree.h"
#include "guest.h"

namespace {

constexpr std::uint64_t kMagic0 = 0x5f4d45444e41545fULL;  // "_TANDEM_" (little-endian)
constexpr std::uint64_t kMagic1 = 0x2d4b52414d2d4d56ULL;  // "VM-MARK-", the letter mixed in

bool same(const char* a, const char* b) {
  while (*a != 0 && *a == *b) a++, b++;
  return *a == *b;
}

std::uint64_t be64(const std::uint8_t* p) {
  return (std::uint64_t{guest::fdt_be32(p)} << 32) | guest::fdt_be32(p + 4);
}

struct Machine final : guest::FdtVisitor {
  char letter = 0;
  std::uint64_t ram_base = 0;
  std::uint64_t ram_size = 0;
  void node(const char*, int) override {}
  void property(const char* path, const char* name, const std::uint8_t* value,
                std::uint32_t size) override {
    if (same(path, "/chosen") && same(name, "bootargs") && size >= 1) letter = char(value[0]);
    const char* memory = "/memory@";
    bool is_memory = true;
    for (unsigned i = 0; memory[i] != 0; i++) is_memory = is_memory && path[i] == memory[i];
    if (is_memory && same(name, "reg") && size >= 16 && ram_size == 0) {
      ram_base = be64(value);
      ram_size = be64(value + 8);
    }
  }
};

alignas(16) volatile std::uint64_t g_own_marker[2];

// How many 16-byte-aligned places in [base, base + size) hold (w0, w1).
std::uint64_t count(std::uint64_t base, std::uint64_t size, std::uint64_t w0, std::uint64_t w1) {
  std::uint64_t found = 0;
  for (std::uint64_t a = base; a + 16 <= base + size; a += 8) {
    const volatile std::uint64_t* p = reinterpret_cast<const volatile std::uint64_t*>(a);
    if (p[0] == w0 && p[1] == w1) found++;
  }
  return found;
}

}  // namespace

extern "C" int guest_main() {
  Machine m;
  const std::uint8_t* dtb = guest::device_tree();
  if (dtb == nullptr || !guest::fdt_walk(dtb, m) || (m.letter != 'A' && m.letter != 'B') ||
      m.ram_size == 0) {
    guest::put_str("isolation: needs bootargs A or B and a /memory node\n");
    return 1;
  }
  const char other = m.letter == 'A' ? 'B' : 'A';
  g_own_marker[0] = kMagic0;
  g_own_marker[1] = kMagic1 ^ std::uint64_t(std::uint8_t(m.letter));
  guest::put_str("isolation: ");
  guest::put_byte(m.letter);
  guest::put_str(" wrote its marker; scanning ");
  guest::put_hex(m.ram_base);
  guest::put_str(" + ");
  guest::put_hex(m.ram_size);
  guest::put_str("\n");
  for (std::uint64_t scan = 1;; scan++) {
    const std::uint64_t own =
        count(m.ram_base, m.ram_size, kMagic0, kMagic1 ^ std::uint64_t(std::uint8_t(m.letter)));
    const std::uint64_t theirs =
        count(m.ram_base, m.ram_size, kMagic0, kMagic1 ^ std::uint64_t(std::uint8_t(other)));
    guest::put_str("isolation: scan ");
    guest::put_dec(scan);
    guest::put_str(own > 0 ? ": own marker found" : ": own marker MISSING");
    guest::put_str(theirs > 0 ? ", OTHER VM's marker FOUND\n" : ", other VM's marker absent\n");
    if (own == 0 || theirs > 0) return 1;
  }
}
