#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The QEMU reference for a riscv64 bare-metal test guest:
#   run_reference.sh <guest.elf> <expected.out> <expected.status>
# Runs the guest alone under QEMU (OpenSBI, no Tandem) and requires the output and status the
# Tandem image test expects, so the expectation is QEMU's behaviour, not Tandem's.
# Exit 77 (ctest: skipped) when QEMU or the guest is missing.
set -uo pipefail
guest=$1 want_out=$2 want_status=$(cat "$3")
here=$(cd "$(dirname "$0")" && pwd)
command -v qemu-system-riscv64 >/dev/null || { echo "SKIP: qemu-system-riscv64 is not installed"; exit 77; }
[ -r "$guest" ] || { echo "SKIP: no $guest (the riscv64 cross compiler builds it)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
QEMU_MEM=256M "$here/../../integration/qemu/run_qemu.sh" riscv64 "$guest" >"$tmp/out"
status=$?
[ "$status" -eq "$want_status" ] || { echo "FAIL: qemu status $status, want $want_status" >&2; exit 1; }
diff -u "$want_out" "$tmp/out" >&2 || { echo "FAIL: qemu output differs from $want_out" >&2; exit 1; }
echo "qemu reference: output and status ($status) as expected"
