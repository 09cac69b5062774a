#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The device trees Tandem generates, for each DT arch with 1 and 4 vCPUs:
#   dtb_test.sh <tandem> <build>/guests
# `tandem run --dump-dtb` writes each one; `dtc -I dtb -O dts` must decompile it with status 0
# and nothing on stderr (dtc's checks print warnings there). Then a tree dumped for 256 MiB,
# given to the dtb guest with --dtb on a 128 MiB VM, must be the one the guest reads.
set -uo pipefail
tandem=$1 guests=$2
command -v dtc >/dev/null || { echo "SKIP: dtc not installed (device-tree-compiler)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for arch in aarch64 riscv64; do
  for cpus in 1 4; do
    dtb=$tmp/$arch-$cpus.dtb
    "$tandem" run --dump-dtb "$dtb" --arch "$arch" --cpus "$cpus" --append "console=ttyS0" \
      || fail "$arch --cpus $cpus: --dump-dtb failed"
    dtc -I dtb -O dts -o "$tmp/out.dts" "$dtb" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "$arch $cpus: dtc failed"; }
    [ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "$arch --cpus $cpus: dtc warned"; }
    n=$(grep -c 'device_type = "cpu"' "$tmp/out.dts")
    [ "$n" -eq "$cpus" ] || fail "$arch: $n cpu nodes, want $cpus"
    grep -q 'bootargs = "console=ttyS0"' "$tmp/out.dts" || fail "$arch: no bootargs"
    echo "$arch --cpus $cpus: $(stat -c %s "$dtb") bytes, dtc clean"
  done
  "$tandem" run --dump-dtb "$tmp/big.dtb" --arch "$arch" --mem 256M || fail "$arch: dump 256M"
  "$tandem" run --dtb "$tmp/big.dtb" --mem 128M "$guests/$arch/dtb.elf" >"$tmp/out" \
    || fail "$arch: dtb guest with --dtb failed"
  grep -q "^memory: 0x[0-9a-f]* size 0x10000000$" "$tmp/out" \
    || { cat "$tmp/out" >&2; fail "$arch: the guest did not get the --dtb tree"; }
  echo "$arch: --dtb reaches the guest"
done
