#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the virtio guest of linux_test.sh: reports the release and CPUs as linux_init.sh
# does, loads the virtio modules from the kernel's own package (listed in /modules/order, each
# after those it depends on), mounts the ext4 disk on /dev/vda, reads /hello, writes /new,
# reads 64 bytes of /dev/hwrng, says a line on hvc0 and reads one back from it, then powers
# off (ACPI S5).
/bin/busybox mkdir -p /proc /sys /sbin /usr/bin /usr/sbin /dev /mnt /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "linux: release $(uname -r)"
echo "linux: cpus $(nproc)"
while read -r m; do
  if insmod "/modules/$m.ko"; then echo "linux: insmod $m ok"; else echo "linux: insmod $m failed"; fi
done </modules/order
echo "linux: blocks $(ls /sys/block)"
if mount -t ext4 /dev/vda /mnt; then
  echo "linux: hello $(cat /mnt/hello)"
  echo "written by the guest" >/mnt/new
  umount /mnt && echo "linux: umount ok"
fi
echo "linux: hwrng $(head -c 64 /dev/hwrng | od -An -tx1 | tr -d ' \n')"
if [ -e /dev/hvc0 ]; then
  exec 3<>/dev/hvc0
  # Without echo: the tty's echo of the typed line reaches tandem's output whenever hvc0's
  # output runs, and under load it landed inside ttyS0's "hvc0 read" line.
  stty -echo <&3
  echo "linux-hvc0: ready" >&3
  read -r line <&3
  echo "linux: hvc0 read $line"
  exec 3<&-
fi
poweroff -f
