// SPDX-License-Identifier: Apache-2.0
#include "cli/build_image.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <string>

#include "backends/baremetal/common/payload.h"
#include "core/fdt/fdt.h"
#include "core/loader/elf.h"
#include "core/loader/kernel_image.h"

namespace tandem::cli {
namespace {

using baremetal::kPayloadAlign;
using baremetal::kPayloadMagic;
using baremetal::kPayloadMaxCpus;
using baremetal::kPayloadMaxVms;
using baremetal::kPayloadVersion;
using baremetal::PayloadHeader;
using baremetal::PayloadVm;

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

constexpr uint16_t kEmX86_64 = 62, kEmAarch64 = 183, kEmRiscv = 243;

const char* machine_name(uint16_t machine) {
  switch (machine) {
    case kEmAarch64: return "aarch64";
    case kEmRiscv: return "riscv64";
    case kEmX86_64: return "x86_64";
    default: return "an unknown architecture";
  }
}

uint16_t machine_of(Arch arch) {
  switch (arch) {
    case Arch::kAarch64: return kEmAarch64;
    case Arch::kRiscv64: return kEmRiscv;
    case Arch::kX86_64: return kEmX86_64;
  }
  return 0;
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
  if (h.vm_count != 0) {
    return fail(Status::kBadImage, message,
                "hypervisor image already contains a guest: pack into the prebuilt image");
  }
  if (get<uint64_t>(elf, found.phdr + kPPaddr) < highest_end) {
    return fail(Status::kBadImage, message,
                "hypervisor image: the payload segment is not the last one in memory");
  }
  return found;
}

// The kernel must be one the image can boot: its format and architecture (core/loader's
// detector, as `tandem run` uses), and for an ELF every loadable byte in guest RAM.
Result<void> check_kernel(std::span<const uint8_t> kernel, const PayloadHeader& h, uint64_t mem,
                          std::string* message) {
  ImageError why = ImageError::kNone;
  auto image = identify_kernel(kernel, &why);
  if (!image) return fail(Status::kBadImage, message, std::string("kernel: ") + describe(why));
  if (image->format != KernelFormat::kRaw && machine_of(image->arch) != h.guest_machine) {
    return fail(Status::kUnsupported, message,
                std::string("kernel is ") + machine_name(machine_of(image->arch)) + " (" +
                    to_string(image->format) + ") but the image runs " +
                    machine_name(h.guest_machine) + " guests");
  }
  if (image->format != KernelFormat::kElf) return ok();
  auto elf = parse_elf(kernel);
  if (!elf) {
    return fail(
        elf.error(), message,
        std::string("kernel: not a loadable ELF64 executable (") + to_string(elf.error()) + ")");
  }
  const uint64_t base = h.guest_ram_base;
  for (const ElfSegment& s : elf->loadable()) {
    if (s.paddr < base || s.memsz > mem || s.paddr - base > mem - s.memsz) {
      const uint64_t end = s.paddr + s.memsz;
      const uint64_t ram_end = base + mem;
      char text[160];
      std::snprintf(text, sizeof text,
                    "kernel segment at %#llx..%#llx does not fit in guest RAM %#llx..%#llx "
                    "(raise --mem?)",
                    static_cast<unsigned long long>(s.paddr), static_cast<unsigned long long>(end),
                    static_cast<unsigned long long>(base),
                    static_cast<unsigned long long>(ram_end));
      return fail(Status::kOutOfRange, message, text);
    }
  }
  return ok();
}

Result<void> check_vm(const ImageVm& vm, const PayloadHeader& h, std::string* message) {
  if (vm.ram_size == 0 || vm.ram_size % kPage != 0) {
    return fail(Status::kInvalidArgument, message,
                "guest memory must be a non-zero multiple of 4 KiB");
  }
  if (vm.cpus == 0 || vm.cpus > kPayloadMaxCpus) {
    return fail(Status::kInvalidArgument, message, "--cpus must be 1..8");
  }
  if (vm.board.size() >= sizeof(PayloadVm::board)) {
    return fail(Status::kInvalidArgument, message, "--machine: the board name is too long");
  }
  if (vm.name.size() >= sizeof(PayloadVm::name)) {
    return fail(Status::kInvalidArgument, message,
                "VM name '" + vm.name + "' is longer than " +
                    std::to_string(sizeof(PayloadVm::name) - 1) + " characters");
  }
  if (vm.kernel.empty() == vm.firmware.empty()) {
    return fail(Status::kInvalidArgument, message,
                vm.kernel.empty() ? "name a kernel (--kernel) or firmware (--bios)"
                                  : "--bios boots the firmware alone; it loads the kernel "
                                    "itself (leave out --kernel and --initrd)");
  }
  if (!vm.initrd.empty() && vm.kernel.empty()) {
    return fail(Status::kInvalidArgument, message, "--initrd needs a --kernel");
  }
  if (!vm.dtb.empty() && !fdt::Fdt::open(vm.dtb)) {
    return fail(Status::kBadImage, message,
                "--dtb: not a flattened device tree (DTB, magic 0xd00dfeed, version >= 16)");
  }
  if (!vm.kernel.empty()) TRY(check_kernel(vm.kernel, h, vm.ram_size, message));
  return ok();
}

// Several VMs: only on aarch64, each named uniquely, one physical CPU per vCPU in all.
Result<void> check_vms(std::span<const ImageVm> vms, const PayloadHeader& h, std::string* message) {
  unsigned cpus = 0;
  for (size_t i = 0; i < vms.size(); i++) {
    TRY(check_vm(vms[i], h, message));
    cpus += vms[i].cpus;
    if (vms.size() > 1 && vms[i].name.empty()) {
      return fail(Status::kInvalidArgument, message,
                  "each of several VMs needs a name (--name, [base] name)");
    }
    for (size_t j = 0; j < i && vms.size() > 1; j++) {
      if (vms[j].name == vms[i].name) {
        return fail(Status::kInvalidArgument, message,
                    "two VMs are named '" + vms[i].name + "': name them apart ([base] name)");
      }
    }
  }
  if (vms.size() > 1 && h.guest_machine != kEmAarch64) {
    return fail(Status::kUnsupported, message,
                std::string("the ") + machine_name(h.guest_machine) + " image runs one VM; " +
                    std::to_string(vms.size()) + " were given (several VMs: aarch64)");
  }
  if (cpus > kPayloadMaxCpus) {
    return fail(Status::kOutOfRange, message,
                "the VMs have " + std::to_string(cpus) +
                    " vCPUs in all; the image runs each on a "
                    "physical CPU of its own, at most " +
                    std::to_string(kPayloadMaxCpus));
  }
  return ok();
}

// The payload for `vms`: header, VM table, then each piece on a page boundary.
std::vector<uint8_t> pack_payload(PayloadHeader h, std::span<const ImageVm> vms) {
  h.vm_count = static_cast<uint16_t>(vms.size());
  h.vm_size = sizeof(PayloadVm);
  h.vm_table = sizeof(PayloadHeader);
  std::vector<uint8_t> out(page_up(h.vm_table + vms.size() * sizeof(PayloadVm)), 0);
  const auto append = [&out](std::span<const uint8_t> bytes) {
    baremetal::PayloadBlob blob{0, bytes.size()};
    if (bytes.empty()) return blob;
    blob.offset = out.size();
    out.insert(out.end(), bytes.begin(), bytes.end());
    out.resize((out.size() + kPayloadAlign - 1) & ~(kPayloadAlign - 1), 0);
    return blob;
  };
  for (size_t i = 0; i < vms.size(); i++) {
    const ImageVm& vm = vms[i];
    PayloadVm d{};
    d.ram_size = vm.ram_size;
    d.cpus = vm.cpus;
    std::memcpy(d.board, vm.board.data(), vm.board.size());
    std::memcpy(d.name, vm.name.data(), vm.name.size());
    d.pieces[baremetal::kPieceKernel] = append(vm.kernel);
    d.pieces[baremetal::kPieceInitrd] = append(vm.initrd);
    d.pieces[baremetal::kPieceFirmware] = append(vm.firmware);
    d.pieces[baremetal::kPieceDtb] = append(vm.dtb);
    d.pieces[baremetal::kPieceBootargs] =
        append({reinterpret_cast<const uint8_t*>(vm.bootargs.data()), vm.bootargs.size()});
    std::memcpy(out.data() + h.vm_table + i * sizeof d, &d, sizeof d);
  }
  h.total_size = out.size();
  std::memcpy(out.data(), &h, sizeof h);
  return out;
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

Result<void> build_image(std::span<const uint8_t> hypervisor_elf, std::span<const ImageVm> vms,
                         std::vector<uint8_t>& out, std::string* message) {
  if (vms.empty() || vms.size() > kPayloadMaxVms) {
    return fail(Status::kUnsupported, message,
                "the image runs 1 to " + std::to_string(kPayloadMaxVms) + " VMs; " +
                    std::to_string(vms.size()) + " were given");
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
  TRY(check_vms(vms, payload.header, message));
  const std::vector<uint8_t> bytes = pack_payload(payload.header, vms);

  // The new payload goes on a page boundary at the end of the file (p_offset and p_vaddr must
  // agree modulo the page size); the old, header-only bytes stay where they were, unused.
  out.assign(hypervisor_elf.begin(), hypervisor_elf.end());
  const uint64_t offset = page_up(out.size());
  out.resize(offset, 0);
  out.insert(out.end(), bytes.begin(), bytes.end());
  put<uint64_t>(out, payload.phdr + kPOffset, offset);
  put<uint64_t>(out, payload.phdr + kPFilesz, bytes.size());
  put<uint64_t>(out, payload.phdr + kPMemsz, bytes.size());
  update_section(out, get<uint64_t>(out, payload.phdr + kPVaddr), offset, bytes.size());
  return ok();
}

}  // namespace tandem::cli
