#!/usr/bin/env python3
"""What a /metrics scrape of many routes costs the control protocol.

  tests/bench/metrics_scrape.py [--regd build/daemon/regd] [--routes 100000] [--scrapes 3]

Starts regd (--workers 1) with --routes idle routes, each its own host, added
with ROUTE_ADD_BULK and applied. A client sends PING every 5 ms on its own
control connection and records the slowest answer, first for a second with
nothing else going on, then while /metrics is fetched --scrapes times with
curl. Reports the page's size, each scrape's time, and the two slowest PINGs.
"""
import argparse
import json
import socket
import subprocess
import tempfile
import threading
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Pinger(threading.Thread):
    """PING every 5 ms on its own connection; `slowest` is the longest wait, in seconds."""

    def __init__(self, port):
        super().__init__()
        self.connection = socket.create_connection(("127.0.0.1", port)).makefile("rw")
        self.slowest = 0.0
        self.running = True

    def run(self):
        while self.running:
            started = time.monotonic()
            self.connection.write("PING\n")
            self.connection.flush()
            assert self.connection.readline().strip() == "PONG"
            self.slowest = max(self.slowest, time.monotonic() - started)
            time.sleep(0.005)

    def measure(self, seconds_or_action):
        self.slowest = 0.0
        if callable(seconds_or_action):
            seconds_or_action()
        else:
            time.sleep(seconds_or_action)
        return self.slowest


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regd", default="build/daemon/regd")
    parser.add_argument("--routes", type=int, default=100_000)
    parser.add_argument("--scrapes", type=int, default=3)
    args = parser.parse_args()

    control_port, proxy_port, admin_port = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory() as scratch:
        config = f"{scratch}/empty.conf"
        open(config, "w").close()
        regd = subprocess.Popen(
            [args.regd, "--config", config, "--control", f"127.0.0.1:{control_port}",
             "--listen", f"127.0.0.1:{proxy_port}", "--admin", f"127.0.0.1:{admin_port}",
             "--workers", "1", "--log-level", "warn", "--state-dir", f"{scratch}/state"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    control = socket.create_connection(("127.0.0.1", control_port)).makefile("rw")
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                raise SystemExit("regd did not start")

            def send(line):
                control.write(line + "\n")
                control.flush()
                return control.readline().strip()

            session = send('REGISTER|bench|metrics|0|{"lease":"persistent"}').split("|")[1]
            for first in range(0, args.routes, 5000):
                routes = [{"domains": [f"h{i}.bench.example"], "path": "/", "backend_url": "http://127.0.0.1:9000",
                           "priority": 0} for i in range(first, min(first + 5000, args.routes))]
                reply = send(f"ROUTE_ADD_BULK|{session}|" + json.dumps(routes, separators=(",", ":")))
                assert reply.startswith("ROUTE"), reply[:200]
            assert send(f"CONFIG_APPLY|{session}") == "OK"

            pinger = Pinger(control_port)
            pinger.start()
            quiet = pinger.measure(1.0)

            def scrape():
                for _ in range(args.scrapes):
                    started = time.monotonic()
                    size = subprocess.run(
                        ["curl", "-sf", "-o", "/dev/null", "-w", "%{size_download}",
                         f"http://127.0.0.1:{admin_port}/metrics"], capture_output=True, text=True, check=True).stdout
                    print(f"/metrics: {int(size) / 1e6:.1f} MB in {time.monotonic() - started:.3f} s")

            busy = pinger.measure(scrape)
            pinger.running = False
            pinger.join()
            print(f"slowest PING: {quiet * 1000:.1f} ms without scrapes, {busy * 1000:.1f} ms during them")
        finally:
            regd.kill()
            regd.wait()


if __name__ == "__main__":
    main()
