#!/usr/bin/env python3
"""A hostile OTLP/HTTP receiver on 127.0.0.1 for tests/exporter/http_response_limit.sh.

usage: hostile_http.py PORT_FILE LOG_FILE MODE[,MODE...]

Each request gets the next answer of the list; after the list every request gets "ok":
  bigcl    200 with Content-Length: 2 GiB, then zeros streamed until the client hangs up
  chunked  200 chunked, 64 KiB chunks for ever (until the client hangs up)
  headers  200, then header lines for ever (until the client hangs up)
  badchunk 200 chunked with a chunk-size line that is not hex (a protocol error)
  partial  200 with a chunked, well-formed partial success (3 records rejected, "three") in two
           chunks and a trailer: a chunked answer within the limit is read as usual
  ok       200 with an empty body (Content-Length: 0): a good receiver
Streaming stops after STREAM_LIMIT bytes or STREAM_SECONDS per connection, so the server ends
by itself even against a client that never hangs up. One line per request goes to LOG_FILE:
"N MODE BYTES_STREAMED". Listens on loopback only; exits after IDLE_SECONDS without a client.
"""
import os
import socket
import sys
import threading
import time

STREAM_LIMIT = 3 << 30
STREAM_SECONDS = 30
IDLE_SECONDS = 120

port_file, log_file, modes = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
lock = threading.Lock()
counter = [0]
last_seen = [time.monotonic()]


def next_mode():
    with lock:
        n = counter[0]
        counter[0] += 1
        last_seen[0] = time.monotonic()
    return n + 1, (modes[n] if n < len(modes) else "ok")


def read_request(conn, buf):
    """Reads one request (headers and Content-Length body); returns the rest, or None."""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = conn.recv(65536)
        if not data:
            return None
        rest += data
    return rest[length:]


def stream(conn, head, piece):
    sent = 0
    start = time.monotonic()
    try:
        conn.sendall(head)
        while sent < STREAM_LIMIT and time.monotonic() - start < STREAM_SECONDS:
            conn.sendall(piece)
            sent += len(piece)
    except OSError:
        pass  # the client hung up: what the exporter should do
    return sent


def serve(conn):
    buf = b""
    zeros = bytes(65536)
    chunk = b"%x\r\n" % len(zeros) + zeros + b"\r\n"
    with conn:
        while True:
            buf = read_request(conn, buf)
            if buf is None:
                return
            n, mode = next_mode()
            if mode == "bigcl":
                sent = stream(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                              b"Content-Length: 2147483648\r\n\r\n", zeros)
            elif mode == "chunked":
                sent = stream(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                              b"Transfer-Encoding: chunked\r\n\r\n", chunk)
            elif mode == "headers":
                sent = stream(conn, b"HTTP/1.1 200 OK\r\n", b"X-Filler: abcdefgh\r\n" * 3000)
            elif mode == "badchunk":
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"zz\r\nnonsense\r\n0\r\n\r\n")
                sent = 0
            elif mode == "partial":
                # ExportLogsServiceResponse{partial_success{rejected_log_records: 3,
                # error_message: "three"}}
                body = bytes([0x0A, 0x09, 0x08, 0x03, 0x12, 0x05]) + b"three"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n"
                             b"4;ext=1\r\n" + body[:4] + b"\r\n" +
                             b"%x\r\n" % (len(body) - 4) + body[4:] + b"\r\n"
                             b"0\r\nX-Trailer: y\r\n\r\n")
                sent = len(body)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                             b"Content-Length: 0\r\n\r\n")
                sent = 0
            with lock, open(log_file, "a") as log:
                log.write("%d %s %d\n" % (n, mode, sent))
            if mode in ("bigcl", "chunked", "badchunk", "headers"):
                return


def main():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(1.0)
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.replace(port_file + ".tmp", port_file)
    while time.monotonic() - last_seen[0] < IDLE_SECONDS:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        with lock:
            last_seen[0] = time.monotonic()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
