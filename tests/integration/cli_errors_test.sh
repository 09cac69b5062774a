#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `tandem` on bad input: each case must give the documented exit status and a one-line message
# naming the problem, and never crash.
#   cli_errors_test.sh <tandem> <build>/guests
set -uo pipefail
tandem=$1 guests=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 passed=0

# expect <status> <stderr regex> -- <tandem args...>
expect() {
  local want=$1 pattern=$2
  shift 3
  timeout 30 "$tandem" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local got=$?
  if [ "$got" -ne "$want" ] || ! grep -Eq -e "$pattern" "$tmp/err" "$tmp/out"; then
    echo "FAIL: tandem $* -> status $got (want $want), stderr:" >&2
    sed 's/^/  /' "$tmp/err" >&2
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
    echo "ok: tandem $* -> $got: $(head -1 "$tmp/err")"
  fi
}

printf 'not an elf' >"$tmp/text.bin"
head -c 40 "$guests/aarch64/hello.elf" >"$tmp/truncated.elf"
a64=$guests/aarch64/hello.elf
# bzImage setup headers (boot.rst): a 2.15 one with a 64-bit entry, and a 2.02 one without.
bzimage() {
  python3 -c '
import struct, sys
f = bytearray(28 * 512 + 0x4000)
f[0x1f1] = 27
struct.pack_into("<H", f, 0x1fe, 0xaa55)
f[0x200:0x202] = b"\xeb\x6a"
f[0x202:0x206] = b"HdrS"
struct.pack_into("<H", f, 0x206, int(sys.argv[1], 16))
f[0x211] = 1
struct.pack_into("<IIBxH", f, 0x22c, 0x7fffffff, 0x200000, 1, 1)
struct.pack_into("<I", f, 0x238, 2047)
struct.pack_into("<QI", f, 0x258, 0x1000000, 0x1000000)
sys.stdout.buffer.write(f)' "$1"
}
bzimage 020f >"$tmp/bzImage"
bzimage 0202 >"$tmp/old-bzImage"

expect 2 "cannot open: No such file" -- run "$tmp/missing.elf"
expect 2 "text.bin: a raw binary .*give --arch" -- run "$tmp/text.bin"
expect 2 "truncated.elf: the file ends inside its header \(truncated\)" -- run "$tmp/truncated.elf"
expect 2 "multiboot images start in 32-bit protected mode, which needs the kvm backend" -- run "$guests/x86_64/mbinfo.elf"
expect 2 "--arch riscv64 but the file is for aarch64 \(ELF\)" -- run --arch riscv64 "$a64"
expect 2 "name a guest image, a kernel with --kernel, or firmware with --bios" -- run
expect 2 "a Linux kernel needs interrupts .* kvm backend" -- run --kernel "$tmp/bzImage"
expect 2 "without the 64-bit entry" -- run --backend kvm --kernel "$tmp/old-bzImage"
expect 2 "hello.elf: initrd .*takes no initrd" -- run --initrd "$a64" "$guests/x86_64/hello.elf"
expect 2 "--arch aarch64 but the file is for x86_64 \(x86 Linux bzImage\)" -- run --arch aarch64 --kernel "$tmp/bzImage"
# Kernel files (core/loader/kernel_image.h): each names what is wrong with it.
python3 -c '
import struct, sys
h = bytearray(64)
struct.pack_into("<QQQ", h, 8, 0, 0x4000000, 0xa)  # text_offset 0, image_size 64 MiB, 4K, anywhere
h[0x38:0x3c] = b"ARM\x64"
sys.stdout.buffer.write(h + bytes(4096))' >"$tmp/big-arm64.img"
python3 -c '
import struct, sys
h = bytearray(64)
struct.pack_into("<QQQ", h, 8, 0, 0x10000, 1)  # big-endian
h[0x38:0x3c] = b"ARM\x64"
sys.stdout.buffer.write(h)' >"$tmp/be-arm64.img"
printf '\x1f\x8b\x08\x00rest' >"$tmp/vmlinuz.gz"
printf 'MZ' >"$tmp/mz.efi"; head -c 100 /dev/zero >>"$tmp/mz.efi"
: >"$tmp/empty.img"
expect 2 "vmlinuz.gz: compressed data .*decompress the kernel first" -- run --kernel "$tmp/vmlinuz.gz"
expect 2 "be-arm64.img: a big-endian kernel" -- run --kernel "$tmp/be-arm64.img"
expect 2 "mz.efi: a PE/EFI application without an arm64 or RISC-V Image header" -- run --kernel "$tmp/mz.efi"
expect 2 "empty.img: the file is empty" -- run --kernel "$tmp/empty.img"
expect 2 "--arch riscv64 but the file is for aarch64 \(arm64 Image\)" -- run --arch riscv64 --kernel "$tmp/big-arm64.img"
expect 2 "big-arm64.img: guest image .*does not fit in guest RAM" -- run --mem 32M --kernel "$tmp/big-arm64.img"
truncate -s 16M "$tmp/16M.cpio"
# The kernel ends at 0x44200000 and 80 MiB of RAM at 0x45000000, 2 MiB of it kept for the DTB.
expect 2 "16M.cpio: initrd .*does not fit in guest RAM beside the kernel" -- run --mem 80M --kernel "$tmp/big-arm64.img" --initrd "$tmp/16M.cpio"
expect 2 "--bios .*empty" -- run --arch aarch64 --bios "$tmp/empty.img"
expect 2 "text.bin: a raw binary .*give --arch" -- run --bios "$tmp/text.bin"
expect 2 "firmware .*riscv64: Tandem itself is the SBI" -- run --arch riscv64 --bios "$tmp/text.bin"
expect 2 "firmware .*leave out --kernel" -- run --arch aarch64 --bios "$tmp/text.bin" --kernel "$a64"
expect 2 "not a size" -- run --mem lots "$a64"
# Virtio devices: a disk that is not whole sectors, a missing one, an option Tandem lacks,
# more devices than the board has transports (riscv64 virt and x86_64 pc: 8).
head -c 1000 /dev/zero >"$tmp/odd.img"
truncate -s 64K "$tmp/disk.img"
expect 2 "odd.img: its size \(1000 bytes\) is not a non-zero multiple of 512" -- run --drive "file=$tmp/odd.img" "$a64"
expect 2 "--drive: .*missing.img: No such file" -- run --drive "file=$tmp/missing.img" "$a64"
expect 2 "'format=qcow2' is not understood" -- run --drive "file=$tmp/disk.img,format=qcow2" "$a64"
expect 2 "no file=PATH given" -- run --drive readonly "$a64"
many=()
for _ in 1 2 3 4 5 6 7 8 9; do many+=(--drive "file=$tmp/disk.img,readonly"); done
expect 2 "more virtio devices than the board has virtio-mmio transports" -- run "${many[@]}" "$guests/riscv64/hello.elf"
expect 2 "more virtio devices .*x86_64 pc: 8" -- run "${many[@]}" "$guests/x86_64/hello.elf"
expect 2 "console" -- run --console serial "$a64"
expect 2 "guest RAM size" -- run --mem 0 "$a64"
expect 2 "does not fit its RAM" -- run --mem 1M "$a64"
expect 2 "backend" -- run --backend xen "$a64"
expect 2 "x86_64 guests on this host|kvm backend unavailable|without the kvm backend" -- run --backend kvm "$a64"
expect 124 "time limit" -- run --timeout 0.05 "$guests/aarch64/compute.elf"
expect 2 "not a flattened device tree" -- run --dtb "$tmp/text.bin" "$a64"
expect 2 "missing.dtb: cannot open" -- run --dtb "$tmp/missing.dtb" "$a64"
expect 2 "pc board has no device tree" -- run --dump-dtb "$tmp/pc.dtb" --arch x86_64
expect 2 "name a guest image" -- run --arch aarch64
expect 0 "Usage" -- run --help
expect 0 "backend emu: available" -- info
expect 2 "e_machine|arch" -- build-image --arch riscv64 --image "$guests/../images/tandem-riscv64.elf" --kernel "$a64" -o "$tmp/img.elf"
# build-image takes run's guest options and refuses what run refuses.
img64=(--arch aarch64 --image "$guests/../images/tandem-aarch64.elf" -o "$tmp/img.elf")
expect 2 "name a kernel with --kernel, or firmware with --bios" -- build-image "${img64[@]}"
expect 2 "firmware alone" -- build-image "${img64[@]}" --kernel "$a64" --bios "$a64"
expect 2 "--dtb: not a flattened device tree" -- build-image "${img64[@]}" --kernel "$a64" --dtb "$tmp/text.bin"
expect 2 "missing.rd: cannot open" -- build-image "${img64[@]}" --kernel "$a64" --initrd "$tmp/missing.rd"
# Its virtio options: one disk of whole sectors, a known console device.
expect 2 "size \(1000 bytes\) is not a whole number of 512-byte sectors" -- build-image "${img64[@]}" --kernel "$a64" --drive "file=$tmp/odd.img"
expect 2 "the image packs one disk; 2 were given" -- build-image "${img64[@]}" --kernel "$a64" --drive "file=$tmp/disk.img" --drive "file=$tmp/disk.img"
expect 2 "empty.img is empty" -- build-image "${img64[@]}" --kernel "$a64" --drive "file=$tmp/empty.img"
expect 2 "--drive 'file=.*,cache=none': 'cache=none' is not understood" -- build-image "${img64[@]}" --kernel "$a64" --drive "file=$tmp/disk.img,cache=none"
expect 2 "--console.*hvc" -- build-image "${img64[@]}" --kernel "$a64" --console hvc

# Boards by name: `--machine help` lists each architecture's (no other option needed), a name
# the guest's architecture lacks is refused, and the default's own name runs the guest.
expect 0 "x86_64 +pc .*\(default\)" -- run --machine help
expect 0 "riscv64 +virt .*\(default\)" -- build-image --machine help
expect 2 "--machine pc: no aarch64 board" -- run --machine pc "$a64"
expect 2 "--machine nonesuch: no riscv64 board" -- build-image --arch riscv64 --machine nonesuch --kernel "$guests/riscv64/hello.elf" -o "$tmp/img.elf"
expect 0 "Hello" -- run --machine virt "$a64"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
