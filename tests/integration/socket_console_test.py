#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`--console socket:PATH` end to end (cli/socket_console.h).

    socket_console_test.py <tandem> <echo.elf>

The echo guest prints "echo: ready", echoes every byte it receives, and on 'q' prints
"echo: bye" and powers off with status 0. Tandem runs it with its console on a Unix socket
and stdin closed:
  1. with no client for 1.5 s the guest waits (input can still come through the socket, so
     the VM is not stopped as stuck), and the first client then gets "echo: ready", written
     before it connected;
  2. a second client at the same time is told the console has one and is closed;
  3. what the client sends is echoed; after it disconnects a new client types and is echoed;
  4. 'q' ends the run with status 0 and the socket file is removed;
  5. a regular file at PATH is refused with status 2 and left as it was.
Exit status 0 when everything passed, 1 otherwise, 77 (skip) when the guest file is missing.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 30.0  # for any one expectation; the guest answers in milliseconds


def connect(path):
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            s.settimeout(TIMEOUT)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def expect(s, needle, what):
    got = b""
    deadline = time.monotonic() + TIMEOUT
    while needle not in got:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: {needle!r} not received (got {got!r})")
        chunk = s.recv(4096)
        if not chunk:
            raise AssertionError(f"{what}: the socket closed before {needle!r} (got {got!r})")
        got += chunk
    return got


def main():
    tandem, echo = sys.argv[1], sys.argv[2]
    if not os.path.exists(echo):
        print(f"SKIP: {echo} is missing")
        return 77
    tmp = tempfile.mkdtemp(prefix="tandem-socket-")
    path = os.path.join(tmp, "console.sock")
    proc = subprocess.Popen([tandem, "run", "--console", "socket:" + path, echo],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)
        assert proc.poll() is None, f"tandem ended without a client: {proc.communicate()}"
        first = connect(path)
        expect(first, b"echo: ready", "the output from before the client connected")
        print("ok   the first client gets what the guest wrote before it connected")
        second = connect(path)
        expect(second, b"has a client already", "a second client at once")
        assert second.recv(4096) == b"", "the second client is closed"
        second.close()
        print("ok   a second client is told the console has one, and closed")
        first.sendall(b"hello tandem")
        expect(first, b"hello tandem", "echo of the client's bytes")
        first.close()
        third = connect(path)
        third.sendall(b"again")
        expect(third, b"again", "echo for a client that came after another left")
        print("ok   input reaches the guest, also from a later client")
        third.sendall(b"q")
        expect(third, b"echo: bye", "the guest's goodbye")
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, f"status {proc.returncode}: {err.decode(errors='replace')}"
        assert not os.path.exists(path), "the socket file is removed at the end"
        third.close()
        print("ok   'q' powers the guest off with status 0; the socket file is gone")

        with open(path, "w") as f:
            f.write("keep me\n")
        bad = subprocess.run([tandem, "run", "--console", "socket:" + path, echo],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        assert bad.returncode == 2, f"a file at the path: status {bad.returncode}, want 2"
        assert b"not a socket" in bad.stderr, bad.stderr
        with open(path) as f:
            assert f.read() == "keep me\n", "the file was changed"
        print("ok   a regular file at the path is refused (status 2) and left as it was:",
              bad.stderr.decode(errors="replace").strip().splitlines()[-1])
    except (AssertionError, OSError, subprocess.TimeoutExpired) as e:
        print(f"FAIL {e}")
        return 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
