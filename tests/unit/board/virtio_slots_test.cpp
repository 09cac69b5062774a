// SPDX-License-Identifier: Apache-2.0
// The virt boards' virtio-mmio transports where QEMU 7.2 has them (hw/arm/virt.c VIRT_MMIO:
// 32 x 0x200 at 0x0a000000, SPI 16 + n, edge; hw/riscv/virt.c VIRT_VIRTIO: 8 x 0x1000 at
// 0x10001000, PLIC 1 + n), filled from the highest address down, and in the device tree; the
// pc board's 8 for its ACPI DSDT.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/board/boards.h"
#include "core/fdt/fdt.h"
#include "devices/virtio/entropy.h"
#include "unit/devices/fakes.h"

namespace tandem {
namespace {

uint64_t zero_clock() { return 0; }

class NoEntropy final : public virtio::EntropySource {
 public:
  Result<void> fill(std::span<uint8_t>) override { return Error(Status::kBackend); }
};

struct Fixture {
  Board& make(Arch arch) {
    auto board = slot.create(arch, nullptr, {power, sink, &zero_clock});
    EXPECT_TRUE(board.ok());
    (*board)->create_irq_chip(1, GuestClock{&zero_clock, 0}, false);
    return **board;
  }
  std::vector<uint8_t> dtb(Board& board) {
    std::vector<uint8_t> blob(kMaxDtbSize);
    auto size = board.write_dtb(blob, {128ull << 20, 1});
    EXPECT_TRUE(size.ok());
    blob.resize(size.value_or(0));
    return blob;
  }
  // The device ID the transport at `base` reports.
  static uint64_t device_id(Board& board, uint64_t base) {
    for (const PlacedDevice& d : board.devices())
      if (d.base == base) return d.device->read(0x008, 4);
    return ~0ull;
  }

  test::FakePower power;
  test::StringSink sink;
  BoardSlot slot;
  NoEntropy source;
  virtio::Entropy first{source};
  virtio::Entropy second{source};
};

std::vector<uint32_t> cells(const fdt::Fdt& f, const char* path, const char* name) {
  std::vector<uint32_t> out;
  auto n = f.find_node(path, std::char_traits<char>::length(path));
  EXPECT_TRUE(n.ok()) << path;
  if (!n) return out;
  auto p = f.property(*n, name);
  if (!p) return out;
  for (uint32_t i = 0; i + 4 <= p->size; i += 4) {
    const uint8_t* b = p->data + i;
    out.push_back((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
  }
  return out;
}

TEST(VirtioSlots, Aarch64VirtHas32TransportsFilledFromTheTop) {
  Fixture fx;
  Board& board = fx.make(Arch::kAarch64);
  ASSERT_TRUE(board.plug_virtio(fx.first).ok());
  ASSERT_TRUE(board.plug_virtio(fx.second).ok());
  EXPECT_EQ(Fixture::device_id(board, 0x0a003e00), 4u);  // the first device: the last slot
  EXPECT_EQ(Fixture::device_id(board, 0x0a003c00), 4u);
  EXPECT_EQ(Fixture::device_id(board, 0x0a000000), 0u);  // empty
  const auto blob = fx.dtb(board);
  auto f = fdt::Fdt::open(blob);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(cells(*f, "/virtio_mmio@a003e00", "interrupts"), (std::vector<uint32_t>{0, 47, 1}));
  EXPECT_EQ(cells(*f, "/virtio_mmio@a000000", "interrupts"), (std::vector<uint32_t>{0, 16, 1}));
  EXPECT_EQ(cells(*f, "/virtio_mmio@a000000", "reg"),
            (std::vector<uint32_t>{0, 0xa000000, 0, 0x200}));
  EXPECT_FALSE(f->find_node("/virtio_mmio@a004000", 20).ok());
}

TEST(VirtioSlots, Riscv64VirtHas8TransportsAndRefusesANinth) {
  Fixture fx;
  Board& board = fx.make(Arch::kRiscv64);
  for (int i = 0; i < 8; i++) ASSERT_TRUE(board.plug_virtio(fx.first).ok()) << i;
  EXPECT_EQ(board.plug_virtio(fx.second).error(), Status::kCapacity);
  EXPECT_EQ(Fixture::device_id(board, 0x10001000), 4u);
  const auto blob = fx.dtb(board);
  auto f = fdt::Fdt::open(blob);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(cells(*f, "/soc/virtio_mmio@10008000", "interrupts"), (std::vector<uint32_t>{8}));
  EXPECT_EQ(cells(*f, "/soc/virtio_mmio@10001000", "reg"),
            (std::vector<uint32_t>{0, 0x10001000, 0, 0x1000}));
}

TEST(VirtioSlots, PcBoardHas8TransportsOnGsi16UpForItsDsdt) {
  Fixture fx;
  auto board = fx.slot.create(Arch::kX86_64, nullptr, {fx.power, fx.sink, &zero_clock});
  ASSERT_TRUE(board.ok());
  for (int i = 0; i < 8; i++) ASSERT_TRUE((*board)->plug_virtio(fx.first).ok()) << i;
  EXPECT_EQ((*board)->plug_virtio(fx.second).error(), Status::kCapacity);
  EXPECT_EQ(Fixture::device_id(**board, 0xd0007000), 4u);
  const auto transports = (*board)->virtio_transports();
  ASSERT_EQ(transports.size(), 8u);
  for (unsigned n = 0; n < 8; n++) {
    EXPECT_EQ(transports[n].base, 0xd0000000u + 0x1000 * n);
    EXPECT_EQ(transports[n].size, 0x1000u);
    EXPECT_EQ(transports[n].irq, 16 + n);  // the IOAPIC's PCI pins: no ISA device has them
    EXPECT_EQ(transports[n].space, BusSpace::kMmio);
  }
  // Below the IOAPIC / HPET / LAPIC pages, above RAM's 3 GiB window.
  EXPECT_LT(transports[7].base + transports[7].size, 0xfec00000u);
  EXPECT_GE(transports[0].base, (*board)->layout().max_ram);
}

}  // namespace
}  // namespace tandem
