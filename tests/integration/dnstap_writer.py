#!/usr/bin/python3
"""Frame Streams writers for tests/integration/dnstap_bounds.sh, playing a DNS server (or an
attacker) on the capture's dnstap Unix socket. Standard library only: the Dnstap payloads are
encoded by hand from capture/proto/dnstap.proto (a CLIENT_QUERY with a DNS query inside).

  dnstap_writer.py SOCKET legit FRAMES WITHIN
      Connects, READY -> ACCEPT, START, FRAMES data frames, STOP -> FINISH. A connection the
      capture closes (refused) is retried every 0.1 s until WITHIN seconds have passed. Prints
      "ok <seconds> <attempts>" and exits 0, or "refused <seconds> <attempts> <last error>"
      and exits 1.
  dnstap_writer.py SOCKET silent COUNT HOLD
      Opens COUNT connections that never send a byte, prints "connected COUNT", then after HOLD
      seconds prints "closed-by-server N" (how many the capture closed meanwhile) and exits.
  dnstap_writer.py SOCKET garbage FRAMES WITHIN
      Handshakes, then sends FRAMES data frames that are not dnstap; prints "dropped <seconds>"
      (exit 0) when the capture closes the connection within WITHIN seconds, else "kept" (exit 1).
"""
import select
import socket
import struct
import sys
import time

CT = b"protobuf:dnstap.Dnstap"
READY, ACCEPT, START, STOP, FINISH = 4, 1, 2, 3, 5


def control(kind, with_type=True):
    body = struct.pack(">I", kind)
    if with_type:
        body += struct.pack(">II", 1, len(CT)) + CT
    return struct.pack(">II", 0, len(body)) + body


def data(payload):
    return struct.pack(">I", len(payload)) + payload


def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def field_varint(num, v):
    return varint(num << 3) + varint(v)


def field_bytes(num, b):
    return varint(num << 3 | 2) + varint(len(b)) + b


def dnstap_query(i):
    """Dnstap{type MESSAGE, identity, message: CLIENT_QUERY, UDP/IPv4, query for q<i>.test A}."""
    label = ("q%d" % i).encode()
    dns = (struct.pack(">HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + bytes([len(label)]) + label +
           b"\x04test\x00" + struct.pack(">HH", 1, 1))
    msg = (field_varint(1, 5) + field_varint(2, 1) + field_varint(3, 1) +
           field_bytes(4, bytes([127, 0, 0, 1])) + field_varint(6, 40000 + i % 1000) +
           field_varint(8, int(time.time())) + field_bytes(10, dns))
    return field_bytes(1, b"bounds-test") + field_bytes(14, msg) + field_varint(15, 1)


def read_exact(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            raise EOFError("closed by the capture")
        got += chunk
    return got


def read_control(s):
    escape, n = struct.unpack(">II", read_exact(s, 8))
    body = read_exact(s, n)
    return escape, struct.unpack(">I", body[:4])[0]


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s


def legit(path, frames, within):
    start = time.monotonic()
    attempts = 0
    err = ""
    while True:
        attempts += 1
        try:
            s = connect(path)
            s.sendall(control(READY))
            if read_control(s) != (0, ACCEPT):
                raise EOFError("no ACCEPT")
            s.sendall(control(START) + b"".join(data(dnstap_query(i)) for i in range(frames)) +
                      control(STOP, False))
            if read_control(s) != (0, FINISH):
                raise EOFError("no FINISH")
            s.close()
            print("ok %.2f %d" % (time.monotonic() - start, attempts))
            return 0
        except (OSError, EOFError) as e:
            err = "%s: %s" % (type(e).__name__, e)
        if time.monotonic() - start > within:
            print("refused %.2f %d %s" % (time.monotonic() - start, attempts, err))
            return 1
        time.sleep(0.1)


def silent(path, count, hold):
    socks = [connect(path) for _ in range(count)]
    print("connected %d" % count, flush=True)
    end = time.monotonic() + hold
    closed = set()
    while time.monotonic() < end and len(closed) < count:
        open_socks = [s for s in socks if s not in closed]
        ready, _, _ = select.select(open_socks, [], [], 0.2)
        for s in ready:
            try:
                if s.recv(16) == b"":
                    closed.add(s)
            except OSError:
                closed.add(s)
    print("closed-by-server %d" % len(closed), flush=True)
    return 0


def garbage(path, frames, within):
    s = connect(path)
    s.sendall(control(READY))
    if read_control(s) != (0, ACCEPT):
        print("no ACCEPT")
        return 1
    start = time.monotonic()
    try:
        s.sendall(control(START) + b"".join(data(b"\xff\xfe not dnstap %d" % i)
                                            for i in range(frames)))
        s.settimeout(within)
        if s.recv(16) == b"":
            print("dropped %.2f" % (time.monotonic() - start))
            return 0
    except socket.timeout:
        pass
    except OSError:
        print("dropped %.2f" % (time.monotonic() - start))
        return 0
    print("kept")
    return 1


def main(argv):
    path, mode = argv[1], argv[2]
    if mode == "legit":
        return legit(path, int(argv[3]), float(argv[4]))
    if mode == "silent":
        return silent(path, int(argv[3]), float(argv[4]))
    if mode == "garbage":
        return garbage(path, int(argv[3]), float(argv[4]))
    print("unknown mode %s" % mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
