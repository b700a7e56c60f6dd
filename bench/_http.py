"""What the HTTP benches share: a free loopback port and the example cases as request bodies.

Imported by bench/api.py, bench/load.py and bench/first_request.py, which are run as scripts
(``python bench/NAME.py``), so this folder is on ``sys.path``.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def example_bodies() -> list[bytes]:
    """Every shipped example case as a JSON request body."""
    import yaml

    paths = sorted((REPO / "examples").glob("*.yaml"))
    return [json.dumps(yaml.safe_load(p.read_text()), default=str).encode() for p in paths]
