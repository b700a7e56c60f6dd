"""Start a real ``dystonia-cds serve`` process for the registry tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str | None, port: int, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    """The server on ``port`` (ready), its output appended to ``log``; ``url`` None: the
    default registry (SQLite in ``data_dir``, as ``dystonia-cds serve`` does for a user)."""
    env = {**os.environ, "DYSTONIA_CDS_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if url is not None:
        env["DATABASE_URL"] = url
    cmd = [sys.executable, "-c", "from dystonia_cds.cli import main; main()", "serve",
           "--port", str(port)]
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    # serve warms up before it answers (api/_warm.py: the HPO ontology and one assessment,
    # ~20 s alone and several times that on a busy 2-core machine)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")
