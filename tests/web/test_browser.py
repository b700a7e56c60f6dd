"""Browser tests: Playwright for Python driving Debian's chromium (no browser download).

Fills the clinician form for the post-stroke example (the patient questionnaire is in
test_patient_flow.py, the clinician form's issue-15 findings in test_clinician_form.py), then
checks the report's first cause, the laterality check and the disclaimer against the API's
Assessment of the same example file; runs axe-core in each page.
Screenshots go to ``test-artifacts/`` (path printed). Skipped only when chromium is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import run_axe, screenshot

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


def _expected(name: str, audience: str) -> Any:
    kb = load_knowledge()
    return assess(load_case(EXAMPLES / name, kb), kb, audience=audience)


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


def test_clinician_form_post_stroke(tab: Any, live_url: str, axe_source: str) -> None:
    page = tab
    page.goto(f"{live_url}/?mode=clinician")
    run_axe(page, axe_source)
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
    screenshot(page, "form-clinician-post-stroke.png")
    page.focus("#show-report")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expected = _expected("post-stroke-arm.yaml", "clinician")
    _check_report(page, expected)
    assert page.locator('tr[data-check="laterality"]').first.get_attribute(
        "data-status") == "consistent"
    run_axe(page, axe_source)
    screenshot(page, "report-clinician-post-stroke.png")
    with page.expect_download() as download:
        page.click("text=Download Assessment (JSON)")
    assert download.value.suggested_filename == "assessment.json"
