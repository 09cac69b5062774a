#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one test guest under QEMU, the reference of the differential tests (docs/DESIGN.md,
# "Guest platform"):
#   run_qemu.sh <aarch64|riscv64|x86_64> <guest.elf>
# stdout: exactly what the guest wrote to its console, firmware output removed.
# Exit status: the guest's status; 124 if QEMU still runs after $QEMU_TIMEOUT seconds
# (default 20); 125 if QEMU failed or stopped without the guest exiting (x86 triple fault);
# 2 for bad arguments.
# Environment: QEMU_MEM, the RAM size (-m, default 128M); QEMU_APPEND, the kernel command line
# (-append, none if unset; for multiboot QEMU passes "<kernel file> <QEMU_APPEND>"); QEMU_SMP,
# the number of CPUs (-smp, default 1); QEMU_MACHINE, the board (-M; aarch64 only, default
# virt,gic-version=3); QEMU_ARGS, more arguments (split at spaces, e.g.
# virtio devices); QEMU_INPUT, a file fed to the guest's serial input
# (stdin of QEMU's console; /dev/null if unset). The input is held back until the guest has
# printed its first line (a "\n" not preceded by "\r", so not OpenSBI's banner): OpenSBI's
# 16550 set-up reads and drops a byte that arrived earlier. Bytes the guest has not read yet
# then wait in the UART and in QEMU's character backend, none are lost.
set -uo pipefail

usage() {
  echo "usage: $0 <aarch64|riscv64|x86_64> <guest.elf>" >&2
  exit 2
}
[ $# -eq 2 ] || usage
arch=$1
elf=$2
limit=${QEMU_TIMEOUT:-20}
mem=${QEMU_MEM:-128M}
input=${QEMU_INPUT:-/dev/null}

case $arch in
  aarch64)
    # EL1 entry, PSCI over HVC; -semihosting for SYS_EXIT with a status; GICv3 (Tandem's
    # interrupt controller model), not virt's default GICv2.
    cmd=(qemu-system-aarch64 -M "${QEMU_MACHINE:-virt,gic-version=3}" -cpu cortex-a72 -m "$mem" -nographic -semihosting)
    ;;
  riscv64)
    cmd=(qemu-system-riscv64 -M virt -m "$mem" -bios default -nographic)
    ;;
  x86_64)
    # QEMU loads the ELF32 copy with the multiboot header (guests/arch/x86_64/multiboot.S).
    # -nographic would have SeaBIOS mirror its screen to COM1 (QEMU passes fw_cfg
    # etc/sercon-port then); with -display none only the guest writes there, and without a NIC
    # no iPXE ROM runs.
    elf=${elf%.elf}.qemu.elf
    # shellcheck disable=SC2054  # the commas separate QEMU's -device properties
    cmd=(qemu-system-x86_64 -M pc -cpu "${QEMU_CPU:-qemu64}" -m "$mem" -display none -serial stdio -monitor none -nic none
      -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4)
    ;;
  *) usage ;;
esac
if [ -n "${QEMU_APPEND+set}" ]; then
  cmd+=(-append "$QEMU_APPEND")
fi
if [ -n "${QEMU_SMP+set}" ]; then
  cmd+=(-smp "$QEMU_SMP")
fi
if [ -n "${QEMU_ARGS:-}" ]; then
  read -r -a extra <<<"$QEMU_ARGS"
  cmd+=("${extra[@]}")
fi
if [ ! -r "$input" ]; then
  echo "run_qemu.sh: cannot read QEMU_INPUT $input" >&2
  exit 2
fi
if [ ! -r "$elf" ]; then
  echo "run_qemu.sh: cannot read $elf" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${QEMU_INPUT+set}" ]; then
  timeout --kill-after=5 "$limit" "${cmd[@]}" -kernel "$elf" </dev/null >"$tmp/out" 2>"$tmp/err"
  status=$?
else
  mkfifo "$tmp/in"
  : >"$tmp/out"
  (
    # Wait for the guest's first line (or QEMU's end), then send the input and close the pipe.
    until perl -0777 -ne 'exit(/(?<!\r)\n/ ? 0 : 1)' "$tmp/out" || [ -e "$tmp/done" ]; do
      sleep 0.02
    done
    [ -e "$tmp/done" ] || cat "$input"
  ) >"$tmp/in" 2>/dev/null &
  writer=$!
  timeout --kill-after=5 "$limit" "${cmd[@]}" -kernel "$elf" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
  status=$?
  touch "$tmp/done"
  kill "$writer" 2>/dev/null
  wait "$writer" 2>/dev/null
fi
cat "$tmp/err" >&2

# OpenSBI's banner comes first and ends its lines with "\r\n" (its console turns "\n" into
# "\r\n"); the guests end theirs with a bare "\n".
if [ "$arch" = riscv64 ]; then
  perl -0777 -pe 's/\A(?:[^\n]*\r\n)*//' "$tmp/out"
else
  cat "$tmp/out"
fi

if [ $status -eq 124 ] || [ $status -eq 137 ]; then
  echo "run_qemu.sh: $arch guest still running after ${limit}s" >&2
  exit 124
fi
# QEMU reports its own errors on stderr as "qemu-system-<arch>: ..." or "qemu: ..." and exits 1,
# which a guest can also do (and which x86 would turn into status 0); warnings are harmless.
if grep -v 'warning:' "$tmp/err" | grep -q '^qemu'; then
  echo "run_qemu.sh: QEMU failed (status $status)" >&2
  exit 125
fi
if [ "$arch" = x86_64 ]; then
  # isa-debug-exit makes QEMU exit with (status << 1) | 1; anything even means the guest never
  # wrote to it (with -no-reboot a triple fault exits 0).
  if [ $((status & 1)) -eq 0 ]; then
    echo "run_qemu.sh: x86_64 guest stopped without isa-debug-exit (QEMU status $status)" >&2
    exit 125
  fi
  exit $((status >> 1))
fi
exit $status
