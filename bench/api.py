"""HTTP benchmark: POST /v1/assess on the example cases beside GET /healthz, same run.

Starts uvicorn on loopback (a subprocess), then a bounded client (a few threads, each with
one keep-alive stdlib HTTP connection, lighter than an async client) sends N requests per
phase: /healthz alone, /v1/assess alone (round-robin over the example cases, JSON bodies),
then both interleaved. Prints p50/p99 latency and
requests/s per phase and the assess/healthz ratios. The client shares the machine's cores
with the server, so absolute numbers are a floor; the ratios are the point.

    python bench/api.py --requests 2000 --concurrency 4 --workers 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bodies() -> list[bytes]:
    paths = sorted((REPO / "examples").glob("*.yaml"))
    return [json.dumps(yaml.safe_load(p.read_text()), default=str).encode() for p in paths]


def _start(port: int, workers: int) -> subprocess.Popen[bytes]:
    code = ("from dystonia_cds.cli.serve import run_server; "
            f"run_server('127.0.0.1', {port}, {workers}, access_log=False, log_level='warning')")
    cmd = [sys.executable, "-c", code]
    proc = subprocess.Popen(cmd, cwd=REPO)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("uvicorn did not start")


def _phase(port: int, jobs: list[tuple[str, bytes | None]],
           concurrency: int) -> tuple[float, dict[str, list[float]]]:
    """Run ``jobs`` on ``concurrency`` threads, each with one keep-alive connection."""
    lock = threading.Lock()
    todo = iter(jobs)
    lat: dict[str, list[float]] = {"assess": [], "healthz": []}
    headers = {"Content-Type": "application/json"}

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: dict[str, list[float]] = {"assess": [], "healthz": []}
        while True:
            with lock:
                job = next(todo, None)
            if job is None:
                break
            kind, body = job
            t0 = time.perf_counter()
            if body is None:
                conn.request("GET", "/healthz")
            else:
                conn.request("POST", "/v1/assess", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine[kind].append(time.perf_counter() - t0)
            if resp.status != 200:
                raise SystemExit(f"{kind}: HTTP {resp.status}")
        conn.close()
        with lock:
            for k, v in mine.items():
                lat[k].extend(v)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, lat


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _run(port: int, n: int, concurrency: int) -> None:
    bodies = _bodies()
    assess_jobs: list[tuple[str, bytes | None]] = [
        ("assess", bodies[i % len(bodies)]) for i in range(n)]
    health_jobs: list[tuple[str, bytes | None]] = [("healthz", None)] * n
    mixed = [job for pair in zip(assess_jobs, health_jobs, strict=True) for job in pair]
    _phase(port, assess_jobs[: min(200, n)], concurrency)  # warm-up
    results = {}
    for name, jobs in (("healthz", health_jobs), ("assess", assess_jobs), ("mixed", mixed)):
        results[name] = _phase(port, jobs, concurrency)
    print(f"{'phase':8} {'endpoint':8} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for name, (wall, lat) in results.items():
        for kind, values in lat.items():
            if values:
                print(f"{name:8} {kind:8} {len(values):6d} {statistics.median(values) * 1000:8.2f}"
                      f" {_pct(values, 0.99):8.2f} {len(values) / wall:8.0f}")
    h, a = results["healthz"][1]["healthz"], results["assess"][1]["assess"]
    m = results["mixed"][1]
    p50 = statistics.median(a) / statistics.median(h)
    rate_a, rate_h = len(a) / results["assess"][0], len(h) / results["healthz"][0]
    print(f"ratio assess/healthz (separate phases): p50 {p50:.1f}x, "
          f"p99 {_pct(a, .99) / _pct(h, .99):.1f}x, "
          f"throughput {rate_a:.0f} vs {rate_h:.0f} req/s ({rate_a / rate_h:.2f}x)")
    print(f"ratio assess/healthz (mixed run):       p99 "
          f"{_pct(m['assess'], .99) / _pct(m['healthz'], .99):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per phase")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    port = _free_port()
    proc = _start(port, args.workers)
    try:
        print(f"uvicorn workers={args.workers}, client concurrency={args.concurrency}, "
              f"cpus={os.cpu_count()}")
        _run(port, args.requests, args.concurrency)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
