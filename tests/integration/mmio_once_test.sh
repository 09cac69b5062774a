#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every guest MMIO access reaches its device exactly once, also while the emu backend slices
# time between vCPUs (a slice ending inside an MMIO callback would make Unicorn replay the
# access; backends/emu/emu_cpu.h, preempt()):
#   mmio_once_test.sh <tandem> <bench_exits_N.elf> <N>
# Runs the guest with two vCPUs (1 ms slices) and `--trace mmio`, and requires exactly N reads.
set -uo pipefail
tandem=$1 elf=$2 want=$3
[ -r "$elf" ] || { echo "SKIP: no $elf"; exit 77; }
for run in 1 2 3; do
  got=$(timeout 120 "$tandem" run --cpus 2 --trace mmio "$elf" </dev/null 2>&1 | grep -c "mmio-read")
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: run $run: $got MMIO reads reached the device, want $want" >&2
    exit 1
  fi
done
echo "3 runs: exactly $want MMIO reads each"
