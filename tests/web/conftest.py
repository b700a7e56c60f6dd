"""Shared browser-test fixtures: a live uvicorn server, Debian's chromium through Playwright,
axe-core, screenshots in test-artifacts/. Skipped (with the reason) when chromium is absent;
.ci/run installs it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    import uvicorn

    from dystonia_cds.api import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning", ws="none", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    # The app's first assessment loads the HPO ontology for the genetic differential (~20 s
    # on a busy 2-core machine): done once here, so no page waits on it against a timeout.
    import httpx

    httpx.post(f"http://127.0.0.1:{port}/v1/assess", timeout=180, json={
        "dystonia": {"regions": [{"region": "neck"}]}, "imaging": [{"modality": "MRI"}]})
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """axe-core's axe.min.js: $AXE_CORE_JS, ./node_modules, or `npm pack axe-core`."""
    for candidate in (os.environ.get("AXE_CORE_JS"),
                      REPO / "node_modules" / "axe-core" / "axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("axe-core not found: set AXE_CORE_JS or install npm")
    folder = tmp_path_factory.mktemp("axe")
    out = subprocess.run([npm, "pack", "axe-core", "--silent"], cwd=folder, check=True,
                         capture_output=True, text=True, timeout=120)
    with tarfile.open(folder / out.stdout.strip().splitlines()[-1]) as tar:
        member = tar.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode("utf-8")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def tab(chromium: Any) -> Iterator[Any]:
    # bypass_csp: axe-core is injected as an inline script (the app's CSP forbids that;
    # the policy itself is tested in tests/api/test_security_headers.py).
    context = chromium.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()


def run_axe(page: Any, axe_js: str) -> None:
    page.add_script_tag(content=axe_js)
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    assert violations == [], violations


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
