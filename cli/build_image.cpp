// SPDX-License-Identifier: Apache-2.0
#include "cli/build_image.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <string>

#include "backends/baremetal/common/payload.h"
#include "core/loader/elf.h"

namespace tandem::cli {
namespace {

using baremetal::kPayloadGuestOffset;
using baremetal::kPayloadMagic;
using baremetal::kPayloadMaxCpus;
using baremetal::kPayloadVersion;
using baremetal::PayloadHeader;

static_assert(std::endian::native == std::endian::little, "ELF fields are patched in place");

// ELF64 layout (System V gABI, "ELF Header", "Program Header", "Sections").
constexpr size_t kEhdrSize = 64;
constexpr size_t kEMachine = 18, kEPhoff = 32, kEShoff = 40, kEPhentsize = 54, kEPhnum = 56;
constexpr size_t kEShentsize = 58, kEShnum = 60;
constexpr size_t kPhdrSize = 56;
constexpr size_t kPType = 0, kPOffset = 8, kPVaddr = 16, kPPaddr = 24, kPFilesz = 32, kPMemsz = 40;
constexpr size_t kShdrSize = 64;
constexpr size_t kShType = 4, kShAddr = 16, kShOffset = 24, kShSize = 32;
constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t SHT_PROGBITS = 1;
constexpr uint64_t kPage = 4096;

template <class T>
T get(std::span<const uint8_t> b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}
template <class T>
void put(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

bool inside(uint64_t offset, uint64_t size, uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

Error fail(Status status, std::string* message, std::string text) {
  if (message != nullptr) *message = std::move(text);
  return Error(status);
}

const char* machine_name(uint16_t machine) {
  switch (machine) {
    case 183: return "aarch64";
    case 243: return "riscv64";
    case 62: return "x86_64";
    default: return "an unknown architecture";
  }
}

struct PayloadSegment {
  size_t phdr = 0;  // file offset of its program header
  PayloadHeader header{};
};

// The hypervisor's payload segment: the PT_LOAD whose bytes start with the payload magic. It
// must be the highest one in memory, so growing it cannot overlap another segment.
Result<PayloadSegment> find_payload(std::span<const uint8_t> elf, std::string* message) {
  const uint64_t phoff = get<uint64_t>(elf, kEPhoff);
  const uint16_t phnum = get<uint16_t>(elf, kEPhnum);
  if (get<uint16_t>(elf, kEPhentsize) != kPhdrSize || !inside(phoff, phnum * kPhdrSize, elf.size()))
    return fail(Status::kBadImage, message, "hypervisor image: program headers out of range");
  PayloadSegment found;
  bool have = false;
  uint64_t highest_end = 0;
  for (uint16_t i = 0; i < phnum; i++) {
    const size_t ph = phoff + i * kPhdrSize;
    if (get<uint32_t>(elf, ph + kPType) != PT_LOAD) continue;
    const uint64_t paddr = get<uint64_t>(elf, ph + kPPaddr),
                   memsz = get<uint64_t>(elf, ph + kPMemsz);
    const uint64_t offset = get<uint64_t>(elf, ph + kPOffset),
                   filesz = get<uint64_t>(elf, ph + kPFilesz);
    if (filesz >= sizeof(PayloadHeader) && inside(offset, filesz, elf.size()) &&
        get<uint64_t>(elf, offset) == kPayloadMagic) {
      found.phdr = ph;
      std::memcpy(&found.header, elf.data() + offset, sizeof(PayloadHeader));
      have = true;
      continue;
    }
    if (paddr + memsz > highest_end) highest_end = paddr + memsz;
  }
  if (!have) {
    return fail(Status::kBadImage, message,
                "hypervisor image has no payload area (is it a Tandem bare-metal image?)");
  }
  const PayloadHeader& h = found.header;
  if (h.version != kPayloadVersion || h.header_size != sizeof(PayloadHeader)) {
    return fail(Status::kBadImage, message,
                "hypervisor image: payload area version " + std::to_string(h.version) +
                    " is not the version this tool packs (" + std::to_string(kPayloadVersion) +
                    ")");
  }
  if (h.guest_elf_size != 0) {
    return fail(Status::kBadImage, message,
                "hypervisor image already contains a guest: pack into the prebuilt image");
  }
  if (get<uint64_t>(elf, found.phdr + kPPaddr) < highest_end) {
    return fail(Status::kBadImage, message,
                "hypervisor image: the payload segment is not the last one in memory");
  }
  return found;
}

// Every loadable byte of the guest must land in guest RAM.
Result<void> check_guest(std::span<const uint8_t> guest, const PayloadHeader& h, uint64_t mem,
                         std::string* message) {
  auto image = parse_elf(guest);
  if (!image) {
    return fail(
        image.error(), message,
        std::string("guest: not a loadable ELF64 executable (") + to_string(image.error()) + ")");
  }
  const uint16_t machine = get<uint16_t>(guest, kEMachine);
  if (machine != h.guest_machine) {
    return fail(Status::kUnsupported, message,
                std::string("guest is ") + machine_name(machine) + " but the image runs " +
                    machine_name(h.guest_machine) + " guests");
  }
  const uint64_t base = h.guest_ram_base;
  for (const ElfSegment& s : image->loadable()) {
    if (s.paddr < base || s.memsz > mem || s.paddr - base > mem - s.memsz) {
      const uint64_t end = s.paddr + s.memsz;
      const uint64_t ram_end = base + mem;
      char text[160];
      std::snprintf(text, sizeof text,
                    "guest segment at %#llx..%#llx does not fit in guest RAM %#llx..%#llx "
                    "(raise --mem?)",
                    static_cast<unsigned long long>(s.paddr), static_cast<unsigned long long>(end),
                    static_cast<unsigned long long>(base),
                    static_cast<unsigned long long>(ram_end));
      return fail(Status::kOutOfRange, message, text);
    }
  }
  return ok();
}

// Keeps the .payload section header in step with the segment, for objdump and debuggers.
void update_section(std::vector<uint8_t>& out, uint64_t vaddr, uint64_t offset, uint64_t size) {
  const uint64_t shoff = get<uint64_t>(out, kEShoff);
  const uint16_t shnum = get<uint16_t>(out, kEShnum);
  if (shoff == 0 || get<uint16_t>(out, kEShentsize) != kShdrSize ||
      !inside(shoff, shnum * kShdrSize, out.size()))
    return;
  for (uint16_t i = 0; i < shnum; i++) {
    const size_t sh = shoff + i * kShdrSize;
    if (get<uint32_t>(out, sh + kShType) == SHT_PROGBITS &&
        get<uint64_t>(out, sh + kShAddr) == vaddr) {
      put<uint64_t>(out, sh + kShOffset, offset);
      put<uint64_t>(out, sh + kShSize, size);
    }
  }
}

}  // namespace

Result<void> build_image(std::span<const uint8_t> hypervisor_elf,
                         std::span<const uint8_t> guest_elf, uint64_t guest_mem,
                         std::vector<uint8_t>& out, std::string* message, unsigned cpus,
                         const std::string& board) {
  if (guest_mem == 0 || guest_mem % kPage != 0) {
    return fail(Status::kInvalidArgument, message,
                "guest memory must be a non-zero multiple of 4 KiB");
  }
  if (cpus == 0 || cpus > kPayloadMaxCpus) {
    return fail(Status::kInvalidArgument, message, "--cpus must be 1..8");
  }
  if (board.size() >= sizeof(PayloadHeader::board)) {
    return fail(Status::kInvalidArgument, message, "--machine: the board name is too long");
  }
  auto hv = parse_elf(hypervisor_elf);
  if (!hv || hypervisor_elf.size() < kEhdrSize) {
    return fail(Status::kBadImage, message, "hypervisor image: not an ELF64 executable");
  }
  const PayloadSegment payload = TRY(find_payload(hypervisor_elf, message));
  if (get<uint16_t>(hypervisor_elf, kEMachine) != payload.header.guest_machine) {
    return fail(Status::kBadImage, message,
                "hypervisor image: payload header names another architecture");
  }
  TRY(check_guest(guest_elf, payload.header, guest_mem, message));

  PayloadHeader h = payload.header;
  h.guest_elf_offset = kPayloadGuestOffset;
  h.guest_elf_size = guest_elf.size();
  h.guest_mem = guest_mem;
  h.cpus = cpus;
  std::memset(h.board, 0, sizeof h.board);
  std::memcpy(h.board, board.data(), board.size());
  h.total_size = kPayloadGuestOffset + guest_elf.size();

  // The new payload goes on a page boundary at the end of the file (p_offset and p_vaddr must
  // agree modulo the page size); the old, header-only bytes stay where they were, unused.
  out.assign(hypervisor_elf.begin(), hypervisor_elf.end());
  const uint64_t offset = page_up(out.size());
  out.resize(offset + h.total_size, 0);
  std::memcpy(out.data() + offset, &h, sizeof h);
  std::memcpy(out.data() + offset + kPayloadGuestOffset, guest_elf.data(), guest_elf.size());

  put<uint64_t>(out, payload.phdr + kPOffset, offset);
  put<uint64_t>(out, payload.phdr + kPFilesz, h.total_size);
  put<uint64_t>(out, payload.phdr + kPMemsz, h.total_size);
  update_section(out, get<uint64_t>(out, payload.phdr + kPVaddr), offset, h.total_size);
  return ok();
}

}  // namespace tandem::cli
