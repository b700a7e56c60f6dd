"""The printable report as a clinic letter: rendered to PDF, looked at page by page.

The PDF is made by WeasyPrint, its pages are drawn to PNG by poppler's pdftoppm (saved to
test-artifacts/ for a person to look at), and pypdf reads the text back: the page count,
the page numbers, the order of the sections, each reference URL once, and page 1 filled.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dystonia_cds import assess, load_case, load_knowledge
from dystonia_cds.render.html import render_html, report_context
from dystonia_cds.render.letter import case_facts, summary_paragraph, when

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts"
DAY = dt.date(2026, 12, 1)


def _report(name: str, audience: str = "clinician") -> tuple[str, object, object]:
    kb = load_knowledge()
    case = load_case(EXAMPLES / name, kb)
    a = assess(case, kb, audience=audience)
    return render_html(a, case, audience=audience, report_date=DAY), a, case


def test_when_words() -> None:
    assert when("P64Y") == "64 years"
    assert when("P45Y3M") == "45 years 3 months"
    assert when("P1D") == "1 day"
    assert when("2025-06-12") == "2025-06-12"
    assert when(None) == "not recorded"


def test_facts_table_lists_entered_and_unrecorded() -> None:
    kb = load_knowledge()
    facts = dict(case_facts(load_case(EXAMPLES / "post-stroke-arm.yaml", kb)))
    assert facts["Regions"] == "right arm, right leg"
    assert facts["Events"] == "stroke, moderate, left side, 8 months before onset"
    assert facts["Imaging"] == "MRI: left putamen"
    assert facts["Sensory trick"] == "ineffective"
    assert facts["Medications"] == "not recorded (unknown)"
    assert facts["Family history"] == "not recorded"


def test_summary_paragraph_names_top_cause_and_checks() -> None:
    kb = load_knowledge()
    case = load_case(EXAMPLES / "post-stroke-arm.yaml", kb)
    a = assess(case, kb)
    text = summary_paragraph(a, case)
    assert text.startswith("Hemidystonia (right arm, right leg), onset late adulthood")
    assert f"Leading cause: {a.top.label}, {a.top.support} support" in text
    assert "laterality consistent" in text and "latency consistent" in text


def test_html_letter_parts() -> None:
    html, a, _ = _report("post-stroke-arm.yaml")
    assert 'id="assessment-date">2026-12-01<' in html
    assert "male, age 64 years" in html
    assert 'id="sign-off"' in html and "Clinician name" in html and "Role" in html
    # unsupported causes in one line, with spaces between the names
    line = re.search(r'id="unsupported-line">(.*?)</p>', html, re.S)
    assert line is not None
    unsupported = [h.label for h in a.etiology.hypotheses if h.support == "unsupported"]
    assert "Considered and unsupported: " + "; ".join(unsupported) + "." in " ".join(
        line.group(1).split())
    assert "for:Degenerative" not in html and "recorded for:" not in html


def test_patient_report_has_no_sign_off() -> None:
    html, _, _ = _report("whiplash-neck.yaml", "patient")
    assert 'id="sign-off"' not in html
    assert 'id="assessment-date">2026-12-01<' in html


def _pdf_text_pages(pdf: bytes) -> list[str]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def _ink_bottom(png: Path) -> float:
    """How far down the page (0..1) the last non-white pixel row is, above the footer."""
    from PIL import Image

    im = Image.open(png).convert("L")
    w, h = im.size
    px = im.load()
    assert px is not None
    footer = int(h * 0.93)  # the running footer (page numbers) sits below this
    last = 0
    for y in range(footer):
        if any(px[x, y] < 200 for x in range(0, w, 2)):
            last = y
    return last / h


@pytest.mark.parametrize("name", ["post-stroke-arm.yaml", "metoclopramide-acute.yaml"])
def test_pdf_letter_pages(name: str) -> None:
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed")
    pytest.importorskip("PIL", reason="Pillow (a WeasyPrint dependency) is not installed")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    from dystonia_cds.render.html import render_pdf

    html, a, case = _report(name)
    pdf = render_pdf(html)
    stem = Path(name).stem
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"letter-{stem}.pdf").write_bytes(pdf)
    for old in ARTIFACTS.glob(f"letter-{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(ARTIFACTS / f"letter-{stem}.pdf"),
                    str(ARTIFACTS / f"letter-{stem}")], check=True, timeout=120)
    pngs = sorted(ARTIFACTS.glob(f"letter-{stem}-*.png"))
    pages = _pdf_text_pages(pdf)
    n = len(pages)
    assert len(pngs) == n
    assert 1 <= n <= 6, f"{n} pages: the letter should fit in a few pages"
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {n}" in text
    # page 1 is filled: the ink reaches the lower part of the page
    assert _ink_bottom(pngs[0]) > 0.75
    text = " ".join(pages)
    order = ["Date of assessment 2026-12-01", "Summary", "Facts entered", "Ranked causes",
             a.top.label, "Causal-link checks", "Next steps", "References", "Reviewed by",
             "Clinician name", " ".join(a.disclaimer.split())]
    if a.treatment_information:
        order.insert(order.index("References"), "Treatment information")
    at = 0
    for heading in order:  # each one after the one before
        found = text.find(" ".join(heading.split()), at)
        assert found >= 0, f"{heading!r} missing or out of order (searched from {at})"
        at = found + 1
    # the summary paragraph comes first: page 1 carries it and the facts
    assert "Leading cause:" in pages[0] and "Facts entered" in pages[0]
    # each printed statement's reference printed once, by DOI (a long URL may break across
    # lines: spaces dropped); one cited only by the unsupported causes' evidence (on screen
    # in a collapsed section, not printed) is not printed at all
    compact = text.replace(" ", "")
    ctx = report_context(a, case)
    assert ctx["printed_refs"]
    for r in a.references:
        if r.doi:
            assert compact.count(r.doi) == (r.id in ctx["printed_refs"]), r.id
