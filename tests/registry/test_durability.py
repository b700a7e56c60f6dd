"""``kill -9`` of the server in a burst of writes: no acknowledged version lost, no
half-written one — on both back ends. A real ``dystonia-cds serve`` process is started,
written to by several clients, killed with SIGKILL, restarted, and counted again."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from tests.registry.server import free_port, serve

from dystonia_cds import KnowledgeBase
from dystonia_cds.registry import Registry, RegistrySettings, local_admin

pytest.importorskip("uvicorn", reason="the web extra is not installed")
CASE = {"dystonia": {"regions": [{"region": "arm", "side": "right"}], "onset": "P45Y"}}
KILL_AFTER = 40


def test_kill_9_loses_no_acknowledged_write(db_url: str, kb: KnowledgeBase,
                                            tmp_path: Path) -> None:
    reg = Registry(RegistrySettings(url=db_url), kb)
    token = reg.add_account(local_admin("test"), "burst", "clinician")
    reg.close()
    port, log = free_port(), tmp_path / "server.log"
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    server = serve(db_url, port, tmp_path, log)
    acked: list[tuple[str, int]] = []
    lock, stop = threading.Lock(), threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=base, headers=auth, timeout=10) as http:
            i = 0
            while not stop.is_set():
                try:
                    r = http.post("/v1/cases", json={**CASE, "id": f"k{n}-{i}"})
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acked.append((r.json()["id"], r.json()["version"]))
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while len(acked) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)  # in the middle of the burst
        server.wait(10)
    finally:
        stop.set()
        for t in threads:
            t.join(15)
        if server.poll() is None:
            server.kill()
    assert len(acked) >= KILL_AFTER, log.read_text()[-2000:]

    reg = Registry(RegistrySettings(url=db_url), kb)
    try:
        with reg.engine.connect() as conn:
            versions = set(conn.execute(text("SELECT case_id, version FROM case_versions")).all())
            orphans = conn.execute(text(
                "SELECT count(*) FROM case_versions v WHERE NOT EXISTS (SELECT 1 FROM "
                "assessments a WHERE a.case_version_id = v.id) OR NOT EXISTS (SELECT 1 "
                "FROM audit_log l WHERE l.case_id = v.case_id AND l.version = v.version)"
            )).scalar()
            cases = conn.execute(text("SELECT count(*) FROM cases")).scalar()
    finally:
        reg.close()
    assert set(acked) <= versions, "an acknowledged version was lost"
    assert orphans == 0, "a version without its assessment or audit entry (half-written)"
    assert cases == len(versions)  # every case row has its one version
    # at most the writes in flight at the kill are committed but unacknowledged
    assert len(versions) - len(acked) <= 4

    server = serve(db_url, port, tmp_path, log)  # restart: everything is still there
    try:
        with httpx.Client(base_url=base, headers=auth, timeout=10) as http:
            seen, after = 0, None
            while True:
                page = http.get("/v1/cases", params={"limit": 500, **(
                    {"after": after} if after else {})}).json()
                seen += len(page["items"])
                after = page["next"]
                if after is None:
                    break
            assert seen == len(versions)
            assert http.post("/v1/cases", json={**CASE, "id": "after-restart"}).status_code == 201
    finally:
        server.terminate()
        server.wait(15)
