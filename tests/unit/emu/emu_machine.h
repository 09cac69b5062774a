// SPDX-License-Identifier: Apache-2.0
// A minimal VM around one EmuVcpu for the backend tests: contiguous RAM from the hosted paging
// handler, one MMIO window and two port ranges with recording devices, and the real DeviceBus,
// VmExits, PSCI and SBI. Guests are inline machine code loaded into RAM.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "backends/emu/emu_vcpu.h"
#include "backends/hosted/host_paging.h"
#include "core/arch/x86_64/long_mode.h"
#include "core/board/boards.h"
#include "core/bus/device_bus.h"
#include "core/hal.h"
#include "core/mm/address_space.h"
#include "core/vm/vm_exits.h"
#include "devices/char_sink.h"

namespace tandem::test {

struct Access {
  uint64_t offset;
  unsigned size;
  uint64_t value;
  bool operator==(const Access&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Access& a) {
  return os << "{offset " << a.offset << ", size " << a.size << ", value 0x" << std::hex << a.value
            << std::dec << "}";
}

// Records every access (unless `record` is off); reads return `read_value` (the bus and backend
// narrow it to the access width). With `power` set, any write powers the VM off with the written
// value, like an exit device.
class RecordingDevice final : public Device {
 public:
  const char* name() const override { return "recording"; }
  uint64_t read(uint64_t offset, unsigned size) override {
    if (record) reads.push_back({offset, size, read_value});
    return read_value;
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    if (record) writes.push_back({offset, size, value});
    if (power != nullptr) power->system_off(static_cast<int>(value));
  }

  uint64_t read_value = 0;
  bool record = true;
  PowerControl* power = nullptr;
  std::vector<Access> reads;
  std::vector<Access> writes;
};

struct MachineConfig {
  Arch arch;
  uint64_t ram_base;
  uint64_t ram_size;
  uint64_t mmio_base;
  bool irq_chip = false;  // the board's interrupt controller model, driving the vCPU's inputs
  uint64_t (*clock)() = nullptr;  // the chip's time in ns; null: always 0
};

inline constexpr uint64_t kMmioSize = 0x1000;
inline constexpr uint16_t kComBase = 0x3f8;
inline constexpr uint16_t kPostPort = 0x80;

class EmuMachine {
 public:
  explicit EmuMachine(const MachineConfig& config) : cfg(config), exits(bus) {
    // The arch's board answers the firmware calls (PSCI, SBI); its devices stay off the bus.
    auto board = boards.create(cfg.arch, nullptr, {exits.stop_info(), console, &no_clock});
    EXPECT_TRUE(board.ok());
    if (board) {
      exits.set_board(*board);
      m_board = *board;
    }
  }

  // Builds the address space, the bus and the vCPU. Call through ASSERT_NO_FATAL_FAILURE.
  void build() {
    Stage2Config s2;
    if (cfg.arch == Arch::kRiscv64) s2 = Stage2Config::of(Stage2Format::kSv39x4);
    if (cfg.arch == Arch::kX86_64) s2 = Stage2Config::of(Stage2Format::kEpt);
    Result<AddressSpace> as = AddressSpace::create(frames, s2);
    ASSERT_TRUE(as.ok()) << to_string(as.error());
    space.emplace(std::move(*as));
    ASSERT_TRUE(space->add_ram_alloc(Gpa(cfg.ram_base), cfg.ram_size).ok());
    ASSERT_TRUE(space->add_mmio(Gpa(cfg.mmio_base), kMmioSize).ok());
    const Region* ram_region = space->find(Gpa(cfg.ram_base));
    ASSERT_NE(ram_region, nullptr);
    Result<Hva> host = space->host_address(*ram_region);
    ASSERT_TRUE(host.ok());
    ram = to_ptr<uint8_t>(*host);
    ASSERT_TRUE(bus.add(BusSpace::kMmio, cfg.mmio_base, kMmioSize, mmio_dev).ok());
    ASSERT_TRUE(bus.add(BusSpace::kPort, kComBase, 8, com_dev).ok());
    ASSERT_TRUE(bus.add(BusSpace::kPort, kPostPort, 1, post_dev).ok());
    IrqChip* chip = nullptr;
    const GuestClock clock{cfg.clock != nullptr ? cfg.clock : &no_clock, 0};
    if (cfg.irq_chip) {
      ASSERT_NE(m_board, nullptr);
      chip = m_board->create_irq_chip(1, clock, false);
      exits.set_irq_chip(chip);
    }
    Result<EmuVcpu> v = EmuVcpu::create(VcpuSetup{cfg.arch, 0, *space, exits, 1, chip, clock});
    ASSERT_TRUE(v.ok()) << to_string(v.error());
    vcpu.emplace(std::move(*v));
  }

  void load(uint64_t gpa, const void* bytes, size_t size) {
    ASSERT_GE(gpa, cfg.ram_base);
    ASSERT_LE(gpa - cfg.ram_base + size, cfg.ram_size);
    std::memcpy(ram + (gpa - cfg.ram_base), bytes, size);
  }

  // Loads `code` at `entry` and sets the boot state; x86_64 also gets long-mode tables at
  // kX86Tables.
  template <class T, size_t N>
  void boot(uint64_t entry, const T (&code)[N], uint64_t arg1 = 0) {
    ASSERT_NO_FATAL_FAILURE(load(entry, code, sizeof code));
    BootState b;
    b.pc = entry;
    b.sp = cfg.ram_base + cfg.ram_size - 16;
    b.args[1] = arg1;
    if (cfg.arch == Arch::kX86_64) {
      Result<X86LongModeState> st = x86::build_long_mode(std::span<uint8_t>(ram, cfg.ram_size),
                                                         Gpa(cfg.ram_base), Gpa(kX86Tables));
      ASSERT_TRUE(st.ok());
      b.x86 = *st;
    }
    Result<void> r = vcpu->set_boot_state(b);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
  }

  // One vCPU run: it may end with kTimeout when the test stops it, or every 20 ms on its own
  // (the backend's translation-buffer check, emu_code_buffer.h).
  VcpuExit run_slice() {
    Result<VcpuExit> e = vcpu->run();
    EXPECT_TRUE(e.ok()) << to_string(e.error());
    return e.ok() ? *e : VcpuExit{};
  }

  // Runs until the guest exits for another reason than the end of a slice.
  VcpuExit run() {
    VcpuExit e = run_slice();
    while (e.kind == ExitKind::kTimeout && !exits.stopped()) e = run_slice();
    return e;
  }

  uint64_t gpr(unsigned n) {
    Result<uint64_t> v = vcpu->read_gpr(n);
    EXPECT_TRUE(v.ok());
    return v.value_or(0);
  }

  static constexpr uint64_t kX86Tables = 0x8000;

  MachineConfig cfg;
  hosted::HostPagingHandler paging;
  PagingHandlerAdapter<hosted::HostPagingHandler> frames{paging};
  std::optional<AddressSpace> space;
  DeviceBus bus;
  RecordingDevice mmio_dev;
  RecordingDevice com_dev;
  RecordingDevice post_dev;
  class DropSink final : public CharSink {
   public:
    void put(uint8_t c) override { (void)c; }
  } console;
  static uint64_t no_clock() { return 0; }
  VmExits exits;
  BoardSlot boards;
  std::optional<EmuVcpu> vcpu;
  uint8_t* ram = nullptr;
  Board* m_board = nullptr;
};

}  // namespace tandem::test
