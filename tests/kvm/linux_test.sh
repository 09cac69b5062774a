#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Debian's amd64 cloud kernel on the kvm backend:
#   linux_test.sh <tandem> <linux-dir> <cpus>
# <linux-dir> (made by nested_vm.py) holds `bzImage`, `initrd` (busybox; its /init prints
# `uname -r` and `nproc`, then `poweroff -f`) and `release`, the kernel's version. The kernel
# must reach /init, report that release and <cpus> CPUs, and power off through ACPI S5 with
# status 0.
set -uo pipefail
tandem=$1 dir=$2 cpus=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- console:" >&2; cat "$tmp/out" >&2; echo "--- tandem:" >&2; cat "$tmp/err" >&2; exit 1; }

if [ ! -f "$dir/bzImage" ]; then
  echo "SKIP: no $dir/bzImage (the kvm_nested fixture fetches Debian's kernel into it)"
  exit 77
fi
timeout 600 "$tandem" run --backend kvm --mem 256M --cpus "$cpus" --timeout 300 \
  --kernel "$dir/bzImage" --initrd "$dir/initrd" --append "console=ttyS0 panic=-1 quiet" \
  >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 2 ] && grep -q "kvm backend unavailable" "$tmp/err"; then
  echo "SKIP: $(grep -o 'kvm backend unavailable.*' "$tmp/err")"
  exit 77
fi
[ "$status" -eq 0 ] || fail "status $status, want 0 (ACPI S5 power-off)"
tr -d '\r' <"$tmp/out" >"$tmp/lines"
grep -qx "linux: release $(cat "$dir/release")" "$tmp/lines" || fail "no release line"
grep -qx "linux: cpus $cpus" "$tmp/lines" || fail "no 'linux: cpus $cpus' line"
echo "Linux $(cat "$dir/release") reached /init with $cpus CPUs and powered off:"
cat "$tmp/out"
