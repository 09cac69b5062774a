#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one kvm test, here or through the nested-KVM VM:
#   kvm_case.sh <command> [args...]
# Where /dev/kvm opens (or TANDEM_KVM_RESULTS is unset, as when ctest lists a gtest binary's
# tests), it runs the command. Elsewhere the kvm_nested test (nested_vm.py) has already run
# the same command inside a QEMU VM with its own /dev/kvm and left the result in the folder
# TANDEM_KVM_RESULTS names, under a key made from the command line: this prints the output the
# command gave in there and exits with its status.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <command> [args...]" >&2; exit 2; }
results=${TANDEM_KVM_RESULTS:-}
if [ -z "$results" ] || { [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null; }; then
  exec "$@"
fi
key=$(printf '%s\0' "$@" | sha1sum | cut -c1-40)
if [ -f "$results/$key.status" ]; then
  echo "nested: this ran inside the nested-KVM VM (see the kvm_nested test); its output:"
  cat "$results/$key.out"
  exit "$(cat "$results/$key.status")"
fi
if [ -f "$results/SKIPPED" ]; then
  echo "SKIP: /dev/kvm cannot be opened here, and $(cat "$results/SKIPPED")"
  exit 77
fi
echo "FAIL: /dev/kvm cannot be opened here and the nested-KVM VM left no result for this" \
  "command (did kvm_nested run? it prints the VM's console): $*" >&2
exit 1
