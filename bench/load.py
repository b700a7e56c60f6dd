"""Bounded load test on loopback: a fixed request rate for minutes, errors, latency, memory.

``dystonia-cds serve`` runs in its own process (the real command, access log on, written
to a temporary file); the load comes from a separate Python process that sends requests
at a fixed rate (open loop: request *i* is due at ``start + i / rate``, whatever happened
to the ones before) over a few keep-alive connections. Latency is measured from the time
a request was due, so a server falling behind shows as latency, not as a lower rate
(no coordinated omission). Phases, same run:

1. baseline: ``GET /healthz`` at the same rate for ``--baseline-seconds``;
2. load: ``POST /v1/assess`` round-robin over the example cases (JSON) for ``--minutes``.

Printed: per minute of the load phase, requests, errors (non-200 or no answer), p50/p99,
and the server's resident memory (VmRSS from /proc, at start, every minute, at the end);
then the totals beside the baseline. Exit status 1 on any error. It is a benchmark, not a
test: run it niced on a shared machine.

    nice -n 10 python bench/load.py [--rate 50] [--minutes 10] [--baseline-seconds 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _http import example_bodies, free_port  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(status.parent.name) == pid or int(fields.get("PPid", "0").strip()) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def _pct(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * q))] if sorted_ms else 0.0


# --- the load generator (its own process) ------------------------------------------------

def _client(port: int, path: str, rate: float, seconds: float, connections: int) -> None:
    """Send ``rate`` requests/s for ``seconds``; print one JSON line per finished request
    batch (each second): [[due offset s, latency ms, status], ...]."""
    bodies = example_bodies() if path == "/v1/assess" else [b""]
    due: queue.Queue[tuple[int, float] | None] = queue.Queue()
    done: queue.Queue[tuple[float, float, int]] = queue.Queue()
    start = time.perf_counter() + 0.5

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        while (item := due.get()) is not None:
            i, at = item
            status = 0
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if path == "/healthz":
                    conn.request("GET", path)
                else:
                    conn.request("POST", path, body=bodies[i % len(bodies)],
                                 headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn = None  # no answer: counted as an error, reconnect for the next
            done.put((at - start, (time.perf_counter() - at) * 1e3, status))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    total = int(rate * seconds)
    batch: list[tuple[float, float, int]] = []
    last_flush = time.perf_counter()
    for i in range(total):
        at = start + i / rate
        while (now := time.perf_counter()) < at:
            time.sleep(min(at - now, 0.01))
        due.put((i, at))
        while not done.empty():
            batch.append(done.get())
        if now - last_flush >= 1.0:
            print(json.dumps(batch), flush=True)
            batch, last_flush = [], now
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    while not done.empty():
        batch.append(done.get())
    print(json.dumps(batch), flush=True)


# --- the driver ----------------------------------------------------------------------------

def _serve(port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("dystonia-cds")
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise SystemExit("the server did not start")


def _phase(port: int, path: str, rate: float, seconds: float, connections: int,
           server: int, every: float | None = None) -> dict[str, Any]:
    """Run one phase through a client process; memory sampled at start, each ``every``
    seconds and at the end."""
    cmd = [sys.executable, __file__, "--client-process", "--port", str(port), "--path", path,
           "--rate", str(rate), "--seconds", str(seconds), "--connections", str(connections)]
    client = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    results: list[tuple[float, float, int]] = []
    memory = [(0.0, _rss_mb(server))]
    t0 = time.monotonic()
    next_sample = every
    assert client.stdout is not None
    for line in client.stdout:
        results += [tuple(r) for r in json.loads(line)]  # type: ignore[misc]
        elapsed = time.monotonic() - t0
        if next_sample is not None and elapsed >= next_sample:
            memory.append((elapsed, _rss_mb(server)))
            next_sample += every  # type: ignore[operator]
    client.wait()
    memory.append((time.monotonic() - t0, _rss_mb(server)))
    return {"results": results, "memory": memory}


def _summary(results: list[tuple[float, float, int]]) -> dict[str, float]:
    ok = sorted(lat for _, lat, status in results if status == 200)
    return {"n": len(results), "errors": sum(1 for *_, s in results if s != 200),
            "p50": _pct(ok, 0.50), "p99": _pct(ok, 0.99), "max": ok[-1] if ok else 0.0}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=50.0, help="requests per second")
    p.add_argument("--minutes", type=float, default=10.0, help="length of the load phase")
    p.add_argument("--baseline-seconds", type=float, default=60.0)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--client-process", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    p.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.client_process:
        _client(args.port, args.path, args.rate, args.seconds, args.connections)
        return 0
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serve.log"
        server = _serve(port, log)
        try:
            for body in example_bodies():  # warm-up: every example once (the first loads HPO)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request("POST", "/v1/assess", body=body,
                             headers={"Content-Type": "application/json"})
                if conn.getresponse().status != 200:
                    raise SystemExit("an example case was not assessed")
            base = _phase(port, "/healthz", args.rate, args.baseline_seconds,
                          args.connections, server.pid)
            load = _phase(port, "/v1/assess", args.rate, args.minutes * 60,
                          args.connections, server.pid, every=60.0)
            log_lines = sum(1 for _ in log.open("rb"))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"dystonia-cds serve on 127.0.0.1 (1 worker, access log on: {log_lines} lines); "
          f"load: separate Python process, {args.connections} keep-alive connections, "
          f"fixed rate {args.rate:g} req/s, latency from the time each request was due; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'minute':>6} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'RSS MB':>8}")
    by_minute: dict[int, list[tuple[float, float, int]]] = {}
    for r in load["results"]:
        by_minute.setdefault(int(r[0] // 60), []).append(r)
    mem = load["memory"]
    print(f"{'start':>6} {'':>9} {'':>7} {'':>8} {'':>8} {mem[0][1]:8.1f}")
    for minute in sorted(by_minute):
        s = _summary(by_minute[minute])
        rss = next((m for t, m in mem[1:] if t >= (minute + 1) * 60 - 5), mem[-1][1])
        print(f"{minute + 1:6d} {s['n']:9.0f} {s['errors']:7.0f} {s['p50']:8.2f} "
              f"{s['p99']:8.2f} {rss:8.1f}")
    print(f"{'end':>6} {'':>9} {'':>7} {'':>8} {'':>8} {mem[-1][1]:8.1f}")
    total, hz = _summary(load["results"]), _summary(base["results"])
    print(f"/v1/assess {args.minutes:g} min: {total['n']:.0f} requests, {total['errors']:.0f} "
          f"errors, p50 {total['p50']:.2f} ms, p99 {total['p99']:.2f} ms, max "
          f"{total['max']:.0f} ms; RSS {mem[0][1]:.1f} -> {mem[-1][1]:.1f} MB")
    print(f"baseline /healthz {args.baseline_seconds:g} s: {hz['n']:.0f} requests, "
          f"{hz['errors']:.0f} errors, p50 {hz['p50']:.2f} ms, p99 {hz['p99']:.2f} ms")
    return 1 if total["errors"] or hz["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
