// SPDX-License-Identifier: Apache-2.0
// Micro-benchmarks of the core's hot lookups (bench/README.md, case 6), run on the host with the
// hosted paging handler: Stage2Table map/unmap and translate in every format, and
// DeviceBus::find over a board-sized set of MMIO devices.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "backends/hosted/host_paging.h"
#include "core/bus/device_bus.h"
#include "core/hal.h"
#include "core/mm/stage2_table.h"

namespace tandem {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kGuestBase = 0x4000'0000;
constexpr uint64_t kHostBase = 0x1'0000'1000;  // not 2 MiB aligned: 4 KiB leaves only

Stage2Config config_of(int64_t arg) {
  const auto format = static_cast<Stage2Format>(arg);
  return format == Stage2Format::kAarch64 ? Stage2Config::aarch64(40, 3, 40)
                                          : Stage2Config::of(format);
}

void stage2_map_unmap(benchmark::State& state) {
  hosted::HostPagingHandler handler;
  PagingHandlerAdapter alloc(handler);
  auto table = Stage2Table::create(alloc, config_of(state.range(0)));
  if (!table.ok()) {
    state.SkipWithError("create failed");
    return;
  }
  constexpr uint64_t kPages = 512;
  for (auto _ : state) {
    for (uint64_t i = 0; i < kPages; ++i) {
      benchmark::DoNotOptimize(
          table->map(Gpa(kGuestBase + i * kPage), Hpa(kHostBase + i * kPage), kPage, kMemRw));
    }
    benchmark::DoNotOptimize(table->unmap(Gpa(kGuestBase), kPages * kPage));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPages));
}

// 64 MiB of 4 KiB leaves (16384 pages, so the walk misses the host caches now and then),
// looked up at random pages.
void stage2_translate(benchmark::State& state) {
  hosted::HostPagingHandler handler;
  PagingHandlerAdapter alloc(handler);
  auto table = Stage2Table::create(alloc, config_of(state.range(0)));
  if (!table.ok()) {
    state.SkipWithError("create failed");
    return;
  }
  constexpr uint64_t kSize = 64ull << 20;
  if (!table->map(Gpa(kGuestBase), Hpa(kHostBase), kSize, kMemRw).ok()) {
    state.SkipWithError("map failed");
    return;
  }
  std::mt19937_64 rng(1);
  std::vector<Gpa> gpas(4096);
  for (auto& g : gpas) g = Gpa(kGuestBase + (rng() % kSize));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table->translate(gpas[i++ % gpas.size()]));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

class NullDevice final : public Device {
 public:
  const char* name() const override { return "null"; }
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint64_t) override {}
};

// state.range(0) devices of 4 KiB each, 64 KiB apart, looked up at random addresses in them.
void device_bus_find(benchmark::State& state) {
  const auto count = static_cast<uint64_t>(state.range(0));
  DeviceBus bus;
  std::vector<NullDevice> devices(count);
  for (uint64_t d = 0; d < count; ++d) {
    if (!bus.add(BusSpace::kMmio, 0x0900'0000 + d * 0x10000, kPage, devices[d]).ok()) {
      state.SkipWithError("add failed");
      return;
    }
  }
  std::mt19937_64 rng(1);
  std::vector<uint64_t> addrs(4096);
  for (auto& a : addrs) a = 0x0900'0000 + (rng() % count) * 0x10000 + (rng() % kPage);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(bus.find(BusSpace::kMmio, addrs[i++ % addrs.size()]));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Arguments: Stage2Format values (aarch64, EPT, Sv39x4, Sv48x4).
BENCHMARK(stage2_map_unmap)->DenseRange(0, 3);
BENCHMARK(stage2_translate)->DenseRange(0, 3);
BENCHMARK(device_bus_find)->Arg(4)->Arg(16)->Arg(64);

}  // namespace
}  // namespace tandem

BENCHMARK_MAIN();
