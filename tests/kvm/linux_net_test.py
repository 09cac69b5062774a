#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Debian's amd64 cloud kernel on the kvm backend with a virtio-net device on the user-mode
network (`--nic user,hostfwd=...`, libslirp):

    linux_net_test.py <tandem> <linux-net-dir>

<linux-net-dir> (made by nested_vm.py) holds `bzImage`, `initrd` (busybox, the kernel
package's virtio_net and the modules it depends on, linux_net_init.sh as /init), `release` and
`modules` (what /init loads, one a line). The test serves a page over HTTP on this host's
loopback and takes a free loopback port to the guest's TCP port 7777 with a host forward. The
guest must load the modules, get 10.0.2.15 from udhcpc, fetch the page with wget from 10.0.2.2
(the host), and once it listens on port 7777 read the line this test sends through the
forward and send back its own line, which the test reads; then power off with status 0.
First, a forward from a host port that is taken (the HTTP server's) must be refused with a
clear message and status 2 before the VM starts. Exit status 77 (skip) without the kernel or
/dev/kvm.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

PAGE = "TANDEM-KVM-WEB-3f81c2"
HOST_LINE = "TANDEM-KVM-FWD-d40b97"
GUEST_REPLY = "reply from the guest"  # linux_net_init.sh's
GUEST_PORT = 7777
UNAVAILABLE = "kvm backend unavailable"


def web_server():
    """A one-page HTTP/1.0 server on 127.0.0.1 (the nested VM's Python has no http package);
    returns its listening socket and the request lines it answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    requests = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # closed at the end of the test
                return
            with conn:
                conn.settimeout(30)
                request = b""
                try:
                    while b"\r\n\r\n" not in request:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        request += chunk
                    line = request.split(b"\r\n", 1)[0].decode(errors="replace")
                    requests.append(line)
                    body = (PAGE + "\n").encode()
                    if line.split(" ")[:2] == ["GET", "/page"]:
                        head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\n\r\n"
                    else:
                        head, body = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", b""
                    conn.sendall(head.encode() + body)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return listener, requests


def free_port():
    """A TCP port on the host's loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tandem_command(tandem, folder, web_port, nic):
    return [tandem, "run", "--backend", "kvm", "--mem", "256M", "--cpus", "1", "--timeout", "150",
            "--no-reboot", "--kernel", os.path.join(folder, "bzImage"),
            "--initrd", os.path.join(folder, "initrd"),
            "--append", f"console=ttyS0 panic=-1 quiet web_port={web_port}", "--nic", nic]


def skip_if_unavailable(status, err):
    if status == 2 and UNAVAILABLE in err:
        print("SKIP: " + err[err.index(UNAVAILABLE):].splitlines()[0])
        sys.exit(77)


def exchange(port):
    """Sends HOST_LINE through the host forward; what the guest sent back."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(HOST_LINE.encode() + b"\n")
        s.shutdown(socket.SHUT_WR)
        got = b""
        while chunk := s.recv(4096):  # until the guest's nc closes its side
            got += chunk
    return got.decode(errors="replace")


def main() -> int:
    tandem, folder = sys.argv[1:]
    if not os.path.isfile(os.path.join(folder, "bzImage")):
        print(f"SKIP: no {folder}/bzImage (the kvm_nested fixture fetches Debian's kernel into it)")
        return 77
    with open(os.path.join(folder, "release")) as f:
        release = f.read().strip()
    with open(os.path.join(folder, "modules")) as f:
        modules = f.read().split()
    listener, requests = web_server()
    web_port = listener.getsockname()[1]

    # A forward from the port the HTTP server holds: refused before the VM starts.
    taken = subprocess.run(
        tandem_command(tandem, folder, web_port, f"user,hostfwd=tcp:127.0.0.1:{web_port}-:22"),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    skip_if_unavailable(taken.returncode, taken.stderr)
    refusal = f"--nic: hostfwd: cannot listen on host tcp port {web_port} (already in use?)"
    if taken.returncode != 2 or refusal not in taken.stderr:
        print(f"FAIL: a forward from a taken port gave status {taken.returncode} and "
              f"{taken.stderr!r}, want 2 and {refusal!r}")
        return 1

    fwd_port = free_port()
    failures = []
    with tempfile.TemporaryFile(mode="w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            tandem_command(tandem, folder, web_port,
                           f"user,hostfwd=tcp:127.0.0.1:{fwd_port}-:{GUEST_PORT}"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
            errors="replace")
        lines, reply = [], None
        for line in proc.stdout:
            line = line.rstrip("\r\n")
            lines.append(line)
            if line == "linux: listening":
                try:
                    reply = exchange(fwd_port)
                except OSError as e:
                    failures.append(f"host forward to 127.0.0.1:{fwd_port}: {e}")
        status = proc.wait()
        seconds = time.monotonic() - start
        err.seek(0)
        stderr = err.read()
    listener.close()
    skip_if_unavailable(status, stderr)
    want = [f"linux: release {release}"] + [f"linux: insmod {m} ok" for m in modules]
    want += ["linux: dhcp 10.0.2.15", f"linux: wget {PAGE}", "linux: listening",
             f"linux: forward {HOST_LINE}"]
    failures += [f"no '{w}' line" for w in want if w not in lines]
    if status != 0:
        failures.append(f"status {status}, want 0 (ACPI S5 power-off)")
    if len(requests) != 1 or not requests[0].startswith("GET /page "):
        failures.append(f"the HTTP server saw {requests}, want one GET /page")
    if reply != GUEST_REPLY + "\n":
        failures.append(f"the host forward brought back {reply!r}, want {GUEST_REPLY!r}")
    if failures:
        print("FAIL: " + "; ".join(failures))
        print("--- console:\n" + "\n".join(lines) + "\n--- tandem:\n" + stderr)
        return 1
    print(f"Linux {release} on kvm: udhcpc got 10.0.2.15, wget fetched '{PAGE}' from this host's "
          f"loopback ({requests[0]}), the forward from 127.0.0.1:{fwd_port} brought "
          f"'{HOST_LINE}' in and '{GUEST_REPLY}' back; {seconds:.1f} s. Console:")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
