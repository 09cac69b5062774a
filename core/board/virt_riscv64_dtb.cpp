// SPDX-License-Identifier: Apache-2.0
// The riscv64 virt board's device tree, with QEMU's node names and properties (hw/riscv/virt.c,
// Linux bindings riscv/cpus.yaml, interrupt-controller/sifive,plic-1.0.0.yaml,
// timer/sifive,clint.yaml, power/reset/syscon-poweroff.yaml) so guests find the same hardware
// under the same paths. The S-mode view: no M-mode-only nodes.
#include "core/board/dtb_common.h"
#include "core/board/virt_riscv64.h"

namespace tandem {
namespace {

constexpr uint32_t kPlicPhandle = 1;
constexpr uint32_t kTestPhandle = 2;
// Hart i: cpu node 0x10 + 2i, its interrupt controller 0x11 + 2i.
constexpr uint32_t kFirstCpuPhandle = 0x10;
constexpr uint32_t cpu_phandle(unsigned i) { return kFirstCpuPhandle + 2 * i; }
constexpr uint32_t intc_phandle(unsigned i) { return kFirstCpuPhandle + 2 * i + 1; }

// Local interrupt numbers (priv spec 3.1.9 mcause) the CLINT and PLIC raise.
constexpr uint32_t kMachineSoft = 3, kMachineTimer = 7, kSupervisorExternal = 9,
                   kMachineExternal = 11;

constexpr uint32_t kTimebaseHz = 10'000'000;  // RiscvIrqChip::kTimebaseHz, QEMU's 10 MHz

void write_cpus(fdt::FdtWriter& w, unsigned cpus, bool sstc) {
  w.begin_node("cpus");
  w.property_u32("#address-cells", 1);
  w.property_u32("#size-cells", 0);
  w.property_u32("timebase-frequency", kTimebaseHz);
  for (unsigned i = 0; i < cpus; i++) {
    w.begin_node_at("cpu", i);
    w.property_string("device_type", "cpu");
    w.property_u32("reg", i);
    w.property_string("status", "okay");
    w.property_string("compatible", "riscv");
    // What every backend runs a guest with: RV64GC (Unicorn, QEMU, an H-capable hart), and
    // Sstc where the harts compare the guest's timer themselves (else the timer is SBI's).
    w.property_string("riscv,isa",
                      sstc ? "rv64imafdc_zicsr_zifencei_sstc" : "rv64imafdc_zicsr_zifencei");
    w.property_string("riscv,isa-base", "rv64i");
    static constexpr char kExtensions[] = "i\0m\0a\0f\0d\0c\0zicsr\0zifencei";
    static constexpr char kWithSstc[] = "i\0m\0a\0f\0d\0c\0zicsr\0zifencei\0sstc";
    if (sstc) {
      w.property_strings("riscv,isa-extensions", kWithSstc, sizeof kWithSstc);
    } else {
      w.property_strings("riscv,isa-extensions", kExtensions, sizeof kExtensions);
    }
    w.property_string("mmu-type", "riscv,sv39");
    w.property_u32("phandle", cpu_phandle(i));
    w.begin_node("interrupt-controller");
    w.property_string("compatible", "riscv,cpu-intc");
    w.property_u32("#interrupt-cells", 1);
    w.property_u32("#address-cells", 0);
    w.property_empty("interrupt-controller");
    w.property_u32("phandle", intc_phandle(i));
    w.end_node();
    w.end_node();
  }
  write_cpu_map(w, cpus, kFirstCpuPhandle, 2, false);
  w.end_node();
}

// interrupts-extended: <intc(h) first intc(h) second> for every hart h.
void write_per_hart_irqs(fdt::FdtWriter& w, unsigned cpus, uint32_t first, uint32_t second) {
  uint32_t cells[4 * RiscvIrqChip::kMaxHarts];
  unsigned n = 0;
  for (unsigned i = 0; i < cpus && i < RiscvIrqChip::kMaxHarts; i++) {
    cells[n++] = intc_phandle(i);
    cells[n++] = first;
    cells[n++] = intc_phandle(i);
    cells[n++] = second;
  }
  w.property_cells("interrupts-extended", std::span<const uint32_t>(cells, n));
}

void write_syscon_node(fdt::FdtWriter& w, const char* name, const char* compatible,
                       uint32_t value) {
  w.begin_node(name);
  w.property_string("compatible", compatible);
  w.property_u32("regmap", kTestPhandle);
  w.property_u32("offset", 0);
  w.property_u32("value", value);
  w.end_node();
}

}  // namespace

Result<size_t> VirtRiscv64Board::write_dtb(std::span<uint8_t> out, const DtbOptions& opts) {
  if (!m_chip) return Error(Status::kInvalidArgument);  // create_irq_chip() first
  const PlacedDevice& uart = m_devices[kUart];
  const PlacedDevice& test = m_devices[kSifiveTest];
  const PlacedDevice& clint = m_devices[kClint];
  const PlacedDevice& plic = m_devices[kPlic];
  fdt::FdtWriter w(out);
  w.begin_node("");
  w.property_u32("#address-cells", 2);
  w.property_u32("#size-cells", 2);
  w.property_string("compatible", "riscv-virtio");
  w.property_string("model", "riscv-virtio,qemu");
  write_chosen_node(w, opts, "/soc/serial@10000000");
  write_memory_node(w, kRamBase, opts.ram_size);
  write_cpus(w, opts.cpus, m_sstc);
  write_syscon_node(w, "poweroff", "syscon-poweroff", SifiveTest::kFinisherPass);
  write_syscon_node(w, "reboot", "syscon-reboot", SifiveTest::kFinisherReset);

  w.begin_node("soc");
  w.property_u32("#address-cells", 2);
  w.property_u32("#size-cells", 2);
  w.property_string("compatible", "simple-bus");
  w.property_empty("ranges");

  // virtio/mmio.yaml, highest address first as QEMU writes them.
  for (unsigned n = kVirtio.count; n-- > 0;) {
    const PlacedDevice& t = m_devices[kFirstVirtio + n];
    w.begin_node_at("virtio_mmio", t.base);
    w.property_u32("interrupts", t.irq);
    w.property_u32("interrupt-parent", kPlicPhandle);
    w.property_reg(t.base, t.size);
    w.property_string("compatible", "virtio,mmio");
    w.end_node();
  }

  w.begin_node_at("serial", uart.base);
  w.property_string("compatible", "ns16550a");
  w.property_reg(uart.base, uart.size);
  w.property_u32("clock-frequency", kUartClockHz);
  w.property_u32("interrupt-parent", kPlicPhandle);
  w.property_u32("interrupts", uart.irq);
  w.end_node();

  w.begin_node_at("test", test.base);
  static constexpr char kTestCompatible[] = "sifive,test1\0sifive,test0\0syscon";
  w.property_strings("compatible", kTestCompatible, sizeof kTestCompatible);
  w.property_reg(test.base, test.size);
  w.property_u32("phandle", kTestPhandle);
  w.end_node();

  w.begin_node_at("clint", clint.base);
  static constexpr char kClintCompatible[] = "sifive,clint0\0riscv,clint0";
  w.property_strings("compatible", kClintCompatible, sizeof kClintCompatible);
  w.property_reg(clint.base, clint.size);
  write_per_hart_irqs(w, opts.cpus, kMachineSoft, kMachineTimer);
  w.end_node();

  w.begin_node_at("plic", plic.base);
  static constexpr char kPlicCompatible[] = "sifive,plic-1.0.0\0riscv,plic0";
  w.property_strings("compatible", kPlicCompatible, sizeof kPlicCompatible);
  w.property_reg(plic.base, plic.size);
  w.property_u32("#interrupt-cells", 1);
  w.property_u32("#address-cells", 0);
  w.property_empty("interrupt-controller");
  w.property_u32("riscv,ndev", Plic::kSources - 1);
  // Context 2h is hart h's M mode, 2h+1 its S mode (plic.h): M external, then S external.
  write_per_hart_irqs(w, opts.cpus, kMachineExternal, kSupervisorExternal);
  w.property_u32("phandle", kPlicPhandle);
  w.end_node();

  w.end_node();  // soc
  w.end_node();
  return w.finish();
}

}  // namespace tandem
