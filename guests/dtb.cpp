// SPDX-License-Identifier: Apache-2.0
// Walks the device tree the guest was booted with and prints the hardware it describes: RAM,
// CPUs (reg and enable-method), the PSCI conduit, the timebase and the console that
// /chosen stdout-path names (its compatible and address). On QEMU the guest walks QEMU's own
// tree, so the same output on Tandem means Tandem describes the same machine. Two address and
// two size cells are assumed for reg (the root and /soc of both virt boards).
#include "device_tree.h"
#include "guest.h"

namespace {

constexpr unsigned kMaxCpus = 8;
constexpr unsigned kMaxText = 64;

bool starts_with(const char* s, const char* prefix) {
  while (*prefix != 0)
    if (*s++ != *prefix++) return false;
  return true;
}

bool same(const char* a, const char* b) {
  while (*a != 0 && *a == *b) a++, b++;
  return *a == *b;
}

std::uint64_t be64(const std::uint8_t* p) {
  return (std::uint64_t{guest::fdt_be32(p)} << 32) | guest::fdt_be32(p + 4);
}

// Copies the first string of a property (up to ':' for stdout-path options).
void copy_text(char (&out)[kMaxText], const std::uint8_t* value, std::uint32_t size, char stop) {
  unsigned n = 0;
  while (n < size && n + 1 < kMaxText && value[n] != 0 && value[n] != stop) {
    out[n] = static_cast<char>(value[n]);
    n++;
  }
  out[n] = 0;
}

struct Cpu {
  std::uint64_t reg = ~std::uint64_t{0};
  char enable_method[kMaxText] = {};
};

class Survey final : public guest::FdtVisitor {
 public:
  void node(const char* path, int depth) override {
    if (depth == 0) m_cpus = 0;  // each walk counts them again
    m_in_cpu = depth == 2 && starts_with(path, "/cpus/cpu@") && m_cpus < kMaxCpus;
    if (m_in_cpu) m_cpus++;
  }
  void property(const char* path, const char* name, const std::uint8_t* value,
                std::uint32_t size) override {
    if (same(path, "/chosen") && same(name, "stdout-path"))
      copy_text(stdout_path, value, size, ':');
    if (starts_with(path, "/memory@") && same(name, "reg") && size >= 16 && !memory_seen) {
      memory_seen = true;
      memory_base = be64(value);
      memory_size = be64(value + 8);
    }
    if (same(path, "/psci") && same(name, "method")) copy_text(psci_method, value, size, 0);
    if (same(path, "/cpus") && same(name, "timebase-frequency") && size == 4)
      timebase = guest::fdt_be32(value);
    if (m_in_cpu && same(name, "reg") && size == 4) cpu[m_cpus - 1].reg = guest::fdt_be32(value);
    if (m_in_cpu && same(name, "enable-method"))
      copy_text(cpu[m_cpus - 1].enable_method, value, size, 0);
    if (stdout_path[0] != 0 && same(path, stdout_path)) {
      if (same(name, "compatible")) copy_text(console_compatible, value, size, 0);
      if (same(name, "reg") && size >= 8) console_base = be64(value);
    }
  }
  unsigned cpus() const { return m_cpus; }

  char stdout_path[kMaxText] = {};
  char psci_method[kMaxText] = {};
  char console_compatible[kMaxText] = {};
  std::uint64_t console_base = 0;
  bool memory_seen = false;
  std::uint64_t memory_base = 0, memory_size = 0;
  std::uint32_t timebase = 0;
  Cpu cpu[kMaxCpus];

 private:
  unsigned m_cpus = 0;
  bool m_in_cpu = false;
};

// A global (zeroed with .bss, constant-initialised): a local this size would be cleared with
// memset, which guests do not have.
Survey g_survey;

}  // namespace

extern "C" int guest_main() {
  const std::uint8_t* dtb = guest::device_tree();
  if (dtb == nullptr) {
    guest::put_str("no device tree\n");
    return 1;
  }
  Survey& survey = g_survey;
  // Twice: stdout-path may come after the node it names (QEMU's arm virt has /chosen last).
  if (!guest::fdt_walk(dtb, survey) || !guest::fdt_walk(dtb, survey)) {
    guest::put_str("malformed device tree\n");
    return 1;
  }
  guest::put_str("memory: ");
  guest::put_hex(survey.memory_base);
  guest::put_hex_line(" size ", survey.memory_size);
  guest::put_str("cpus: ");
  guest::put_dec(survey.cpus());
  guest::put_byte('\n');
  for (unsigned i = 0; i < survey.cpus(); i++) {
    guest::put_str("cpu ");
    guest::put_hex(survey.cpu[i].reg);
    if (survey.cpu[i].enable_method[0] != 0) {
      guest::put_str(" enable-method ");
      guest::put_str(survey.cpu[i].enable_method);
    }
    guest::put_byte('\n');
  }
  if (survey.psci_method[0] != 0) {
    guest::put_str("psci: ");
    guest::put_str(survey.psci_method);
    guest::put_byte('\n');
  }
  if (survey.timebase != 0) guest::put_hex_line("timebase-frequency: ", survey.timebase);
  guest::put_str("console: ");
  guest::put_str(survey.stdout_path);
  guest::put_str(" ");
  guest::put_str(survey.console_compatible);
  guest::put_hex_line(" at ", survey.console_base);
  return 0;
}
