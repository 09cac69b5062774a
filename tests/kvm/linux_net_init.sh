#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the network guest of linux_net_test.py: reports the release, loads virtio_net and
# what it depends on from the kernel's own package (/modules/order), asks the user network for
# an address with udhcpc, fetches http://10.0.2.2:$web_port/page (web_port=N on the kernel
# command line reaches /init as an environment variable), then answers one connection on TCP
# port 7777 (the test's host forward) with a line of its own and reports the line it got, and
# powers off (ACPI S5).
/bin/busybox mkdir -p /proc /sys /sbin /usr/bin /usr/sbin /dev /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "linux: release $(uname -r)"
while read -r m; do
  if insmod "/modules/$m.ko"; then echo "linux: insmod $m ok"; else echo "linux: insmod $m failed"; fi
done </modules/order
cat >/tmp/udhcpc.script <<'EOF'
#!/bin/sh
case "$1" in bound|renew)
  ifconfig "$interface" "$ip" netmask "$subnet" up
  route add default gw "$router" dev "$interface"
  echo "$ip" >/tmp/ip ;;
esac
EOF
chmod +x /tmp/udhcpc.script
ifconfig eth0 up
udhcpc -i eth0 -s /tmp/udhcpc.script -q -n -t 10 >/dev/null 2>&1
echo "linux: dhcp $(cat /tmp/ip)"
echo "linux: wget $(wget -q -O - "http://10.0.2.2:$web_port/page")"
echo "reply from the guest" >/tmp/reply
nc -l -p 7777 </tmp/reply >/tmp/got &
# Listening once port 7777 (0x1E61) is in state LISTEN (0A): busybox nc listens on IPv6's
# any address (/proc/net/tcp6), which takes IPv4 connections too.
until grep -q ':1E61 0*:0000 0A' /proc/net/tcp /proc/net/tcp6; do sleep 0.1; done
echo "linux: listening"
wait
echo "linux: forward $(cat /tmp/got)"
poweroff -f
