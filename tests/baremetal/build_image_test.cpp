// SPDX-License-Identifier: Apache-2.0
// cli::build_image on small ELF files built here: a "hypervisor" with the segment layout of a
// real image (code, then the payload segment last) and kernels that fit, do not fit, or are for
// another architecture; and baremetal::parse_payload, the image's reader, on what the packer
// wrote and on damaged copies of it.
#include "cli/build_image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/baremetal/common/payload.h"
#include "backends/baremetal/common/payload_parse.h"
#include "core/fdt/fdt_writer.h"
#include "core/loader/elf.h"

namespace tandem::cli {
namespace {

using baremetal::PayloadHeader;

constexpr uint16_t kEmAarch64 = 183, kEmRiscv = 243;
constexpr uint64_t kRamBase = 0x4000'0000;
constexpr uint64_t kPayloadAddr = 0x4022'4000;

struct Seg {
  uint64_t paddr;
  std::vector<uint8_t> bytes;
  uint64_t memsz;
};

template <class T>
void put(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}
template <class T>
T get(const std::vector<uint8_t>& b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

// ELF64 executable: header, program headers, segment bytes 4 KiB aligned, then a section
// table with a null entry and one PROGBITS section per segment.
std::vector<uint8_t> make_elf(uint16_t machine, const std::vector<Seg>& segs) {
  std::vector<uint8_t> f(64 + 56 * segs.size(), 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(f.data(), ident, sizeof ident);
  put<uint16_t>(f, 16, 2);  // ET_EXEC
  put<uint16_t>(f, 18, machine);
  put<uint32_t>(f, 20, 1);
  put<uint64_t>(f, 24, segs.empty() ? 0 : segs[0].paddr);
  put<uint64_t>(f, 32, 64);
  put<uint16_t>(f, 52, 64);
  put<uint16_t>(f, 54, 56);
  put<uint16_t>(f, 56, static_cast<uint16_t>(segs.size()));
  std::vector<uint64_t> offsets;
  for (const Seg& s : segs) {
    f.resize((f.size() + 4095) & ~size_t{4095});
    offsets.push_back(f.size());
    f.insert(f.end(), s.bytes.begin(), s.bytes.end());
  }
  for (size_t i = 0; i < segs.size(); i++) {
    const size_t ph = 64 + 56 * i;
    put<uint32_t>(f, ph, 1);  // PT_LOAD
    put<uint32_t>(f, ph + 4, 4);
    put<uint64_t>(f, ph + 8, offsets[i]);
    put<uint64_t>(f, ph + 16, segs[i].paddr);
    put<uint64_t>(f, ph + 24, segs[i].paddr);
    put<uint64_t>(f, ph + 32, segs[i].bytes.size());
    put<uint64_t>(f, ph + 40, segs[i].memsz);
    put<uint64_t>(f, ph + 48, 4096);
  }
  const size_t shoff = f.size();
  f.resize(shoff + 64 * (segs.size() + 1), 0);
  for (size_t i = 0; i < segs.size(); i++) {
    const size_t sh = shoff + 64 * (i + 1);
    put<uint32_t>(f, sh + 4, 1);  // SHT_PROGBITS
    put<uint64_t>(f, sh + 16, segs[i].paddr);
    put<uint64_t>(f, sh + 24, offsets[i]);
    put<uint64_t>(f, sh + 32, segs[i].bytes.size());
  }
  put<uint64_t>(f, 40, shoff);
  put<uint16_t>(f, 58, 64);
  put<uint16_t>(f, 60, static_cast<uint16_t>(segs.size() + 1));
  return f;
}

std::vector<uint8_t> header_bytes(const PayloadHeader& h) {
  std::vector<uint8_t> b(sizeof h);
  std::memcpy(b.data(), &h, sizeof h);
  return b;
}

std::vector<uint8_t> hypervisor(PayloadHeader h = baremetal::empty_payload(kEmAarch64, kRamBase)) {
  return make_elf(kEmAarch64, {{0x4020'0000, std::vector<uint8_t>(300, 0xaa), 0x2'0000},
                               {kPayloadAddr, header_bytes(h), sizeof h}});
}

std::vector<uint8_t> guest(uint16_t machine = kEmAarch64, uint64_t addr = 0x4020'0000,
                           uint64_t memsz = 0x1000) {
  return make_elf(machine, {{addr, std::vector<uint8_t>(100, 0x5a), memsz}});
}

std::vector<uint8_t> tiny_dtb() {
  std::vector<uint8_t> blob(512);
  fdt::FdtWriter w(blob);
  w.begin_node("");
  w.property_string("model", "packed");
  w.end_node();
  auto size = w.finish();
  blob.resize(size ? *size : 0);
  return blob;
}

// The payload segment of a packed image.
std::span<const uint8_t> payload_of(const std::vector<uint8_t>& out) {
  const ElfSegment p = parse_elf(out)->segments[1];
  return std::span(out).subspan(p.offset, p.filesz);
}

PayloadHeader header_of(const std::vector<uint8_t>& out) {
  PayloadHeader h;
  std::memcpy(&h, payload_of(out).data(), sizeof h);
  return h;
}

Result<void> pack(std::span<const uint8_t> hv, const ImageVm& vm, std::vector<uint8_t>& out,
                  std::string* message = nullptr) {
  return build_image(hv, std::span(&vm, 1), out, message);
}

// A kernel ELF with default settings.
ImageVm vm_of(const std::vector<uint8_t>& kernel, uint64_t ram = 64ull << 20) {
  ImageVm vm;
  vm.kernel = kernel;
  vm.ram_size = ram;
  return vm;
}

// `vm` packed, then read back as the image's parser reads it (its pieces point into `out`).
std::optional<baremetal::PackedVm> pack_and_read(const ImageVm& vm, std::vector<uint8_t>& out) {
  std::string message;
  if (!pack(hypervisor(), vm, out, &message)) {
    ADD_FAILURE() << message;
    return std::nullopt;
  }
  const char* why = "";
  auto payload = baremetal::parse_payload(payload_of(out), &why);
  if (!payload) {
    ADD_FAILURE() << why;
    return std::nullopt;
  }
  return payload->vms[0];
}

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

TEST(BuildImage, PacksEveryPieceAndTheImageReadsThemBack) {
  const auto hv = hypervisor();
  const auto kernel = guest();
  const std::vector<uint8_t> initrd(5000, 0x17);
  const auto dtb = tiny_dtb();
  ASSERT_FALSE(dtb.empty());
  ImageVm vm = vm_of(kernel);
  vm.initrd = initrd;
  vm.dtb = dtb;
  vm.bootargs = "console=ttyAMA0 panic=-1";
  vm.cpus = 2;
  vm.board = "virt";
  std::vector<uint8_t> out;
  std::string message;
  ASSERT_TRUE(pack(hv, vm, out, &message)) << message;

  auto image = parse_elf(out);
  ASSERT_TRUE(image);
  ASSERT_EQ(image->segment_count, 2u);
  const ElfSegment& p = image->segments[1];
  EXPECT_EQ(p.paddr, kPayloadAddr);
  EXPECT_EQ(p.offset % 4096, 0u);
  EXPECT_EQ(p.memsz, p.filesz);
  // The code segment and its bytes are untouched.
  EXPECT_EQ(image->segments[0].offset, parse_elf(hv)->segments[0].offset);
  const PayloadHeader h = header_of(out);
  EXPECT_EQ(h.version, baremetal::kPayloadVersion);
  EXPECT_EQ(h.total_size, p.filesz);
  EXPECT_EQ(h.guest_ram_base, kRamBase);
  EXPECT_EQ(h.vm_count, 1u);
  // The .payload section header follows the segment.
  const uint64_t shoff = get<uint64_t>(out, 40);
  EXPECT_EQ(get<uint64_t>(out, shoff + 64 * 2 + 24), p.offset);
  EXPECT_EQ(get<uint64_t>(out, shoff + 64 * 2 + 32), p.filesz);

  // What the image's parser sees: the same bytes, each piece on a page of its own.
  const char* why = "";
  auto payload = baremetal::parse_payload(payload_of(out), &why);
  ASSERT_TRUE(payload) << why;
  ASSERT_EQ(payload->vm_count, 1u);
  const baremetal::PackedVm& got = payload->vms[0];
  EXPECT_EQ(got.ram_size, 64ull << 20);
  EXPECT_EQ(got.cpus, 2u);
  ASSERT_NE(got.board, nullptr);
  EXPECT_STREQ(got.board, "virt");
  EXPECT_TRUE(same(got.pieces[baremetal::kPieceKernel], kernel));
  EXPECT_TRUE(same(got.pieces[baremetal::kPieceInitrd], initrd));
  EXPECT_TRUE(same(got.pieces[baremetal::kPieceDtb], dtb));
  EXPECT_TRUE(got.pieces[baremetal::kPieceFirmware].empty());
  EXPECT_EQ(std::string(got.bootargs().data(), got.bootargs().size()), vm.bootargs);
  for (const auto& piece : got.pieces) {
    if (!piece.empty()) {
      EXPECT_EQ((piece.data() - payload_of(out).data()) % baremetal::kPayloadAlign, 0);
    }
  }
}

TEST(BuildImage, PacksADiskAndTheVirtioDevices) {
  const auto kernel = guest();
  std::vector<uint8_t> disk(3 * 512);
  for (size_t i = 0; i < disk.size(); i++) disk[i] = static_cast<uint8_t>(i * 13);
  ImageVm vm = vm_of(kernel);
  vm.disk = disk;
  vm.disk_read_only = true;
  vm.virtio_console = true;
  std::vector<uint8_t> out;
  auto got = pack_and_read(vm, out);
  ASSERT_TRUE(got);
  EXPECT_TRUE(same(got->pieces[baremetal::kPieceDisk], disk));
  EXPECT_EQ((got->pieces[baremetal::kPieceDisk].data() - payload_of(out).data()) % 4096, 0);
  EXPECT_EQ(got->devices, baremetal::kDeviceDiskReadOnly | baremetal::kDeviceVirtioConsole);
  EXPECT_FALSE(got->has(baremetal::kDeviceRng));

  // No disk asked for: none packed.
  vm = vm_of(kernel);
  vm.rng = true;
  got = pack_and_read(vm, out);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->pieces[baremetal::kPieceDisk].empty());
  EXPECT_EQ(got->devices, baremetal::kDeviceRng);
}

TEST(BuildImage, RefusesADiskOfPartSectors) {
  const auto kernel = guest();
  const std::vector<uint8_t> disk(1000, 0x61);
  ImageVm vm = vm_of(kernel);
  vm.disk = disk;
  std::vector<uint8_t> out;
  std::string message;
  EXPECT_EQ(pack(hypervisor(), vm, out, &message).error(), Status::kInvalidArgument);
  EXPECT_EQ(message,
            "--drive: the disk image's size (1000 bytes) is not a whole number of 512-byte "
            "sectors");
}

TEST(BuildImage, PacksFirmwareAlone) {
  const std::vector<uint8_t> firmware(3000, 0x14);  // raw code, as U-Boot's u-boot.bin
  ImageVm vm;
  vm.firmware = firmware;
  std::vector<uint8_t> out;
  const auto got = pack_and_read(vm, out);
  ASSERT_TRUE(got);
  EXPECT_TRUE(same(got->pieces[baremetal::kPieceFirmware], firmware));
  EXPECT_TRUE(got->pieces[baremetal::kPieceKernel].empty());
  EXPECT_EQ(got->board, nullptr);
  EXPECT_EQ(got->ram_size, kDefaultGuestMem);
}

TEST(BuildImage, RefusesAKernelOfAnotherArchitecture) {
  std::vector<uint8_t> out;
  std::string message;
  const auto riscv = guest(kEmRiscv, 0x8020'0000);
  EXPECT_EQ(pack(hypervisor(), vm_of(riscv), out, &message).error(), Status::kUnsupported);
  EXPECT_EQ(message, "kernel is riscv64 (ELF) but the image runs aarch64 guests");
}

TEST(BuildImage, RefusesAnElfThatDoesNotFitInItsRam) {
  std::vector<uint8_t> out;
  std::string message;
  // 2 MiB of RAM, a segment reaching 4 MiB above the base.
  const auto big = guest(kEmAarch64, 0x4020'0000, 0x20'0000);
  EXPECT_EQ(pack(hypervisor(), vm_of(big, 2ull << 20), out, &message).error(), Status::kOutOfRange);
  EXPECT_NE(message.find("does not fit in guest RAM"), std::string::npos) << message;
  // Below the RAM base.
  const auto low = guest(kEmAarch64, 0x1000);
  EXPECT_EQ(pack(hypervisor(), vm_of(low), out, &message).error(), Status::kOutOfRange);
}

TEST(BuildImage, ChecksTheCpuCountAndTheBoardName) {
  std::vector<uint8_t> out;
  std::string message;
  const auto kernel = guest();
  ImageVm vm = vm_of(kernel);
  for (unsigned cpus : {0u, 9u}) {
    vm.cpus = cpus;
    EXPECT_EQ(pack(hypervisor(), vm, out, &message).error(), Status::kInvalidArgument);
  }
  vm.cpus = 1;
  // 15 characters and the NUL fill the field; one more is refused.
  vm.board = "fifteen-chars-x";
  EXPECT_TRUE(pack(hypervisor(), vm, out, &message)) << message;
  vm.board = "sixteen-chars-xx";
  EXPECT_EQ(pack(hypervisor(), vm, out, &message).error(), Status::kInvalidArgument);
}

TEST(BuildImage, RefusesBadInputs) {
  std::vector<uint8_t> out;
  std::string message;
  const auto kernel = guest();
  EXPECT_EQ(pack(hypervisor(), vm_of(kernel, 12345), out, &message).error(),
            Status::kInvalidArgument);
  EXPECT_EQ(pack(hypervisor(), vm_of(kernel, 0), out).error(), Status::kInvalidArgument);
  // A kernel that starts like an ELF but ends inside its header.
  const std::vector<uint8_t> cut(kernel.begin(), kernel.begin() + 40);
  EXPECT_EQ(pack(hypervisor(), vm_of(cut), out, &message).error(), Status::kBadImage);
  EXPECT_EQ(message, "kernel: the file ends inside its header (truncated)");
  // Neither a kernel nor firmware; both.
  ImageVm vm;
  EXPECT_EQ(pack(hypervisor(), vm, out, &message).error(), Status::kInvalidArgument);
  vm = vm_of(kernel);
  vm.firmware = kernel;
  EXPECT_EQ(pack(hypervisor(), vm, out, &message).error(), Status::kInvalidArgument);
  EXPECT_NE(message.find("--bios boots the firmware alone"), std::string::npos) << message;
  // A --dtb that is not one.
  vm = vm_of(kernel);
  const std::vector<uint8_t> junk(200, 0x42);
  vm.dtb = junk;
  EXPECT_EQ(pack(hypervisor(), vm, out, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("--dtb"), std::string::npos) << message;
  // A hypervisor without a payload area (any ordinary ELF).
  EXPECT_EQ(pack(guest(), vm_of(kernel), out, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("no payload area"), std::string::npos) << message;
  // Truncated hypervisor.
  const auto hv = hypervisor();
  EXPECT_FALSE(pack(std::span(hv).first(100), vm_of(kernel), out));
}

TEST(BuildImage, PacksSeveralNamedVms) {
  const auto kernel = guest();
  const std::vector<uint8_t> other(3000, 0x33);
  ImageVm a = vm_of(kernel);
  a.name = "alpha";
  a.bootargs = "A";
  ImageVm b;
  b.firmware = other;
  b.cpus = 3;
  b.name = "beta";
  const ImageVm vms[] = {a, b};
  std::vector<uint8_t> out;
  std::string message;
  ASSERT_TRUE(build_image(hypervisor(), vms, out, &message)) << message;
  EXPECT_EQ(header_of(out).vm_count, 2u);
  const char* why = "";
  auto payload = baremetal::parse_payload(payload_of(out), &why);
  ASSERT_TRUE(payload) << why;
  ASSERT_EQ(payload->vm_count, 2u);
  EXPECT_STREQ(payload->vms[0].name, "alpha");
  EXPECT_STREQ(payload->vms[1].name, "beta");
  EXPECT_TRUE(same(payload->vms[0].pieces[baremetal::kPieceKernel], kernel));
  EXPECT_EQ(std::string(payload->vms[0].bootargs().data(), payload->vms[0].bootargs().size()), "A");
  EXPECT_TRUE(same(payload->vms[1].pieces[baremetal::kPieceFirmware], other));
  EXPECT_EQ(payload->vms[1].cpus, 3u);
  EXPECT_EQ(payload->cpus(), 4u);
}

TEST(BuildImage, RefusesVmListsTheImageCannotRun) {
  const auto kernel = guest();
  std::vector<uint8_t> out;
  std::string message;
  EXPECT_EQ(build_image(hypervisor(), {}, out, &message).error(), Status::kUnsupported);
  EXPECT_EQ(message, "the image runs 1 to 4 VMs; 0 were given");
  ImageVm five[5];
  for (unsigned i = 0; i < 5; i++) {
    five[i] = vm_of(kernel);
    five[i].name = std::string(1, static_cast<char>('a' + i));
  }
  EXPECT_EQ(build_image(hypervisor(), five, out, &message).error(), Status::kUnsupported);
  EXPECT_EQ(message, "the image runs 1 to 4 VMs; 5 were given");
  // Same names, no name, too long a name.
  five[1].name = "a";
  EXPECT_EQ(build_image(hypervisor(), std::span(five, 2), out, &message).error(),
            Status::kInvalidArgument);
  EXPECT_EQ(message, "two VMs are named 'a': name them apart ([base] name)");
  five[1].name = "";
  EXPECT_EQ(build_image(hypervisor(), std::span(five, 2), out, &message).error(),
            Status::kInvalidArgument);
  five[1].name = std::string(32, 'n');
  EXPECT_EQ(build_image(hypervisor(), std::span(five, 2), out, &message).error(),
            Status::kInvalidArgument);
  EXPECT_EQ(message, "VM name '" + five[1].name + "' is longer than 31 characters");
  // One physical CPU per vCPU: 8 in all.
  five[1].name = "b";
  five[0].cpus = 5;
  five[1].cpus = 4;
  EXPECT_EQ(build_image(hypervisor(), std::span(five, 2), out, &message).error(),
            Status::kOutOfRange);
  EXPECT_EQ(message,
            "the VMs have 9 vCPUs in all; the image runs each on a physical CPU of its own, at "
            "most 8");
  five[1].cpus = 3;
  EXPECT_TRUE(build_image(hypervisor(), std::span(five, 2), out, &message)) << message;
  // riscv64 images run one VM.
  const auto riscv_hv = make_elf(
      kEmRiscv, {{0x8020'0000, std::vector<uint8_t>(300, 0xaa), 0x2'0000},
                 {0x8100'0000, header_bytes(baremetal::empty_payload(kEmRiscv, 0x8000'0000)),
                  sizeof(PayloadHeader)}});
  const auto riscv_kernel = guest(kEmRiscv, 0x8020'0000);  // outlives the views of it below
  ImageVm r[2] = {vm_of(riscv_kernel), vm_of(riscv_kernel)};
  r[0].name = "x";
  r[1].name = "y";
  EXPECT_EQ(build_image(riscv_hv, r, out, &message).error(), Status::kUnsupported);
  EXPECT_EQ(message, "the riscv64 image runs one VM; 2 were given (several VMs: aarch64)");
}

TEST(BuildImage, RefusesAnImageThatAlreadyHoldsAGuest) {
  std::vector<uint8_t> once, twice;
  const auto kernel = guest();
  ASSERT_TRUE(pack(hypervisor(), vm_of(kernel), once));
  std::string message;
  EXPECT_EQ(pack(once, vm_of(kernel), twice, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("already contains a guest"), std::string::npos) << message;
}

TEST(BuildImage, RefusesAPayloadSegmentThatIsNotLast) {
  const auto h = header_bytes(baremetal::empty_payload(kEmAarch64, kRamBase));
  const auto hv = make_elf(kEmAarch64, {{kPayloadAddr, h, h.size()},
                                        {kPayloadAddr + 0x1000, std::vector<uint8_t>(8), 8}});
  std::vector<uint8_t> out;
  std::string message;
  const auto kernel = guest();
  EXPECT_EQ(pack(hv, vm_of(kernel), out, &message).error(), Status::kBadImage);
  EXPECT_NE(message.find("not the last one"), std::string::npos) << message;
}

// The image's side: damaged payloads get a reason, never a read outside the area.
class PayloadParse : public ::testing::Test {
 protected:
  void SetUp() override {
    ImageVm vm = vm_of(m_kernel);
    vm.initrd = m_initrd;
    ASSERT_TRUE(pack(hypervisor(), vm, m_image));
    const auto area = payload_of(m_image);
    m_area.assign(area.begin(), area.end());
  }
  PayloadHeader header() const {
    PayloadHeader h;
    std::memcpy(&h, m_area.data(), sizeof h);
    return h;
  }
  void set_header(const PayloadHeader& h) { std::memcpy(m_area.data(), &h, sizeof h); }
  baremetal::PayloadVm vm() const {
    baremetal::PayloadVm v;
    std::memcpy(&v, m_area.data() + header().vm_table, sizeof v);
    return v;
  }
  void set_vm(const baremetal::PayloadVm& v) {
    std::memcpy(m_area.data() + header().vm_table, &v, sizeof v);
  }
  // The parse's error and reason.
  std::pair<Status, std::string> parse(size_t size = SIZE_MAX) const {
    const char* why = "";
    auto r = baremetal::parse_payload(std::span(m_area).first(std::min(size, m_area.size())), &why);
    return {r ? Status::kOk : r.error(), why};
  }

  std::vector<uint8_t> m_kernel = guest();
  std::vector<uint8_t> m_initrd = std::vector<uint8_t>(9000, 0x33);
  std::vector<uint8_t> m_image;
  std::vector<uint8_t> m_area;
};

TEST_F(PayloadParse, ReadsAnIntactPayload) { EXPECT_EQ(parse().first, Status::kOk); }

TEST_F(PayloadParse, NamesAPayloadOfAnotherVersion) {
  PayloadHeader h = header();
  h.version = 2;
  set_header(h);
  EXPECT_EQ(parse(), std::make_pair(Status::kBadImage,
                                    std::string("the payload is of another version: repack with "
                                                "this image's tandem")));
}

TEST_F(PayloadParse, NamesATruncatedPayload) {
  EXPECT_EQ(parse(m_area.size() - 1).second,
            "the payload is truncated (its size runs past the image)");
  EXPECT_EQ(parse(20).second, "the payload header is truncated");
}

TEST_F(PayloadParse, NamesAPieceOutsideThePayload) {
  baremetal::PayloadVm v = vm();
  // One byte past the end.
  v.pieces[baremetal::kPieceInitrd].size =
      header().total_size - v.pieces[baremetal::kPieceInitrd].offset + 1;
  set_vm(v);
  EXPECT_EQ(parse(), std::make_pair(Status::kBadImage,
                                    std::string("the initrd lies outside the payload (truncated "
                                                "image?)")));
  v.pieces[baremetal::kPieceInitrd] = {~uint64_t{0} - 4, 16};  // wraps around
  set_vm(v);
  EXPECT_EQ(parse().first, Status::kBadImage);
  v.pieces[baremetal::kPieceInitrd] = {0, 16};  // over the header
  set_vm(v);
  EXPECT_EQ(parse().first, Status::kBadImage);
}

TEST_F(PayloadParse, NamesBadVmSettings) {
  const baremetal::PayloadVm good = vm();
  baremetal::PayloadVm v = good;
  v.cpus = 9;
  set_vm(v);
  EXPECT_EQ(parse().second, "a VM's vCPU count is outside 1..8");
  v = good;
  v.ram_size = 4095;
  set_vm(v);
  EXPECT_EQ(parse().second, "a VM's RAM size is 0 or not a multiple of 4 KiB");
  v = good;
  std::memset(v.board, 'x', sizeof v.board);
  set_vm(v);
  EXPECT_EQ(parse().second, "a VM's board name is not terminated");
  v = good;
  std::memset(v.name, 'n', sizeof v.name);
  set_vm(v);
  EXPECT_EQ(parse().second, "a VM's name is not terminated");
  v = good;
  v.pieces[baremetal::kPieceKernel] = {};
  set_vm(v);
  EXPECT_EQ(parse().second, "a VM has neither a kernel nor firmware");
}

TEST_F(PayloadParse, NamesABadDiskOrUnknownDevices) {
  const baremetal::PayloadVm good = vm();
  baremetal::PayloadVm v = good;
  v.devices = 1u << 7;
  set_vm(v);
  EXPECT_EQ(parse().second, "a VM asks for devices this image does not know");
  // The initrd's bytes as a disk: a whole number of sectors is fine, part of one is not.
  v = good;
  v.pieces[baremetal::kPieceDisk] = {v.pieces[baremetal::kPieceInitrd].offset, 1024};
  set_vm(v);
  EXPECT_EQ(parse().first, Status::kOk);
  v.pieces[baremetal::kPieceDisk].size = 1000;
  set_vm(v);
  EXPECT_EQ(parse().second, "the disk image is not a whole number of 512-byte sectors");
  v.pieces[baremetal::kPieceDisk] = {header().total_size - 512, 1024};
  set_vm(v);
  EXPECT_EQ(parse().second, "the disk image lies outside the payload (truncated image?)");
}

TEST_F(PayloadParse, CountsTheVms) {
  PayloadHeader h = header();
  h.vm_count = 0;
  set_header(h);
  EXPECT_EQ(parse().first, Status::kNotFound);
  h.vm_count = baremetal::kPayloadMaxVms + 1;
  set_header(h);
  EXPECT_EQ(parse().second, "the payload lists too many VMs");
  h.vm_count = 1;
  h.vm_table = h.total_size - 8;
  set_header(h);
  EXPECT_EQ(parse().second, "the VM table lies outside the payload (truncated image?)");
}

}  // namespace
}  // namespace tandem::cli
