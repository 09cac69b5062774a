#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One bare-metal image test:
#   run_image_test.sh <arch> <tandem> <image.elf> <guest.elf> <expected-dir> <name>
# Packs the guest into the prebuilt image (cli::build_image), boots it under QEMU at EL2/HS
# and checks the console output (Tandem's own "tandem: " lines removed) and exit status
# against <expected-dir>/<arch>/<name>.out and .status, the values the emu backend gives. A
# guest whose expected status is "fault" must end with a "guest fault" report and status 125.
# Exit 77 (ctest: skipped) when QEMU, the image or the guest is missing.
# IMAGE_INPUT, when set, is a file fed to the console's input (QEMU's stdin, else /dev/null),
# held back until Tandem's first line, so the firmware's UART set-up cannot drop any of it.
# IMAGE_SMP, when set to N, packs the guest with `--cpus N` and gives QEMU `-smp N`.
# IMAGE_CPU, when set, is QEMU's -cpu (aarch64; default cortex-a72).
# QEMU gets 150 s: a guest takes 0.05-10 s alone, several times that on a loaded machine, and
# only a hang comes near the limit.
set -uo pipefail
limit=150
arch=$1 tandem=$2 image=$3 guest=$4 expected_dir=$5 name=$6
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

case $arch in
  aarch64)
    qemu=qemu-system-aarch64
    args=(-M virt,virtualization=on,gic-version=3 -cpu "${IMAGE_CPU:-cortex-a72}" -nographic -semihosting -m 256M)
    ;;
  riscv64)
    qemu=qemu-system-riscv64
    args=(-M virt -bios default -nographic -m 256M)
    ;;
  *) fail "unknown arch $arch" ;;
esac
pack=()
if [ -n "${IMAGE_SMP:-}" ]; then
  args+=(-smp "$IMAGE_SMP")
  pack=(--cpus "$IMAGE_SMP")
fi
command -v "$qemu" >/dev/null || skip "$qemu is not installed (scripts/setup installs it)"
[ -r "$image" ] || skip "no $image (the $arch cross compiler builds it)"
[ -r "$guest" ] || skip "no $guest (the $arch cross compiler builds it)"
want_out=$expected_dir/$arch/$name.out
[ -r "$want_out" ] || fail "no expected output $want_out"
want_status=$(cat "$expected_dir/$arch/$name.status")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tandem" build-image --arch "$arch" --image "$image" --kernel "$guest" "${pack[@]}" -o "$tmp/image.elf" ||
  fail "tandem build-image failed for $guest"
if [ -z "${IMAGE_INPUT:-}" ]; then
  timeout --kill-after=5 "$limit" "$qemu" "${args[@]}" -kernel "$tmp/image.elf" </dev/null >"$tmp/console" 2>"$tmp/err"
  status=$?
else
  [ -r "$IMAGE_INPUT" ] || fail "cannot read IMAGE_INPUT $IMAGE_INPUT"
  mkfifo "$tmp/in"
  : >"$tmp/console"
  (
    until grep -q '^tandem: ' "$tmp/console" || [ -e "$tmp/done" ]; do sleep 0.02; done
    [ -e "$tmp/done" ] || cat "$IMAGE_INPUT"
  ) >"$tmp/in" 2>/dev/null &
  writer=$!
  timeout --kill-after=5 "$limit" "$qemu" "${args[@]}" -kernel "$tmp/image.elf" <"$tmp/in" >"$tmp/console" 2>"$tmp/err"
  status=$?
  touch "$tmp/done"
  kill "$writer" 2>/dev/null
  wait "$writer" 2>/dev/null
fi
# Firmware output (OpenSBI's banner on riscv64) comes before Tandem's first line; after it,
# everything but Tandem's own "tandem: " lines is the guest's console.
awk 'seen && !/^tandem: /; /^tandem: /{seen=1}' "$tmp/console" >"$tmp/out"

if [ "$want_status" = fault ]; then
  [ "$status" -eq 125 ] || { cat "$tmp/console" "$tmp/err" >&2; fail "status $status, want 125 (fault)"; }
  grep -q '^tandem: error: guest fault: ' "$tmp/console" || { cat "$tmp/console" >&2; fail "no fault report"; }
  echo "fault report: $(grep '^tandem: error: guest fault: ' "$tmp/console" | head -1)"
else
  [ "$status" -eq "$want_status" ] || { cat "$tmp/console" "$tmp/err" >&2; fail "status $status, want $want_status"; }
fi
diff -u "$want_out" "$tmp/out" >&2 || fail "console output differs from $want_out"
echo "baremetal $arch $name: output and status ($status) as expected"
