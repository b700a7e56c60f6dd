"""Issue 15, patient questionnaire in real Chromium: one question at a time and no verdict
on the way, warning signs first, the side never invented, variability, several events and
medicines, a review page where answers change, then a plain report that says how soon to
seek care. Screenshots of each stage go to test-artifacts/patient-*.png.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dystonia_cds import Case, assess, load_knowledge

from .conftest import run_axe, screenshot

textstat = pytest.importorskip("textstat", reason="textstat==0.7.3 is in the [test] extra")


def _next(page: Any) -> None:
    step = page.evaluate("document.body.dataset.step")
    page.focus("#next")
    page.keyboard.press("Enter")  # keyboard, not a mouse click
    page.wait_for_function("prev => document.body.dataset.step !== prev", arg=step)


def _case(page: Any) -> dict[str, Any]:
    out: dict[str, Any] = page.evaluate("window.DystoniaCase()")
    return out


def _no_verdict(page: Any) -> None:
    """Nothing about causes or support may show before the report."""
    assert page.locator("#suggestions").count() == 0
    body = page.locator("body").inner_text()
    for word in ("Leading", "fits well", "support", "strong", "likely"):
        assert word not in body, word


ANSWERS = {
    "warning": lambda p: p.check("#warning-none"),
    "regions": lambda p: p.click('svg.body-picker [data-region="neck"]'),
    "onset": lambda p: (p.fill("#age-now", "39"), p.fill("#onset-age", "38")),
    "events": lambda p: (p.check("#had_event-yes"),
                         p.locator(".event-row").first.locator('[data-key="type"]')
                         .select_option("whiplash"),
                         p.locator(".event-row").first.locator('[data-key="ago"]').fill("5"),
                         p.locator(".event-row").first.locator('[data-key="unit"]')
                         .select_option("D"),
                         p.locator(".event-row").first.locator('[data-key="body_site"]')
                         .select_option("neck")),
    "trick": lambda p: p.check("#sensory_trick-ineffective"),
    "sleep": lambda p: p.check("#sleep-yes"),
    "course": lambda p: (p.check("#course-static"), p.check("#fixed-no")),
    "variability": lambda p: p.check("#variability-persistent"),
    "medications": lambda p: p.check("#meds-none"),
    "imaging": lambda p: p.check("#scan-normal"),
    "family": lambda p: p.check("#family-no"),
    "features": lambda p: (p.check("#feature-pain"),
                           p.check("#feature-limited_neck_movement")),
}


def test_patient_flow_one_question_at_a_time_review_then_report(
        tab: Any, live_url: str, axe_source: str) -> None:
    page = tab
    page.goto(f"{live_url}/?mode=patient")
    run_axe(page, axe_source)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("document.body.dataset.step") == "warning"  # warning signs first
    screenshot(page, "patient-1-warning-signs.png")
    seen: list[str] = []
    while page.evaluate("document.body.dataset.step") != "review":
        step = page.evaluate("document.body.dataset.step")
        assert step not in seen, seen
        seen.append(step)
        assert page.locator(".step:not([hidden])").count() == 1  # one question at a time
        assert not page.locator("#show-report").is_visible()  # no report before the review
        _no_verdict(page)
        ANSWERS[step](page)
        if step == "regions":
            screenshot(page, "patient-2-body-picture.png")
        _next(page)
    assert sorted(seen) == sorted(ANSWERS), seen
    # The review page lists every answer and lets one be changed.
    _no_verdict(page)
    review = page.locator("#review-list").inner_text()
    assert "39" in review and "whiplash" in review and "it is there all the time" in review
    assert "even when you rest? no" in review  # a sub-question's answer says what it answers
    screenshot(page, "patient-3-review.png")
    run_axe(page, axe_source)
    page.click('button.change[data-goto="onset"]')
    assert page.evaluate("document.body.dataset.step") == "onset"
    page.fill("#onset-age", "37")
    _next(page)  # "Back to the summary"
    assert page.evaluate("document.body.dataset.step") == "review"
    assert "37" in page.locator('#review-list dd[data-step="onset"]').inner_text()
    built = _case(page)
    assert built["dystonia"]["onset"] == "P37Y"
    assert built["dystonia"]["variability"] == ["persistent"]
    with page.expect_navigation():
        page.click("#show-report")
    kb = load_knowledge()
    expected = assess(Case.model_validate(built), kb, audience="patient")
    top = expected.etiology.hypotheses[0]
    assert page.locator("li.cause").first.get_attribute("data-category") == top.category
    assert top.plain_label in page.locator("#first-cause").inner_text()
    assert page.locator("#disclaimer").inner_text().strip() == expected.disclaimer
    care = page.locator("#seek-care")
    assert care.get_attribute("data-level") == "routine"
    assert care.bounding_box()["y"] < page.locator("#first-cause").bounding_box()["y"]
    # every word the patient reads: plain (grade <= 9), no ids, no study prose
    text = page.evaluate("""() => { const m = document.querySelector('body').cloneNode(true);
        m.querySelectorAll('.references, .versions, .skip, nav, svg').forEach(e => e.remove());
        return m.innerText; }""")
    assert textstat.flesch_kincaid_grade(text) <= 9.0
    for bad in ("R-PT", "acquired_peripheral_trauma", "Pain: pain", "support)", "Sankhla",
                "Keep records"):
        assert bad not in text, bad
    assert page.locator("svg.body-map").count() == 1
    run_axe(page, axe_source)
    screenshot(page, "patient-4-report.png")


def test_side_defaults_to_not_sure_and_the_picture_sets_it(tab: Any, live_url: str) -> None:
    page = tab
    page.goto(f"{live_url}/?mode=patient")
    page.check("#warning-none")
    _next(page)
    assert page.locator("#side-leg").input_value() == ""  # "not sure" is the default
    page.check("#region-leg")
    assert _case(page)["dystonia"]["regions"] == [{"region": "leg"}]  # no side invented
    # both leg parts show "side unknown" on the picture
    assert page.locator('svg.body-picker [data-region="leg"][aria-checked="mixed"]').count() == 2
    # the picture, by keyboard: the right arm, then the left arm too → bilateral
    page.focus('svg.body-picker [data-region="arm"][data-side="right"]')
    page.keyboard.press("Space")
    assert {"region": "arm", "side": "right"} in _case(page)["dystonia"]["regions"]
    page.focus('svg.body-picker [data-region="arm"][data-side="left"]')
    page.keyboard.press("Enter")
    assert {"region": "arm", "side": "bilateral"} in _case(page)["dystonia"]["regions"]
    assert page.locator("#side-arm").input_value() == "bilateral"
    page.click('svg.body-picker [data-region="arm"][data-side="right"]')
    assert page.locator("#side-arm").input_value() == "left"


def test_several_events_and_medicines_and_a_warning_sign(tab: Any, live_url: str) -> None:
    page = tab
    page.goto(f"{live_url}/?mode=patient")
    assert not page.locator("#urgent-alert").is_visible()
    page.check("#warning-breathing_swallowing")
    assert page.locator("#urgent-alert").is_visible()  # at once, not at the end
    assert "Get help now" in page.locator("#urgent-alert").inner_text()
    _next(page)
    page.check("#region-larynx")
    _next(page)
    # answer every question; add two events and two medicines on the way
    for _ in range(20):
        step = page.evaluate("document.body.dataset.step")
        if step == "review":
            break
        if step == "events":
            page.check("#had_event-yes")
            page.click("#add-event")
            rows = page.locator(".event-row")
            rows.nth(0).locator('[data-key="type"]').select_option("head_injury")
            rows.nth(1).locator('[data-key="type"]').select_option("dental_procedure")
        if step == "medications":
            page.check("#meds-yes")
            page.click("#add-med")
            meds = page.locator(".med-row")
            meds.nth(0).locator('[data-key="drug"]').fill("metoclopramide")
            meds.nth(0).locator('[data-key="ago"]').fill("2")
            meds.nth(1).locator('[data-key="drug"]').fill("sertraline")
        _next(page)
    built = _case(page)
    assert [e["type"] for e in built["events"]] == ["head_injury", "dental_procedure"]
    assert [m["drug"] for m in built["medications"]] == ["metoclopramide", "sertraline"]
    assert built["medications"][0]["before_onset"] == "P2D"
    with page.expect_navigation():
        page.click("#show-report")
    assert page.locator("#seek-care").get_attribute("data-level") == "urgent"
    assert "Get help now" in page.locator("#seek-care").inner_text()
    # the sign travels with the report's own forms (PDF, the doctor's version)
    assert page.locator('form[action="/report/pdf"] input[name="warning_sign"]').get_attribute(
        "value") == "breathing_swallowing"
    assert json.loads(page.locator('form[action="/report/pdf"] input[name="case"]')
                      .get_attribute("value"))["dystonia"]["regions"] == [{"region": "larynx"}]
