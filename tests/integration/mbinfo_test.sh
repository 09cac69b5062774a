#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The multiboot guest under `tandem run --backend kvm` and under `qemu-system-x86_64 -kernel`
# must print the same multiboot memory map and command line:
#   mbinfo_test.sh <tandem> <build>/guests/x86_64/mbinfo.qemu.elf
# Both are given the same file path (QEMU puts it first in the command line) and the same
# -append text. QEMU runs with an Intel vendor string: with an AMD one (this host's) QEMU also
# reserves the HyperTransport hole at 1 TiB - 12 GiB, which Tandem's PC map does not list.
set -uo pipefail
tandem=$1 elf=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
append="console=ttyS0 tandem"

timeout 60 "$tandem" run --backend kvm --mem 128M --append "$append" "$elf" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 2 ] && grep -q "kvm backend unavailable" "$tmp/err"; then
  echo "SKIP: $(grep -o 'kvm backend unavailable.*' "$tmp/err")"
  exit 77
fi
[ "$status" -eq 0 ] || { cat "$tmp/err" >&2; echo "FAIL: kvm status $status" >&2; exit 1; }
grep -q '^mbinfo: mmap base 0x100000 length 0x7ee0000 type 0x1$' "$tmp/out" || {
  cat "$tmp/out" >&2; echo "FAIL: no 127 MiB extended-memory entry" >&2; exit 1; }
grep -qF "mbinfo: cmdline \"$elf $append\"" "$tmp/out" || {
  cat "$tmp/out" >&2; echo "FAIL: command line" >&2; exit 1; }
echo "kvm:"; cat "$tmp/out"

if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "SKIP QEMU half: qemu-system-x86_64 is not installed"
  exit 0
fi
QEMU_CPU=qemu64,vendor=GenuineIntel QEMU_MEM=128M QEMU_APPEND="$append" QEMU_TIMEOUT=60 \
  "$here/qemu/run_qemu.sh" x86_64 "${elf%.qemu.elf}.elf" >"$tmp/qout" 2>"$tmp/qerr" </dev/null
qstatus=$?
[ "$qstatus" -eq 0 ] || { cat "$tmp/qerr" >&2; echo "FAIL: qemu status $qstatus" >&2; exit 1; }
diff -u "$tmp/qout" "$tmp/out" >&2 || { echo "FAIL: kvm and QEMU differ" >&2; exit 1; }
echo "qemu: same output"
