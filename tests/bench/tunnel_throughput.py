#!/usr/bin/env python3
"""Bytes through regd's websocket tunnel: regd's CPU time per GiB sent.

  tests/bench/tunnel_throughput.py [--regd build/daemon/regd] [--gib 1] [--runs 3] [--scheme ws|wss]

A client upgrades through regd (--workers 1) to a backend that answers 101
and then discards what arrives, plain (ws) or over TLS (wss, with a
throwaway certificate regd trusts through SSL_CERT_FILE), and sends --gib
GiB. Wall time depends on this Python client and on the machine's load; the
CPU time regd spent meanwhile (utime + stime from /proc) is the figure.
"""
import argparse
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time

CHUNK = 256 * 1024
UPGRADE = (b"GET /ws HTTP/1.1\r\nHost: tunnel.bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_header(connection):
    header = b""
    while b"\r\n\r\n" not in header:
        data = connection.recv(4096)
        if not data:
            raise RuntimeError(f"connection closed before the header end: {header!r}")
        header += data
    return header


def serve_backend(listener, tls):
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=sink, args=(connection, tls), daemon=True).start()


def sink(connection, tls):
    try:
        if tls:
            connection = tls.wrap_socket(connection, server_side=True)
        read_header(connection)
        connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        buffer = bytearray(CHUNK)
        while connection.recv_into(buffer):
            pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        connection.close()


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def control(port, line):
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall((line + "\n").encode())
        return connection.makefile().readline().strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regd", default="build/daemon/regd")
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scheme", choices=["ws", "wss"], default="ws")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="regd-tunnel-bench-")
    environment = dict(os.environ)
    tls = None
    if args.scheme == "wss":
        certificate, key = os.path.join(work, "backend.pem"), os.path.join(work, "backend.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(certificate, key)
        environment["SSL_CERT_FILE"] = certificate

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    threading.Thread(target=serve_backend, args=(listener, tls), daemon=True).start()

    control_port, proxy_port, admin_port = free_port(), free_port(), free_port()
    # An empty configuration: an installed /etc/regd/regd.conf must not change what is measured.
    regd = subprocess.Popen([args.regd, "--config", "/dev/null", "--workers", "1", "--control", f"127.0.0.1:{control_port}",
                             "--listen", f"127.0.0.1:{proxy_port}", "--admin", f"127.0.0.1:{admin_port}",
                             "--state-dir", os.path.join(work, "state"), "--log-level", "error"], env=environment)
    try:
        deadline = time.time() + 10
        while True:
            try:
                session = control(control_port, 'REGISTER|bench|b1|9000|{"lease":"persistent"}').split("|")[1]
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        backend = f"{args.scheme}://127.0.0.1:{listener.getsockname()[1]}"
        route = control(control_port, f"ROUTE_ADD|{session}|tunnel.bench|/|{backend}|0").split("|")[1]
        control(control_port, f"OPTIONS_SET|{session}|{route}|websocket|true")
        assert control(control_port, f"CONFIG_APPLY|{session}") == "OK"

        payload = b"x" * CHUNK
        total = int(args.gib * (1 << 30))
        print(f"# {args.scheme}, {args.gib} GiB per run, load average {os.getloadavg()[0]:.1f}")
        for run in range(args.runs):
            with socket.create_connection(("127.0.0.1", proxy_port)) as client:
                client.sendall(UPGRADE)
                header = read_header(client)
                if not header.startswith(b"HTTP/1.1 101"):
                    raise RuntimeError(f"no upgrade: {header.decode(errors='replace')}")
                cpu_before, wall_before = cpu_seconds(regd.pid), time.time()
                sent = 0
                while sent < total:
                    client.sendall(payload)
                    sent += CHUNK
                client.shutdown(socket.SHUT_WR)
                while client.recv(4096):
                    pass
                cpu, wall = cpu_seconds(regd.pid) - cpu_before, time.time() - wall_before
            gib = sent / (1 << 30)
            print(f"run {run + 1}: {gib:.2f} GiB in {wall:.2f} s ({sent / (1 << 20) / wall:.0f} MiB/s), "
                  f"regd CPU {cpu:.2f} s = {cpu / gib * 1000:.0f} ms per GiB")
    finally:
        regd.terminate()
        regd.wait()


if __name__ == "__main__":
    main()
