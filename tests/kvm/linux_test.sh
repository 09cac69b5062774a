#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Debian's amd64 cloud kernel on the kvm backend:
#   linux_test.sh <tandem> <linux-dir> <cpus>
#   linux_test.sh <tandem> <linux-virtio-dir> 1 <debugfs>
# <linux-dir> (made by nested_vm.py) holds `bzImage`, `initrd` (busybox; its /init prints
# `uname -r` and `nproc`, then `poweroff -f`) and `release`, the kernel's version. The kernel
# must reach /init, report that release and <cpus> CPUs, and power off through ACPI S5 with
# status 0.
# With <debugfs>, the virtio case: <linux-virtio-dir>'s initrd has the kernel package's virtio
# modules and linux_virtio_init.sh as /init, `disk.img` is ext4 made with `mke2fs -d` (/hello
# holding `mark`), `modules` lists what /init loads. The kernel finds the transports in the PC
# board's DSDT; on a copy of the disk it must read /hello and write /new (which debugfs then
# reads from the image here, after the run), read 64 bytes from /dev/hwrng that are not all
# zero, write a line to hvc0 (tandem's console) and read back the line typed on tandem's input,
# then power off with status 0.
set -uo pipefail
tandem=$1 dir=$2 cpus=$3 debugfs=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- console:" >&2; cat "$tmp/out" >&2; echo "--- tandem:" >&2; cat "$tmp/err" >&2; exit 1; }

if [ ! -f "$dir/bzImage" ]; then
  echo "SKIP: no $dir/bzImage (the kvm_nested fixture fetches Debian's kernel into it)"
  exit 77
fi
devices=() input=/dev/null
if [ -n "$debugfs" ]; then
  cp "$dir/disk.img" "$tmp/disk.img"
  devices=(--drive "file=$tmp/disk.img,format=raw" --rng --console virtio)
  # Console input through a FIFO (held open here until the line is typed): the line goes in
  # once the guest has hvc0 open and says so, as a user would type it (a line given on
  # tandem's input from the start, before the guest opened hvc0, did not reach this reader;
  # devices/virtio/console.h has what Linux's tty does with input).
  input=$tmp/input
  mkfifo "$input"
  exec 4<>"$input"
fi
# 150 s: a boot takes 6-25 s in the nested VM, 85 s at load 13; a guest that hangs then fails
# with its console here instead of holding the nested VM until its own limit, and one that
# panics (panic=-1 resets) ends at once (--no-reboot).
timeout 200 "$tandem" run --backend kvm --mem 256M --cpus "$cpus" --timeout 150 --no-reboot \
  --kernel "$dir/bzImage" --initrd "$dir/initrd" --append "console=ttyS0 panic=-1 quiet" \
  "${devices[@]}" >"$tmp/out" 2>"$tmp/err" <"$input" &
pid=$!
if [ -n "$debugfs" ]; then
  until grep -q "linux-hvc0: ready" "$tmp/out" || ! kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  echo "typed-into-hvc0" >&4
  exec 4>&-
fi
wait "$pid"
status=$?
if [ "$status" -eq 2 ] && grep -q "kvm backend unavailable" "$tmp/err"; then
  echo "SKIP: $(grep -o 'kvm backend unavailable.*' "$tmp/err")"
  exit 77
fi
[ "$status" -eq 0 ] || fail "status $status, want 0 (ACPI S5 power-off)"
tr -d '\r' <"$tmp/out" >"$tmp/lines"
grep -qx "linux: release $(cat "$dir/release")" "$tmp/lines" || fail "no release line"
grep -qx "linux: cpus $cpus" "$tmp/lines" || fail "no 'linux: cpus $cpus' line"
if [ -z "$debugfs" ]; then
  echo "Linux $(cat "$dir/release") reached /init with $cpus CPUs and powered off:"
  cat "$tmp/out"
  exit 0
fi
while read -r m; do
  grep -qx "linux: insmod $m ok" "$tmp/lines" || fail "no 'linux: insmod $m ok' line"
done <"$dir/modules"
grep -qx "linux: blocks vda" "$tmp/lines" || fail "no 'linux: blocks vda' line"
grep -qx "linux: hello $(cat "$dir/mark")" "$tmp/lines" || fail "/hello did not read back"
grep -qx "linux: umount ok" "$tmp/lines" || fail "no 'linux: umount ok' line"
rng=$(sed -n 's/^linux: hwrng //p' "$tmp/lines")
[[ "$rng" =~ ^[0-9a-f]{128}$ ]] || fail "/dev/hwrng gave '$rng', want 64 bytes"
[[ "$rng" =~ ^0+$ ]] && fail "/dev/hwrng gave 64 zero bytes"
grep -qx "linux-hvc0: ready" "$tmp/lines" || fail "no 'linux-hvc0: ready' line from hvc0"
grep -qx "linux: hvc0 read typed-into-hvc0" "$tmp/lines" || fail "hvc0 did not read the typed line"
new=$("$debugfs" -R "cat /new" "$tmp/disk.img" 2>/dev/null)
[ "$new" = "written by the guest" ] || fail "debugfs read '$new' from /new in the disk image"
echo "Linux $(cat "$dir/release") used virtio-blk, virtio-rng and hvc0 on kvm; /new in the" \
  "image after the run: '$new'. Console:"
cat "$tmp/out"
