"""Issue 15, clinician form in real Chromium: times typed as people say them and shown back
(ISO stored), several lesions per scan with their nature, several events and medicines, and
a body picture that sets regions and sides by mouse and keyboard. Screenshot:
test-artifacts/clinician-form.png; axe-core on the form and the report.
"""

from __future__ import annotations

from typing import Any

from dystonia_cds import Case, assess, load_knowledge

from .conftest import run_axe, screenshot


def _case(page: Any) -> dict[str, Any]:
    out: dict[str, Any] = page.evaluate("window.DystoniaCase()")
    return out


def _parsed(page: Any, field: Any) -> str:
    """The parsed value shown under a time field, once the server has answered."""
    field.dispatch_event("change")
    out = field.locator("xpath=following-sibling::output[1]")
    page.wait_for_function("el => el.textContent.length > 0", arg=out.element_handle())
    text: str = out.inner_text()
    return text


def test_times_as_typed_are_shown_back_and_stored_as_iso(tab: Any, live_url: str) -> None:
    page = tab
    page.goto(f"{live_url}/?mode=clinician")
    age = page.locator("#f-age")
    age.fill("52")
    assert _parsed(page, age) == "Read as: 52 years old (stored as P52Y)"
    onset = page.locator("#f-onset")
    onset.fill("1 March 2024")
    assert "stored as 2024-03-01" in _parsed(page, onset)
    page.click("#add-events")
    latency = page.locator("#rows-events .row").first.locator('[data-key="before_onset"]')
    latency.fill("3")  # a bare number is never guessed as days or months
    assert _parsed(page, latency).startswith("Not understood: a number needs a unit")
    assert latency.get_attribute("aria-invalid") == "true"
    latency.fill("2 days")
    assert _parsed(page, latency) == "Read as: 2 days (stored as P2D)"
    assert latency.get_attribute("aria-invalid") is None
    page.check("#region-neck")
    built = _case(page)
    assert built["patient"]["age"] == "P52Y"
    assert built["dystonia"]["onset"] == "2024-03-01"
    assert built["events"][0]["before_onset"] == "P2D"


def test_clinician_form_lesions_events_medicines_and_body_picture(
        tab: Any, live_url: str, axe_source: str) -> None:
    page = tab
    page.goto(f"{live_url}/?mode=clinician")
    run_axe(page, axe_source)
    page.fill("#f-id", "form-demo")
    page.fill("#f-age", "64 years")
    page.fill("#f-onset", "63")
    # body picture: mouse for the right arm, keyboard for the right leg
    page.click('svg.body-picker [data-region="arm"][data-side="right"]')
    page.focus('svg.body-picker [data-region="leg"][data-side="right"]')
    page.keyboard.press("Space")
    assert page.locator("#region-arm").is_checked() and page.locator("#region-leg").is_checked()
    assert page.locator("#side-arm").input_value() == "right"
    assert page.locator('svg.body-picker [data-region="leg"][data-side="right"]')\
        .get_attribute("aria-checked") == "true"
    # ... and the other way: the checkbox sets the picture
    page.check("#region-neck")
    assert page.locator('svg.body-picker [data-region="neck"]').get_attribute(
        "aria-checked") == "true"
    page.uncheck("#region-neck")
    page.select_option("#feat-hemiparesis", "present")
    # two events
    page.click("#add-events")
    page.click("#add-events")
    ev = page.locator("#rows-events .row")
    ev.nth(0).locator('[data-key="type"]').select_option("stroke")
    ev.nth(0).locator('[data-key="before_onset"]').fill("8 months")
    ev.nth(0).locator('[data-key="side"]').select_option("left")
    ev.nth(1).locator('[data-key="type"]').select_option("head_injury")
    ev.nth(1).locator('[data-key="when"]').fill("40")
    # two medicines
    page.click("#add-medications")
    page.click("#add-medications")
    meds = page.locator("#rows-medications .row")
    meds.nth(0).locator('[data-key="drug"]').fill("haloperidol")
    meds.nth(0).locator('[data-key="before_onset"]').fill("2 years")
    meds.nth(1).locator('[data-key="drug"]').fill("sertraline")
    # one scan, two lesions: an infarct and a haemorrhage
    page.click("#add-imaging")
    im = page.locator("#rows-imaging .row").first
    im.locator('[data-key="normal"]').select_option("false")
    im.locator(".add-lesion").click()
    im.locator(".add-lesion").click()
    les = im.locator(".lesion")
    les.nth(0).locator('[data-key="side"]').select_option("left")
    les.nth(0).locator('[data-key="structure"]').select_option("putamen")
    les.nth(0).locator('[data-key="nature"]').select_option("infarct")
    les.nth(1).locator('[data-key="side"]').select_option("left")
    les.nth(1).locator('[data-key="structure"]').select_option("thalamus")
    les.nth(1).locator('[data-key="nature"]').select_option("haemorrhage")
    page.evaluate("window.DystoniaTimes.all()")
    page.wait_for_function("[...document.querySelectorAll('input[data-time]')]"
                           ".every(e => !e.value || e.dataset.parsedFrom === e.value.trim())")
    built = _case(page)
    assert built["patient"]["age"] == "P64Y" and built["dystonia"]["onset"] == "P63Y"
    assert built["dystonia"]["regions"] == [{"region": "arm", "side": "right"},
                                            {"region": "leg", "side": "right"}]
    assert [(e["type"], e.get("before_onset"), e.get("when")) for e in built["events"]] == [
        ("stroke", "P8M", None), ("head_injury", None, "P40Y")]
    assert [m["drug"] for m in built["medications"]] == ["haloperidol", "sertraline"]
    assert built["medications"][0]["before_onset"] == "P2Y"
    assert built["imaging"][0]["lesions"] == [
        {"side": "left", "structure": "putamen", "nature": "infarct"},
        {"side": "left", "structure": "thalamus", "nature": "haemorrhage"}]
    page.click("#update")  # the next questions (the costly part) on demand
    page.wait_for_function("document.querySelector('#leading').innerText.length > 0",
                           timeout=90_000)
    run_axe(page, axe_source)
    screenshot(page, "clinician-form.png")
    with page.expect_navigation():
        page.click("#show-report")
    kb = load_knowledge()
    expected = assess(Case.model_validate(built), kb)
    top = expected.etiology.hypotheses[0]
    assert page.locator("li.cause").first.get_attribute("data-category") == top.category
    assert top.label in page.locator("#first-cause").inner_text()
    run_axe(page, axe_source)
