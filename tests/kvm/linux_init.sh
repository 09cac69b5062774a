#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the Linux guest of linux_test.sh: what the kernel is and how many CPUs it brought
# up, then power-off (ACPI S5).
/bin/busybox mkdir -p /proc /sys /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
echo "linux: release $(uname -r)"
echo "linux: cpus $(nproc)"
poweroff -f
