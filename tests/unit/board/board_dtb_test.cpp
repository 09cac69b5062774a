// SPDX-License-Identifier: Apache-2.0
// The boards' generated device trees, parsed back with the project's FDT reader: every device a
// board declares sits in the tree at its node with its reg and interrupt, and memory, CPUs,
// firmware, timer, interrupt controllers and /chosen describe the VM that was asked for.
// Addresses are QEMU 7.2's virt boards (hw/arm/virt.c, hw/riscv/virt.c).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/board/boards.h"
#include "core/board/virt_aarch64.h"
#include "core/board/virt_riscv64.h"
#include "core/fdt/fdt.h"
#include "core/fdt/fdt_writer.h"
#include "unit/devices/fakes.h"

namespace tandem {
namespace {

uint64_t zero_clock() { return 0; }

struct Generated {
  std::vector<uint8_t> blob;
  fdt::Fdt tree() const {
    auto f = fdt::Fdt::open(blob);
    EXPECT_TRUE(f.ok());
    return *f;
  }
};

class BoardDtb : public ::testing::Test {
 protected:
  Board& make(Arch arch, unsigned cpus, bool timer_compare = false) {
    auto board = m_slot.create(arch, nullptr, {m_power, m_sink, &zero_clock, false, timer_compare});
    EXPECT_TRUE(board.ok());
    (*board)->create_irq_chip(cpus, GuestClock{&zero_clock, 0}, false);
    return **board;
  }
  Generated dtb(Board& board, const DtbOptions& opts) {
    Generated g;
    g.blob.resize(kMaxDtbSize);
    auto size = board.write_dtb(g.blob, opts);
    EXPECT_TRUE(size.ok()) << to_string(size.error());
    g.blob.resize(size.ok() ? *size : 0);
    return g;
  }

  test::FakePower m_power;
  test::StringSink m_sink;
  BoardSlot m_slot;
};

fdt::Node node(const fdt::Fdt& f, const std::string& path) {
  auto n = f.find_node(path.c_str(), path.size());
  EXPECT_TRUE(n.ok()) << path;
  return n.value_or(fdt::Node{});
}

std::string node_path(const PlacedDevice& d) {
  char unit[24];
  std::snprintf(unit, sizeof unit, "@%llx", static_cast<unsigned long long>(d.base));
  return std::string(d.dt_node) + unit;
}

std::string string_prop(const fdt::Fdt& f, const fdt::Node& n, const char* name) {
  auto p = f.property(n, name);
  if (!p || p->size == 0) return "<missing>";
  return std::string(reinterpret_cast<const char*>(p->data), p->size - 1);
}

std::vector<uint32_t> cells(const fdt::Fdt& f, const fdt::Node& n, const char* name) {
  std::vector<uint32_t> out;
  auto p = f.property(n, name);
  if (!p) return out;
  for (uint32_t i = 0; i + 4 <= p->size; i += 4) {
    const uint8_t* b = p->data + i;
    out.push_back((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
  }
  return out;
}

// Every device with a node: found at <dt_node>@<base>, reg = its window on the board.
void expect_every_declared_device(const fdt::Fdt& f, const Board& board) {
  unsigned described = 0;
  for (const PlacedDevice& d : board.devices()) {
    if (d.dt_node == nullptr) continue;
    described++;
    const fdt::Node n = node(f, node_path(d));
    auto reg = f.reg(n, 0);
    ASSERT_TRUE(reg.ok()) << node_path(d);
    EXPECT_EQ(reg->base, d.base) << node_path(d);
    EXPECT_EQ(reg->size, d.size) << node_path(d);
    EXPECT_NE(string_prop(f, n, "compatible"), "<missing>") << node_path(d);
  }
  EXPECT_GE(described, 2u);
}

void expect_one_memory(const fdt::Fdt& f, uint64_t base, uint64_t size) {
  fdt::MemRange mem[2];
  ASSERT_EQ(f.memory(mem).value_or(0), 1u);
  EXPECT_EQ(mem[0].base, base);
  EXPECT_EQ(mem[0].size, size);
}

class BoardDtbCpus : public BoardDtb, public ::testing::WithParamInterface<unsigned> {};

TEST_P(BoardDtbCpus, Aarch64VirtDescribesItsDevices) {
  const unsigned cpus = GetParam();
  Board& board = make(Arch::kAarch64, cpus);
  const Generated g = dtb(board, {256ull << 20, cpus});
  const fdt::Fdt f = g.tree();
  expect_every_declared_device(f, board);
  expect_one_memory(f, 0x4000'0000u, 256ull << 20);

  auto console = f.stdout_node();
  ASSERT_TRUE(console.ok());
  EXPECT_TRUE(f.is_compatible(*console, "arm,pl011"));
  EXPECT_EQ(f.reg(*console, 0)->base, 0x0900'0000u);
  EXPECT_EQ(cells(f, *console, "interrupts"), (std::vector<uint32_t>{0, 1, 4}));  // SPI 1
  EXPECT_EQ(string_prop(f, *console, "clock-names"), std::string("uartclk\0apb_pclk", 16));
  const auto clocks = cells(f, *console, "clocks");
  ASSERT_EQ(clocks.size(), 2u);
  const fdt::Node clock = node(f, "/apb-pclk");
  EXPECT_EQ(cells(f, clock, "phandle"), (std::vector<uint32_t>{clocks[0]}));
  EXPECT_TRUE(f.is_compatible(clock, "fixed-clock"));

  const fdt::Node psci = node(f, "/psci");
  EXPECT_TRUE(f.is_compatible(psci, "arm,psci-1.0"));
  EXPECT_TRUE(f.is_compatible(psci, "arm,psci-0.2"));
  EXPECT_EQ(string_prop(f, psci, "method"), "hvc");

  for (unsigned i = 0; i < cpus; i++) {
    const fdt::Node cpu = node(f, "/cpus/cpu@" + std::to_string(i));
    EXPECT_EQ(f.property_u32(cpu, "reg").value_or(99), i);
    EXPECT_EQ(string_prop(f, cpu, "device_type"), "cpu");
    EXPECT_EQ(string_prop(f, cpu, "enable-method"), cpus > 1 ? "psci" : "<missing>");
    const fdt::Node core = node(f, "/cpus/cpu-map/socket0/cluster0/core" + std::to_string(i));
    EXPECT_EQ(cells(f, core, "cpu"), cells(f, cpu, "phandle"));
  }
  const std::string past = "/cpus/cpu@" + std::to_string(cpus);
  EXPECT_FALSE(f.find_node(past.c_str(), past.size()).ok());

  const fdt::Node timer = node(f, "/timer");
  EXPECT_TRUE(f.is_compatible(timer, "arm,armv8-timer"));
  EXPECT_EQ(cells(f, timer, "interrupts"),
            (std::vector<uint32_t>{1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4}));

  const fdt::Node gic = node(f, "/intc@8000000");
  EXPECT_TRUE(f.is_compatible(gic, "arm,gic-v3"));
  EXPECT_EQ(f.property_u32(gic, "#interrupt-cells").value_or(0), 3u);
  EXPECT_EQ(f.reg(gic, 1)->base, 0x080A'0000u);
  EXPECT_EQ(f.reg(gic, 1)->size, cpus * 0x2'0000ull);  // one RD + SGI frame pair per vCPU
  EXPECT_EQ(cells(f, node(f, "/"), "interrupt-parent"), cells(f, gic, "phandle"));

  const fdt::Node chosen = node(f, "/chosen");
  EXPECT_EQ(string_prop(f, chosen, "stdout-path"), "/pl011@9000000");
  EXPECT_FALSE(f.property(chosen, "bootargs").ok());
  EXPECT_FALSE(f.property(chosen, "linux,initrd-start").ok());
}

TEST_P(BoardDtbCpus, Riscv64VirtDescribesItsDevices) {
  const unsigned cpus = GetParam();
  Board& board = make(Arch::kRiscv64, cpus);
  const Generated g = dtb(board, {128ull << 20, cpus});
  const fdt::Fdt f = g.tree();
  expect_every_declared_device(f, board);
  expect_one_memory(f, 0x8000'0000u, 128ull << 20);

  auto console = f.stdout_node();
  ASSERT_TRUE(console.ok());
  EXPECT_TRUE(f.is_compatible(*console, "ns16550a"));
  EXPECT_EQ(f.reg(*console, 0)->base, 0x1000'0000u);
  EXPECT_EQ(f.property_u32(*console, "interrupts").value_or(0), 10u);
  const fdt::Node plic = node(f, "/soc/plic@c000000");
  EXPECT_EQ(cells(f, *console, "interrupt-parent"), cells(f, plic, "phandle"));

  const fdt::Node cpus_node = node(f, "/cpus");
  EXPECT_EQ(f.property_u32(cpus_node, "timebase-frequency").value_or(0), 10'000'000u);
  std::vector<uint32_t> plic_irqs, clint_irqs;
  for (unsigned i = 0; i < cpus; i++) {
    const std::string cpu_path = "/cpus/cpu@" + std::to_string(i);
    const fdt::Node cpu = node(f, cpu_path);
    EXPECT_EQ(f.property_u32(cpu, "reg").value_or(99), i);
    EXPECT_EQ(string_prop(f, cpu, "riscv,isa").rfind("rv64imafdc", 0), 0u);
    EXPECT_EQ(string_prop(f, cpu, "mmu-type"), "riscv,sv39");
    const fdt::Node intc = node(f, cpu_path + "/interrupt-controller");
    EXPECT_TRUE(f.is_compatible(intc, "riscv,cpu-intc"));
    const uint32_t intc_phandle = cells(f, intc, "phandle").at(0);
    // PLIC context 2h is hart h's M mode (11), 2h+1 its S mode (9); CLINT: MSIP 3, MTIP 7.
    plic_irqs.insert(plic_irqs.end(), {intc_phandle, 11, intc_phandle, 9});
    clint_irqs.insert(clint_irqs.end(), {intc_phandle, 3, intc_phandle, 7});
    const fdt::Node core = node(f, "/cpus/cpu-map/cluster0/core" + std::to_string(i));
    EXPECT_EQ(cells(f, core, "cpu"), cells(f, cpu, "phandle"));
  }
  EXPECT_EQ(cells(f, plic, "interrupts-extended"), plic_irqs);
  EXPECT_EQ(cells(f, node(f, "/soc/clint@2000000"), "interrupts-extended"), clint_irqs);
  EXPECT_EQ(f.property_u32(plic, "riscv,ndev").value_or(0), 95u);

  const fdt::Node test = node(f, "/soc/test@100000");
  EXPECT_TRUE(f.is_compatible(test, "syscon"));
  const fdt::Node poweroff = node(f, "/poweroff");
  EXPECT_TRUE(f.is_compatible(poweroff, "syscon-poweroff"));
  EXPECT_EQ(cells(f, poweroff, "regmap"), cells(f, test, "phandle"));
  EXPECT_EQ(f.property_u32(poweroff, "value").value_or(0), 0x5555u);

  EXPECT_EQ(string_prop(f, node(f, "/chosen"), "stdout-path"), "/soc/serial@10000000");
}

INSTANTIATE_TEST_SUITE_P(Cpus, BoardDtbCpus, ::testing::Values(1u, 4u));

// Sstc (the riscv64 images, BoardServices::guest_timer_compare) is listed in both ISA
// properties, so Linux programs stimecmp instead of calling SBI set_timer; never otherwise.
TEST_F(BoardDtb, Riscv64ListsSstcOnlyWhereTheHartsCompareTheTimer) {
  for (const bool sstc : {false, true}) {
    const Generated g = dtb(make(Arch::kRiscv64, 2, sstc), {128ull << 20, 2});
    const fdt::Fdt f = g.tree();
    for (const char* path : {"/cpus/cpu@0", "/cpus/cpu@1"}) {
      const fdt::Node cpu = node(f, path);
      EXPECT_EQ(string_prop(f, cpu, "riscv,isa"),
                sstc ? "rv64imafdc_zicsr_zifencei_sstc" : "rv64imafdc_zicsr_zifencei");
      auto list = f.property(cpu, "riscv,isa-extensions");
      ASSERT_TRUE(list.ok());
      const std::string exts(reinterpret_cast<const char*>(list->data), list->size);
      const std::string want = sstc ? std::string("i\0m\0a\0f\0d\0c\0zicsr\0zifencei\0sstc\0", 32)
                                    : std::string("i\0m\0a\0f\0d\0c\0zicsr\0zifencei\0", 27);
      EXPECT_EQ(exts, want) << path;
    }
  }
}

TEST_F(BoardDtb, ChosenCarriesBootargsAndInitrd) {
  Board& board = make(Arch::kRiscv64, 1);
  DtbOptions opts;
  opts.ram_size = 64ull << 20;
  static constexpr char kArgs[] = "console=ttyS0 earlycon";
  opts.bootargs = std::span<const char>(kArgs, sizeof kArgs - 1);
  opts.initrd_start = 0x8800'0000;
  opts.initrd_end = 0x8812'3456;
  const Generated g = dtb(board, opts);
  const fdt::Fdt f = g.tree();
  const fdt::Node chosen = node(f, "/chosen");
  EXPECT_EQ(string_prop(f, chosen, "bootargs"), kArgs);
  EXPECT_EQ(cells(f, chosen, "linux,initrd-start"), (std::vector<uint32_t>{0, 0x8800'0000}));
  EXPECT_EQ(cells(f, chosen, "linux,initrd-end"), (std::vector<uint32_t>{0, 0x8812'3456}));
}

TEST_F(BoardDtb, PcHasNoDeviceTree) {
  Board& board = make(Arch::kX86_64, 1);
  std::vector<uint8_t> out(kMaxDtbSize);
  EXPECT_EQ(board.write_dtb(out, DtbOptions{}).error(), Status::kUnsupported);
}

TEST_F(BoardDtb, TooSmallABufferIsRefused) {
  Board& board = make(Arch::kAarch64, 4);
  std::vector<uint8_t> out(512);
  DtbOptions opts;
  opts.ram_size = 1 << 20;
  opts.cpus = 4;
  EXPECT_EQ(board.write_dtb(out, opts).error(), Status::kCapacity);
}

TEST_F(BoardDtb, BoardsByArchitectureAndName) {
  BoardSlot slot;
  EXPECT_STREQ((*slot.create(Arch::kAarch64, "virt", {m_power, m_sink, &zero_clock}))->name(),
               "virt");
  EXPECT_STREQ((*slot.create(Arch::kX86_64, nullptr, {m_power, m_sink, &zero_clock}))->name(),
               "pc");
  EXPECT_EQ(slot.create(Arch::kX86_64, "virt", {m_power, m_sink, &zero_clock}).error(),
            Status::kNotFound);
  EXPECT_EQ(slot.create(Arch::kAarch64, "nonesuch", {m_power, m_sink, &zero_clock}).error(),
            Status::kNotFound);
}

// virt,gic-version=2 (QEMU's hw/arm/virt.c with a GICv2): the GIC node names the distributor
// and the CPU interface in their 64 KiB slots, and each timer PPI carries the CPUs it reaches in
// flags [15:8] (arm,gic.yaml).
TEST_F(BoardDtb, VirtGicv2DescribesItsGic) {
  auto board = m_slot.create(Arch::kAarch64, "virt,gic-version=2", {m_power, m_sink, &zero_clock});
  ASSERT_TRUE(board.ok());
  EXPECT_STREQ((*board)->name(), "virt,gic-version=2");
  ASSERT_NE((*board)->create_irq_chip(4, GuestClock{&zero_clock, 0}, false), nullptr);
  const Generated g = dtb(**board, DtbOptions{64ull << 20, 4});
  const fdt::Fdt f = g.tree();
  const fdt::Node gic = node(f, "/intc@8000000");
  EXPECT_TRUE(f.is_compatible(gic, "arm,cortex-a15-gic"));
  EXPECT_FALSE(f.is_compatible(gic, "arm,gic-v3"));
  EXPECT_EQ(f.reg(gic, 0)->base, 0x0800'0000u);
  EXPECT_EQ(f.reg(gic, 0)->size, 0x1'0000u);
  EXPECT_EQ(f.reg(gic, 1)->base, 0x0801'0000u);
  EXPECT_EQ(f.reg(gic, 1)->size, 0x1'0000u);
  EXPECT_FALSE(f.property(gic, "#redistributor-regions").ok());
  EXPECT_EQ(cells(f, node(f, "/"), "interrupt-parent"), cells(f, gic, "phandle"));
  EXPECT_EQ(cells(f, node(f, "/timer"), "interrupts"),
            (std::vector<uint32_t>{1, 13, 0xF04, 1, 14, 0xF04, 1, 11, 0xF04, 1, 10, 0xF04}));
  // The devices the board places: the GICv2 frames at QEMU's addresses, nothing at the GICv3
  // redistributors' place.
  bool gicc = false;
  for (const PlacedDevice& d : (*board)->devices()) {
    EXPECT_NE(d.base, VirtAarch64Board::kGicrBase);
    gicc = gicc || d.base == VirtAarch64Board::kGiccBase;
  }
  EXPECT_TRUE(gicc);
  // No model for a backend that runs the CPU's own timer (bare metal).
  BoardSlot other;
  auto hw = other.create(Arch::kAarch64, "virt,gic-version=2", {m_power, m_sink, &zero_clock});
  EXPECT_EQ((*hw)->create_irq_chip(1, GuestClock{&zero_clock, 0}, true), nullptr);
}

TEST(BoardLayout, VirtMapsMatchQemu) {
  EXPECT_EQ(VirtAarch64Board::kGicdBase, 0x0800'0000u);
  EXPECT_EQ(VirtAarch64Board::kGicrBase, 0x080A'0000u);
  EXPECT_EQ(VirtAarch64Board::kGiccBase, 0x0801'0000u);
  EXPECT_EQ(VirtAarch64Board::kPl011Base, 0x0900'0000u);
  EXPECT_EQ(VirtRiscv64Board::kPlicBase, 0x0C00'0000u);
  EXPECT_EQ(VirtRiscv64Board::kClintBase, 0x0200'0000u);
  EXPECT_EQ(VirtRiscv64Board::kUartBase, 0x1000'0000u);
}

TEST(FdtWriter, UnbalancedNodesAreRefused) {
  std::vector<uint8_t> out(256);
  fdt::FdtWriter open_node(out);
  open_node.begin_node("");
  EXPECT_EQ(open_node.finish().error(), Status::kInvalidArgument);
  fdt::FdtWriter closed_twice(out);
  closed_twice.begin_node("");
  closed_twice.end_node();
  closed_twice.end_node();
  EXPECT_EQ(closed_twice.finish().error(), Status::kInvalidArgument);
}

TEST(FdtWriter, PropertyNamesAreStoredOnce) {
  std::vector<uint8_t> out(512);
  fdt::FdtWriter w(out);
  w.begin_node("");
  w.begin_node_at("a", 0x10);
  w.property_u32("reg", 1);
  w.end_node();
  w.begin_node_at("b", 0xabc);
  w.property_u32("reg", 2);
  w.end_node();
  w.end_node();
  auto size = w.finish();
  ASSERT_TRUE(size.ok());
  auto f = fdt::Fdt::open(std::span<const uint8_t>(out.data(), *size));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->property_u32(node(*f, "/b@abc"), "reg").value_or(0), 2u);
  // The strings block (size_dt_strings, header word 8) holds "reg\0" once.
  const uint32_t strings_size =
      (uint32_t{out[32]} << 24) | (uint32_t{out[33]} << 16) | (uint32_t{out[34]} << 8) | out[35];
  EXPECT_EQ(strings_size, 4u);
}

}  // namespace
}  // namespace tandem
