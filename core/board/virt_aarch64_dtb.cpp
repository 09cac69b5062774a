// SPDX-License-Identifier: Apache-2.0
// The aarch64 virt board's device tree, with QEMU's node names and properties (hw/arm/virt.c,
// Linux bindings arm/psci.yaml, arm/arch_timer.yaml, interrupt-controller/arm,gic-v3.yaml and
// arm,gic.yaml, serial/pl011.yaml) so guests find the same hardware under the same paths.
#include "core/arch/aarch64/psci.h"
#include "core/board/dtb_common.h"
#include "core/board/virt_aarch64.h"

namespace tandem {
namespace {

constexpr uint32_t kClockPhandle = 1;
constexpr uint32_t kGicPhandle = 2;
constexpr uint32_t kFirstCpuPhandle = 3;

// GIC interrupt specifier (arm,gic-v3.yaml): type, number, flags.
constexpr uint32_t kSpi = 0;
constexpr uint32_t kPpi = 1;
constexpr uint32_t kEdgeRising = 1;
constexpr uint32_t kLevelHigh = 4;
constexpr unsigned kPpiCpuMaskShift = 8;  // arm,gic.yaml: a GICv2 PPI's CPUs in flags [15:8]

void write_psci(fdt::FdtWriter& w) {
  w.begin_node("psci");
  static constexpr char kCompatible[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
  w.property_strings("compatible", kCompatible, sizeof kCompatible);
  w.property_string("method", "hvc");
  // Function IDs for the original arm,psci binding (SMC64 where there is one).
  w.property_u32("cpu_suspend", PSCI_CPU_SUSPEND64);
  w.property_u32("cpu_off", PSCI_CPU_OFF);
  w.property_u32("cpu_on", PSCI_CPU_ON64);
  w.property_u32("migrate", PSCI_MIGRATE64);
  w.end_node();
}

void write_cpus(fdt::FdtWriter& w, unsigned cpus) {
  w.begin_node("cpus");
  w.property_u32("#address-cells", 1);
  w.property_u32("#size-cells", 0);
  for (unsigned i = 0; i < cpus; i++) {
    w.begin_node_at("cpu", i);
    w.property_string("device_type", "cpu");
    w.property_string("compatible", "arm,cortex-a72");
    w.property_u32("reg", i);  // MPIDR affinity: Aff0 = i
    if (cpus > 1) w.property_string("enable-method", "psci");
    w.property_u32("phandle", kFirstCpuPhandle + i);
    w.end_node();
  }
  write_cpu_map(w, cpus, kFirstCpuPhandle, 1, true);
  w.end_node();
}

// `flags`: level-high, and on a GICv2 the CPUs each PPI reaches (QEMU: every CPU).
void write_timer(fdt::FdtWriter& w, uint32_t flags) {
  w.begin_node("timer");
  static constexpr char kCompatible[] = "arm,armv8-timer\0arm,armv7-timer";
  w.property_strings("compatible", kCompatible, sizeof kCompatible);
  const uint32_t* ppi = VirtAarch64Board::kTimerPpis;
  w.property_cells("interrupts", kPpi, ppi[0], flags, kPpi, ppi[1], flags, kPpi, ppi[2], flags,
                   kPpi, ppi[3], flags);
  w.property_empty("always-on");
  w.end_node();
}

// GICv3: the distributor and the redistributors; GICv2 ("arm,cortex-a15-gic", as QEMU):
// the distributor and the CPU interface, each in its 64 KiB slot.
void write_gic(fdt::FdtWriter& w, const PlacedDevice& gicd, const PlacedDevice& second, bool v2) {
  w.begin_node_at("intc", gicd.base);
  w.property_string("compatible", v2 ? "arm,cortex-a15-gic" : "arm,gic-v3");
  w.property_u32("#interrupt-cells", 3);
  w.property_u32("#address-cells", 0);
  w.property_empty("interrupt-controller");
  if (!v2) w.property_u32("#redistributor-regions", 1);
  const uint64_t size0 = v2 ? gicd.window : gicd.size;
  const uint64_t size1 = v2 ? second.window : second.size;
  w.property_cells("reg", gicd.base >> 32, gicd.base, size0 >> 32, size0, second.base >> 32,
                   second.base, size1 >> 32, size1);
  w.property_u32("phandle", kGicPhandle);
  w.end_node();
}

void write_clock(fdt::FdtWriter& w) {
  w.begin_node("apb-pclk");
  w.property_string("compatible", "fixed-clock");
  w.property_u32("#clock-cells", 0);
  w.property_u32("clock-frequency", VirtAarch64Board::kApbClockHz);
  w.property_string("clock-output-names", "clk24mhz");
  w.property_u32("phandle", kClockPhandle);
  w.end_node();
}

void write_pl011(fdt::FdtWriter& w, const PlacedDevice& uart) {
  w.begin_node_at("pl011", uart.base);
  static constexpr char kCompatible[] = "arm,pl011\0arm,primecell";
  w.property_strings("compatible", kCompatible, sizeof kCompatible);
  w.property_reg(uart.base, uart.size);
  w.property_cells("interrupts", kSpi, uart.irq - 32, kLevelHigh);
  w.property_cells("clocks", kClockPhandle, kClockPhandle);
  static constexpr char kClockNames[] = "uartclk\0apb_pclk";
  w.property_strings("clock-names", kClockNames, sizeof kClockNames);
  w.end_node();
}

// virtio/mmio.yaml, lowest address first as QEMU writes them; QEMU says edge-triggered.
void write_virtio(fdt::FdtWriter& w, std::span<const PlacedDevice> transports) {
  for (const PlacedDevice& t : transports) {
    w.begin_node_at("virtio_mmio", t.base);
    w.property_empty("dma-coherent");
    w.property_cells("interrupts", kSpi, t.irq - 32, kEdgeRising);
    w.property_reg(t.base, t.size);
    w.property_string("compatible", "virtio,mmio");
    w.end_node();
  }
}

}  // namespace

Result<size_t> VirtAarch64Board::write_dtb(std::span<uint8_t> out, const DtbOptions& opts) {
  if (gic() == nullptr) return Error(Status::kInvalidArgument);  // create_irq_chip() first
  const bool v2 = m_gic_version == GicVersion::k2;
  const uint32_t cpus = opts.cpus < 8 ? opts.cpus : 8;
  const uint32_t timer_flags = kLevelHigh | (v2 ? ((1u << cpus) - 1) << kPpiCpuMaskShift : 0);
  fdt::FdtWriter w(out);
  w.begin_node("");
  w.property_u32("#address-cells", 2);
  w.property_u32("#size-cells", 2);
  w.property_string("compatible", "linux,dummy-virt");
  w.property_u32("interrupt-parent", kGicPhandle);
  write_chosen_node(w, opts, "/pl011@9000000");
  write_psci(w);
  write_memory_node(w, kRamBase, opts.ram_size);
  write_cpus(w, opts.cpus);
  write_timer(w, timer_flags);
  write_gic(w, m_devices[kGicd], m_devices[kGicr], v2);
  write_clock(w);
  write_pl011(w, m_devices[kPl011]);
  write_virtio(w, {&m_devices[kFirstVirtio], kVirtio.count});
  w.end_node();
  return w.finish();
}

}  // namespace tandem
