"""The first assessment after the server starts: cold (no warm-up) beside warm, same run.

Each mode starts its own server process (uvicorn over ``create_app(warm=...)``, loopback,
a free port), waits until ``GET /healthz`` answers (the start-up time, which includes the
lifespan's warm-up when on), then times ``POST /v1/assess`` of one example case three times
(the first one is what a first user waits for) and one other example. Printed per mode:
start-up to ready, first request, the next two, the other case. It is a benchmark, not a
test; on a shared machine the absolute figures move with the load, so compare the two rows
of the same run.

    python bench/first_request.py [--case examples/post-stroke-arm.yaml] [--repeat 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml
from _http import free_port  # bench/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
SERVER = """
import sys, uvicorn
from dystonia_cds.api import create_app
uvicorn.run(create_app(warm=sys.argv[2] == "warm"), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""


def _request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - start
    finally:
        conn.close()


def _wait_ready(port: int, proc: subprocess.Popen[bytes], limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server not ready in time")


def run(mode: str, case: bytes, other: bytes) -> dict[str, float]:
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), mode], cwd=REPO)
    try:
        _wait_ready(port, proc)
        out = {"ready_s": time.perf_counter() - start}
        for i in range(3):
            status, seconds = _request(port, "POST", "/v1/assess", case)
            if status != 200:
                raise SystemExit(f"{mode}: POST /v1/assess answered {status}")
            out[f"request{i + 1}_s"] = seconds
        out["other_case_s"] = _request(port, "POST", "/v1/assess", other)[1]
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--case", type=Path, default=REPO / "examples" / "post-stroke-arm.yaml")
    ap.add_argument("--other", type=Path, default=REPO / "examples" / "idiopathic-cervical.yaml")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each mode, alternating")
    args = ap.parse_args()
    case = json.dumps(yaml.safe_load(args.case.read_text())).encode()
    other = json.dumps(yaml.safe_load(args.other.read_text())).encode()
    rows = []
    for _ in range(args.repeat):
        for mode in ("cold", "warm"):
            rows.append((mode, run(mode, case, other)))
    print(f"case: {args.case.name}; other: {args.other.name}")
    print(f"{'mode':<6}{'ready':>10}{'1st request':>14}{'2nd':>9}{'3rd':>9}{'other':>9}")
    for mode, r in rows:
        print(f"{mode:<6}{r['ready_s']:>9.2f}s{r['request1_s']:>13.2f}s{r['request2_s']:>8.2f}s"
              f"{r['request3_s']:>8.2f}s{r['other_case_s']:>8.2f}s")


if __name__ == "__main__":
    main()
