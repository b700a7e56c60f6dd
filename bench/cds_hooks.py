"""Benchmark: CDS Hooks patient-view p99 latency on loopback (with prefetch) beside /healthz.

Runs uvicorn in a thread on 127.0.0.1, sends N sequential requests to each endpoint in the
same run, and prints p50/p99 and the ratio. Aim: patient-view p99 within 2x of /healthz
plus the engine, and under the 500 ms EHR integrations commonly expect.

    python bench/cds_hooks.py [N]
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from dystonia_cds.adapters._fhir_read import collect_resources
from dystonia_cds.api import cds_hooks

BUNDLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "fhir" / "whiplash-neck.json"


def _app() -> FastAPI:
    app = FastAPI()
    app.include_router(cds_hooks.router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _body() -> dict[str, object]:
    res = collect_resources(json.loads(BUNDLE.read_text()))
    return {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/1", "patientId": "p"},
            "prefetch": {"patient": res[0], "conditions": {
                "resourceType": "Bundle", "type": "searchset",
                "entry": [{"resource": r} for r in res[1:]]}}}


def _times(client: httpx.Client, n: int, method: str, url: str, **kw: object) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        client.request(method, url, **kw).raise_for_status()  # type: ignore[arg-type]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(n: int = 300) -> None:
    server = uvicorn.Server(uvicorn.Config(_app(), host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    body = _body()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        _times(client, 20, "POST", "/cds-services/dystonia-etiology", json=body)  # warm-up
        health = _times(client, n, "GET", "/healthz")
        view = _times(client, n, "POST", "/cds-services/dystonia-etiology", json=body)
    server.should_exit = True
    thread.join()
    h99, v99 = _p(health, 99), _p(view, 99)
    print(f"requests per endpoint: {n}")
    print(f"/healthz       p50 {_p(health, 50):7.2f} ms  p99 {h99:7.2f} ms")
    print(f"patient-view   p50 {_p(view, 50):7.2f} ms  p99 {v99:7.2f} ms")
    print(f"ratio p99 patient-view / healthz: {v99 / h99:.1f}x; "
          f"under 500 ms: {'yes' if v99 < 500 else 'NO'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
