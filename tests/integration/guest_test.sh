#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One differential guest test:
#   guest_test.sh <tandem> <backend> <arch> <guest.elf> <expected-dir> <name>
# Runs the guest on Tandem's <backend> and checks its console output and exit status against
# <expected-dir>/<arch>/<name>.out and .status. Then, when QEMU for <arch> is installed, runs the
# same guest under QEMU (tests/integration/qemu/run_qemu.sh) and requires the same output and
# status. A guest whose expected status is "fault" must make Tandem stop with a fault report
# on stderr and status 125; only the console output before the fault is compared with QEMU.
# Optional environment: GUEST_CPUS, the number of vCPUs (`tandem run --cpus`, QEMU -smp);
# GUEST_INPUT, a file fed to the guest's console input (Tandem's stdin; QEMU_INPUT of
# run_qemu.sh); GUEST_MACHINE, the board (`tandem run --machine`, QEMU -M: the same spelling).
set -uo pipefail
tandem=$1 backend=$2 arch=$3 elf=$4 expected_dir=$5 name=$6
here=$(cd "$(dirname "$0")" && pwd)
want_out="$expected_dir/$arch/$name.out"
want_status=$(cat "$expected_dir/$arch/$name.status")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

run_args=()
qemu_env=(QEMU_TIMEOUT="${QEMU_TIMEOUT:-120}")
if [ -n "${GUEST_CPUS:-}" ]; then
  run_args+=(--cpus "$GUEST_CPUS")
  qemu_env+=(QEMU_SMP="$GUEST_CPUS")
fi
if [ -n "${GUEST_MACHINE:-}" ]; then
  run_args+=(--machine "$GUEST_MACHINE")
  qemu_env+=(QEMU_MACHINE="$GUEST_MACHINE")
fi
input=/dev/null
if [ -n "${GUEST_INPUT:-}" ]; then
  input=$GUEST_INPUT
  qemu_env+=(QEMU_INPUT="$GUEST_INPUT")
fi
timeout 120 "$tandem" run --backend "$backend" "${run_args[@]}" "$elf" >"$tmp/out" 2>"$tmp/err" <"$input"
status=$?
if [ "$status" -eq 2 ] && grep -q "kvm backend unavailable" "$tmp/err"; then
  echo "SKIP: $(grep -o 'kvm backend unavailable.*' "$tmp/err")"
  exit 77
fi
if [ "$want_status" = fault ]; then
  [ "$status" -eq 125 ] || { cat "$tmp/err" >&2; fail "$backend: status $status, want 125 (fault)"; }
  grep -q "guest fault" "$tmp/err" || { cat "$tmp/err" >&2; fail "$backend: no fault report on stderr"; }
  echo "$backend fault report: $(grep 'guest fault' "$tmp/err" | head -1)"
else
  [ "$status" -eq "$want_status" ] || { cat "$tmp/err" >&2; fail "$backend: status $status, want $want_status"; }
fi
if ! diff -u "$want_out" "$tmp/out" >&2; then fail "$backend: console output differs from $want_out"; fi
echo "$backend: output and status ($status) as expected"

qemu=qemu-system-$arch
if [ -n "${TANDEM_NESTED_VM:-}" ]; then
  # Set by tests/kvm/nested_runner.py: the nested-KVM VM's initramfs holds no QEMU.
  echo "SKIP QEMU half: this ran inside the nested-KVM VM (kvm_nested), which has no QEMU;" \
    "the output was checked against $want_out only (the emu test of the same guest, where one" \
    "exists, compares QEMU with that file on the host)"
  exit 0
fi
if ! command -v "$qemu" >/dev/null; then
  echo "SKIP QEMU half: $qemu is not installed (scripts/setup installs it)"
  exit 0
fi
env "${qemu_env[@]}" "$here/qemu/run_qemu.sh" "$arch" "$elf" >"$tmp/qout" 2>"$tmp/qerr" </dev/null
qstatus=$?
if [ "$want_status" != fault ]; then
  [ "$qstatus" -eq "$want_status" ] || { cat "$tmp/qerr" >&2; fail "qemu: status $qstatus, want $want_status"; }
fi
if [ "$want_status" = fault ]; then
  # QEMU may go on after the faulting access (it drops writes to nothing): compare the part
  # the guest printed before it.
  head -c "$(wc -c <"$want_out")" "$tmp/qout" >"$tmp/qprefix"
  mv "$tmp/qprefix" "$tmp/qout"
fi
if ! diff -u "$want_out" "$tmp/qout" >&2; then fail "qemu: console output differs from $want_out"; fi
echo "qemu: same output and status ($qstatus)"
