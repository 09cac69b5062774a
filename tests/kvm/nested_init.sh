#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the nested-KVM VM (nested_vm.py builds the initramfs): mounts the kernel's
# filesystems, brings up the loopback, loads KVM (irqbypass, kvm, kvm-amd: QEMU's TCG emulates
# AMD SVM with nested paging), runs the kvm tests (nested_runner.py) with their results on the
# second serial port, and powers off, which ends QEMU.
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
ln -s /proc/self/fd /dev/fd
# The loopback, for tests that serve or forward on 127.0.0.1 (linux_net_test.py).
ifconfig lo 127.0.0.1 up
for m in irqbypass kvm kvm-amd; do
  insmod "/nested/modules/$m.ko" || echo "nested: insmod $m failed"
done
# Unicorn (linked into tandem) reserves a large translation buffer up front.
echo 1 >/proc/sys/vm/overcommit_memory
stty -F /dev/ttyS1 raw -echo
echo "nested: $(uname -r), $(nproc) CPUs, $(grep -c . /proc/modules) modules, /dev/kvm: $(ls /dev/kvm 2>&1)"
python=$(cat /nested/python)
"$python" /nested/runner.py /nested/manifest.json /dev/ttyS1 || echo "nested: runner failed"
poweroff -f
