#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The virtio guest (guests/virtio.cpp) on Tandem and on QEMU, differential:
#   virtio_test.sh <tandem> <arch> <virtio.elf> <expected.out>
# Each gets its own copy of a 64 KiB raw disk with a marker in sector 0, a virtio-blk device
# on it and a virtio-rng device (`--drive file=... --rng`; QEMU: the same devices on its
# virtio-mmio transports, in the same order). Both must print <expected.out> and exit 0, and
# afterwards both disk files must hold the guest's text in sector 1 and be byte-identical.
set -uo pipefail
tandem=$1 arch=$2 elf=$3 expected=$4
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

make_disk() {
  truncate -s 64K "$1"
  printf 'tandem virtio-blk marker' | dd of="$1" conv=notrunc status=none
}
check_disk() {
  local text
  text=$(dd if="$1" bs=512 skip=1 count=1 status=none | tr -d '\0')
  [ "$text" = "written by the virtio guest" ] || fail "$2: sector 1 of the disk holds '$text'"
  [ "$(head -c 24 "$1")" = "tandem virtio-blk marker" ] || fail "$2: sector 0 changed"
}

make_disk "$tmp/tandem.img"
timeout 120 "$tandem" run --drive "file=$tmp/tandem.img" --rng "$elf" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] || { cat "$tmp/err" >&2; fail "tandem: status $status"; }
diff -u "$expected" "$tmp/out" >&2 || fail "tandem: output differs from $expected"
check_disk "$tmp/tandem.img" tandem
echo "tandem: output as expected, the guest's sector is in the file"

if ! command -v "qemu-system-$arch" >/dev/null; then
  echo "SKIP QEMU half: qemu-system-$arch is not installed"
  exit 0
fi
make_disk "$tmp/qemu.img"
# QEMU's virtio-mmio is legacy (version 1) unless told otherwise; Tandem's is version 2.
QEMU_TIMEOUT=120 QEMU_ARGS="-global virtio-mmio.force-legacy=false \
  -drive file=$tmp/qemu.img,if=none,id=d0,format=raw -device virtio-blk-device,drive=d0 \
  -device virtio-rng-device" "$here/qemu/run_qemu.sh" "$arch" "$elf" >"$tmp/qout" 2>"$tmp/qerr"
qstatus=$?
[ "$qstatus" -eq 0 ] || { cat "$tmp/qerr" >&2; fail "qemu: status $qstatus"; }
diff -u "$expected" "$tmp/qout" >&2 || fail "qemu: output differs from $expected"
check_disk "$tmp/qemu.img" qemu
cmp "$tmp/tandem.img" "$tmp/qemu.img" || fail "the disks differ after the runs"
echo "qemu: same output, same disk"
