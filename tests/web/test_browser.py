"""Browser tests: Playwright for Python driving Debian's chromium (no browser download).

Fills the clinician form for the post-stroke example (the patient questionnaire is in
test_patient_flow.py, the clinician form's issue-15 findings in test_clinician_form.py), then
checks the report's first cause, the laterality check and the disclaimer against the API's
Assessment of the same example file; runs axe-core in each page.
Screenshots go to ``test-artifacts/`` (path printed). Skipped only when chromium is absent.
"""

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

from dystonia_cds import assess, load_case, load_knowledge

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
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


@pytest.fixture(scope="module")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> str:
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: the test injects axe-core as an inline script and waits on string
    # predicates (eval), both of which the app's Content-Security-Policy forbids; the
    # policy itself is checked in tests/api/test_security_headers.py.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()


def _expected(name: str, audience: str) -> Any:
    kb = load_knowledge()
    return assess(load_case(EXAMPLES / name, kb), kb, audience=audience)


def _axe(page: Any, axe_js: str) -> None:
    page.add_script_tag(content=axe_js)
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    assert violations == [], violations


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def _check_report(page: Any, expected: Any) -> None:
    top = expected.etiology.hypotheses[0]
    first = page.locator("li.cause").first
    assert first.get_attribute("data-category") == top.category
    label = top.plain_label if expected.disclaimer.startswith("This is") else top.label
    assert label in page.locator("#first-cause").inner_text()
    laterality = [c for c in expected.checks if c.id == "laterality"]
    rows = page.locator('tr[data-check="laterality"]')
    assert rows.count() == len(laterality)
    for i, check in enumerate(laterality):
        assert rows.nth(i).get_attribute("data-status") == check.status
    disclaimer = page.locator("#disclaimer")
    assert disclaimer.inner_text().strip() == expected.disclaimer
    assert disclaimer.bounding_box()["y"] < page.locator("#first-cause").bounding_box()["y"]


# The patient questionnaire's browser tests: tests/web/test_patient_flow.py (issue 15).


def test_clinician_form_post_stroke(page: Any, base_url: str, axe_js: str) -> None:
    page.goto(f"{base_url}/?mode=clinician")
    _axe(page, axe_js)
    page.select_option("#f-sex", "male")
    page.fill("#f-age", "P64Y")
    page.fill("#f-id", "post-stroke-arm")
    page.fill("#f-onset", "P63Y")
    page.select_option("#f-course", "static")
    page.select_option("#f-trick", "ineffective")
    for region in ("arm", "leg"):
        page.check(f"#region-{region}")
        page.select_option(f"#side-{region}", "right")
    page.check("#var-persistent")
    page.select_option("#feat-hemiparesis", "present")
    page.click("#add-events")
    row = page.locator("#rows-events .row").first
    row.locator('[data-key="type"]').select_option("stroke")
    row.locator('[data-key="before_onset"]').fill("P8M")
    row.locator('[data-key="side"]').select_option("left")
    row.locator('[data-key="severity"]').select_option("moderate")
    page.click("#add-imaging")
    im = page.locator("#rows-imaging .row").first
    im.locator('[data-key="normal"]').select_option("false")
    im.locator(".add-lesion").click()
    les = im.locator(".lesion").first
    les.locator('[data-key="side"]').select_option("left")
    les.locator('[data-key="structure"]').select_option("putamen")
    # Each change updates the leading cause without the (costly) next questions; the
    # "Update next questions" button is tested in test_clinician_form.py.
    page.wait_for_function("document.querySelector('#leading').innerText.includes('stroke')")
    assert "stroke" in page.locator("#leading").inner_text()
    _screenshot(page, "form-clinician-post-stroke.png")
    page.focus("#show-report")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expected = _expected("post-stroke-arm.yaml", "clinician")
    _check_report(page, expected)
    assert page.locator('tr[data-check="laterality"]').first.get_attribute(
        "data-status") == "consistent"
    _axe(page, axe_js)
    _screenshot(page, "report-clinician-post-stroke.png")
    with page.expect_download() as download:
        page.click("text=Download Assessment (JSON)")
    assert download.value.suggested_filename == "assessment.json"
