// SPDX-License-Identifier: Apache-2.0
// Drives the virtio-mmio devices the board describes, as a minimal driver would (virtio 1.2
// 3.1.1, 4.2.3): finds every "virtio,mmio" node in the device tree, prints the transports
// that have a device, then on the first block device reads sector 0 (the test's disk has a
// marker there), writes sector 1 through an indirect descriptor, flushes and reads sector 1
// back, and on the first entropy device asks for 64 random bytes. Run by
// tests/integration/virtio_test.sh on Tandem and on QEMU (the same transports at the same
// addresses), which then checks what landed in the disk file. Polls the used ring; the
// interrupt status register must say a used buffer came (EVENT_IDX used_event asks for one
// each time).
#include "device_tree.h"
#include "guest.h"

namespace {

constexpr unsigned kMaxTransports = 32;
constexpr unsigned kQueueSize = 8;
constexpr std::uint32_t kMagic = 0x74726976;

// 4.2.2 registers.
enum : std::uint32_t {
  kRegMagic = 0x000,
  kRegVersion = 0x004,
  kRegDeviceId = 0x008,
  kRegDeviceFeatures = 0x010,
  kRegDeviceFeaturesSel = 0x014,
  kRegDriverFeatures = 0x020,
  kRegDriverFeaturesSel = 0x024,
  kRegQueueSel = 0x030,
  kRegQueueNumMax = 0x034,
  kRegQueueNum = 0x038,
  kRegQueueReady = 0x044,
  kRegQueueNotify = 0x050,
  kRegInterruptStatus = 0x060,
  kRegInterruptAck = 0x064,
  kRegStatus = 0x070,
  kRegQueueDesc = 0x080,
  kRegQueueDriver = 0x090,
  kRegQueueDevice = 0x0a0,
  kRegConfig = 0x100,
};

constexpr std::uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8;
constexpr std::uint32_t kFIndirect = 1u << 28, kFEventIdx = 1u << 29;  // low word
constexpr std::uint32_t kFVersion1 = 1u << 0;                          // high word (bit 32)
constexpr std::uint16_t kNext = 1, kWrite = 2, kIndirect = 4;
constexpr std::uint32_t kBlkIn = 0, kBlkOut = 1, kBlkFlush = 4;

struct Desc {
  std::uint64_t addr;
  std::uint32_t len;
  std::uint16_t flags;
  std::uint16_t next;
};

struct alignas(4096) Queue {
  Desc desc[kQueueSize];
  std::uint16_t avail_flags;
  std::uint16_t avail_idx;
  std::uint16_t avail_ring[kQueueSize];
  std::uint16_t used_event;
  alignas(4) std::uint16_t used_flags;
  std::uint16_t used_idx;
  struct {
    std::uint32_t id;
    std::uint32_t len;
  } used_ring[kQueueSize];
  std::uint16_t avail_event;
};

struct BlkRequest {
  std::uint32_t type;
  std::uint32_t reserved;
  std::uint64_t sector;
};

// Globals: zeroed with .bss (guests have no memset for large locals).
std::uint64_t g_bases[kMaxTransports];
unsigned g_count;
Queue g_blk_queue;
Queue g_rng_queue;
Desc g_indirect[3];
BlkRequest g_request;
alignas(512) std::uint8_t g_sector[512];
std::uint8_t g_status;
std::uint8_t g_random[64];

std::uint32_t reg(std::uint64_t base, std::uint32_t off) {
  return *reinterpret_cast<volatile std::uint32_t*>(base + off);
}
void set_reg(std::uint64_t base, std::uint32_t off, std::uint32_t value) {
  *reinterpret_cast<volatile std::uint32_t*>(base + off) = value;
}
std::uint64_t addr(const void* p) { return reinterpret_cast<std::uint64_t>(p); }
void barrier() { __sync_synchronize(); }

bool starts_with(const char* s, const char* prefix) {
  while (*prefix != 0)
    if (*s++ != *prefix++) return false;
  return true;
}

class Finder final : public guest::FdtVisitor {
 public:
  void node(const char*, int) override {}
  void property(const char* path, const char* name, const std::uint8_t* value,
                std::uint32_t size) override {
    const char* leaf = path;
    for (const char* p = path; *p != 0; p++)
      if (*p == '/') leaf = p + 1;
    if (!starts_with(leaf, "virtio_mmio@") || !starts_with(name, "reg") || name[3] != 0 ||
        size < 8 || g_count == kMaxTransports)
      return;
    g_bases[g_count++] = (std::uint64_t{guest::fdt_be32(value)} << 32) | guest::fdt_be32(value + 4);
  }
};

void sort_bases() {
  for (unsigned i = 1; i < g_count; i++)
    for (unsigned j = i; j > 0 && g_bases[j - 1] > g_bases[j]; j--) {
      const std::uint64_t t = g_bases[j];
      g_bases[j] = g_bases[j - 1];
      g_bases[j - 1] = t;
    }
}

// 3.1.1: reset, acknowledge, negotiate VERSION_1 + INDIRECT_DESC + EVENT_IDX, queue 0, go.
bool init(std::uint64_t base, Queue& q) {
  set_reg(base, kRegStatus, 0);
  set_reg(base, kRegStatus, kAcknowledge);
  set_reg(base, kRegStatus, kAcknowledge | kDriver);
  set_reg(base, kRegDeviceFeaturesSel, 0);
  const std::uint32_t low = reg(base, kRegDeviceFeatures) & (kFIndirect | kFEventIdx);
  set_reg(base, kRegDeviceFeaturesSel, 1);
  const std::uint32_t high = reg(base, kRegDeviceFeatures) & kFVersion1;
  set_reg(base, kRegDriverFeaturesSel, 0);
  set_reg(base, kRegDriverFeatures, low);
  set_reg(base, kRegDriverFeaturesSel, 1);
  set_reg(base, kRegDriverFeatures, high);
  set_reg(base, kRegStatus, kAcknowledge | kDriver | kFeaturesOk);
  if ((reg(base, kRegStatus) & kFeaturesOk) == 0) {
    guest::put_str("  features refused\n");
    return false;
  }
  guest::put_hex_line("  features: indirect+event_idx ", low >> 28);
  set_reg(base, kRegQueueSel, 0);
  if (reg(base, kRegQueueNumMax) < kQueueSize) return false;
  set_reg(base, kRegQueueNum, kQueueSize);
  set_reg(base, kRegQueueDesc, static_cast<std::uint32_t>(addr(q.desc)));
  set_reg(base, kRegQueueDesc + 4, static_cast<std::uint32_t>(addr(q.desc) >> 32));
  set_reg(base, kRegQueueDriver, static_cast<std::uint32_t>(addr(&q.avail_flags)));
  set_reg(base, kRegQueueDriver + 4, static_cast<std::uint32_t>(addr(&q.avail_flags) >> 32));
  set_reg(base, kRegQueueDevice, static_cast<std::uint32_t>(addr(&q.used_flags)));
  set_reg(base, kRegQueueDevice + 4, static_cast<std::uint32_t>(addr(&q.used_flags) >> 32));
  set_reg(base, kRegQueueReady, 1);
  set_reg(base, kRegStatus, kAcknowledge | kDriver | kFeaturesOk | kDriverOk);
  return true;
}

// Makes chain `head` available, notifies, waits for it to come back used; the used length.
std::uint32_t submit(std::uint64_t base, Queue& q, std::uint16_t head) {
  const std::uint16_t used_before = *static_cast<volatile std::uint16_t*>(&q.used_idx);
  q.used_event = used_before;  // interrupt me when this one is used
  q.avail_ring[q.avail_idx % kQueueSize] = head;
  barrier();
  *static_cast<volatile std::uint16_t*>(&q.avail_idx) = static_cast<std::uint16_t>(q.avail_idx + 1);
  barrier();
  set_reg(base, kRegQueueNotify, 0);
  for (unsigned spin = 0; spin < 100'000'000; spin++) {
    if (*static_cast<volatile std::uint16_t*>(&q.used_idx) != used_before) {
      barrier();
      const std::uint32_t isr = reg(base, kRegInterruptStatus);
      set_reg(base, kRegInterruptAck, isr);
      if ((isr & 1) == 0) guest::put_str("  no used-buffer interrupt\n");
      return q.used_ring[used_before % kQueueSize].len;
    }
  }
  guest::put_str("  timed out\n");
  return 0;
}

// A request: header, data (`data_write`: device-writable), status. Indirect when asked.
std::uint8_t block_request(std::uint64_t base, std::uint32_t type, std::uint64_t sector,
                           std::uint32_t data_len, bool data_write, bool indirect) {
  g_request = {type, 0, sector};
  g_status = 0xff;
  Desc* d = indirect ? g_indirect : g_blk_queue.desc;
  unsigned n = 0;
  d[n] = {addr(&g_request), sizeof g_request, kNext, static_cast<std::uint16_t>(n + 1)};
  n++;
  if (data_len != 0) {
    d[n] = {addr(g_sector), data_len, static_cast<std::uint16_t>(kNext | (data_write ? kWrite : 0)),
            static_cast<std::uint16_t>(n + 1)};
    n++;
  }
  d[n] = {addr(&g_status), 1, kWrite, 0};
  n++;
  if (indirect)
    g_blk_queue.desc[0] = {addr(g_indirect), static_cast<std::uint32_t>(n * sizeof(Desc)),
                           kIndirect, 0};
  const std::uint32_t len = submit(base, g_blk_queue, 0);
  guest::put_str("  used length ");
  guest::put_dec(len);
  guest::put_str(", status ");
  guest::put_dec(g_status);
  guest::put_byte('\n');
  return g_status;
}

void print_sector_text() {
  guest::put_str("  sector text: ");
  for (unsigned i = 0; i < 64 && g_sector[i] >= 0x20 && g_sector[i] < 0x7f; i++)
    guest::put_byte(static_cast<char>(g_sector[i]));
  guest::put_byte('\n');
}

void drive_block(std::uint64_t base) {
  if (!init(base, g_blk_queue)) return;
  const std::uint64_t capacity =
      reg(base, kRegConfig) | (std::uint64_t{reg(base, kRegConfig + 4)} << 32);
  guest::put_str("  capacity ");
  guest::put_dec(capacity);
  guest::put_str(" sectors\n");
  guest::put_str("  read sector 0\n");
  block_request(base, kBlkIn, 0, 512, true, false);
  print_sector_text();
  static const char kText[] = "written by the virtio guest";
  for (unsigned i = 0; i < 512; i++) g_sector[i] = i < sizeof kText ? kText[i] : 0;
  guest::put_str("  write sector 1 (indirect)\n");
  block_request(base, kBlkOut, 1, 512, false, true);
  guest::put_str("  flush\n");
  block_request(base, kBlkFlush, 0, 0, false, false);
  for (unsigned i = 0; i < 512; i++) g_sector[i] = 0;
  guest::put_str("  read sector 1\n");
  block_request(base, kBlkIn, 1, 512, true, false);
  print_sector_text();
  guest::put_str("  read past the end\n");
  block_request(base, kBlkIn, capacity, 512, true, false);
}

void drive_rng(std::uint64_t base) {
  if (!init(base, g_rng_queue)) return;
  g_rng_queue.desc[0] = {addr(g_random), sizeof g_random, kWrite, 0};
  const std::uint32_t len = submit(base, g_rng_queue, 0);
  unsigned nonzero = 0;
  for (std::uint8_t b : g_random) nonzero += b != 0;
  guest::put_str("  random bytes ");
  guest::put_dec(len);
  guest::put_str(nonzero > 32 ? ", mostly non-zero\n" : ", suspiciously many zeros\n");
}

}  // namespace

extern "C" int guest_main() {
  const std::uint8_t* dtb = guest::device_tree();
  Finder finder;
  if (dtb == nullptr || !guest::fdt_walk(dtb, finder)) {
    guest::put_str("no device tree\n");
    return 1;
  }
  sort_bases();
  guest::put_str("virtio-mmio transports: ");
  guest::put_dec(g_count);
  guest::put_byte('\n');
  bool blk_done = false, rng_done = false;
  for (unsigned i = 0; i < g_count; i++) {
    const std::uint64_t base = g_bases[i];
    if (reg(base, kRegMagic) != kMagic || reg(base, kRegVersion) != 2) {
      guest::put_hex_line("not a version 2 transport at ", base);
      return 1;
    }
    const std::uint32_t id = reg(base, kRegDeviceId);
    if (id == 0) continue;
    guest::put_hex(base);
    guest::put_str(": device ");
    guest::put_dec(id);
    guest::put_byte('\n');
    if (id == 2 && !blk_done) {
      drive_block(base);
      blk_done = true;
    } else if (id == 4 && !rng_done) {
      drive_rng(base);
      rng_done = true;
    }
  }
  return 0;
}
