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
expect 2 "not an ELF file" -- run "$tmp/text.bin"
expect 2 "malformed ELF" -- run "$tmp/truncated.elf"
expect 2 "multiboot images start in 32-bit protected mode, which needs the kvm backend" -- run "$guests/x86_64/mbinfo.elf"
expect 2 "--arch riscv64 but the ELF is aarch64" -- run --arch riscv64 "$a64"
expect 2 "name a guest image, or a Linux kernel with --kernel" -- run
expect 2 "a Linux kernel needs interrupts .* kvm backend" -- run --kernel "$tmp/bzImage"
expect 2 "without the 64-bit entry" -- run --backend kvm --kernel "$tmp/old-bzImage"
expect 2 "only a Linux bzImage \(--kernel\) takes an initrd" -- run --initrd "$a64" "$a64"
expect 2 "--arch aarch64 but this is an x86 Linux bzImage" -- run --arch aarch64 --kernel "$tmp/bzImage"
expect 2 "not a size" -- run --mem lots "$a64"
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
expect 2 "e_machine|arch" -- build-image --arch riscv64 --image "$guests/../images/tandem-riscv64.elf" --guest "$a64" -o "$tmp/img.elf"

# Boards by name: `--machine help` lists each architecture's (no other option needed), a name
# the guest's architecture lacks is refused, and the default's own name runs the guest.
expect 0 "x86_64 +pc .*\(default\)" -- run --machine help
expect 0 "riscv64 +virt .*\(default\)" -- build-image --machine help
expect 2 "--machine pc: no aarch64 board" -- run --machine pc "$a64"
expect 2 "--machine nonesuch: no riscv64 board" -- build-image --arch riscv64 --machine nonesuch --guest "$guests/riscv64/hello.elf" -o "$tmp/img.elf"
expect 0 "Hello" -- run --machine virt "$a64"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
