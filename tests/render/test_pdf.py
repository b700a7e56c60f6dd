"""PDF export: the PDF's text carries the first cause and the disclaimer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from dystonia_cds import assess, load_case, load_knowledge
from dystonia_cds.render.html import render_html

pytest.importorskip("weasyprint", reason="WeasyPrint is not installed (pip install weasyprint)")
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.parametrize(("name", "audience"), [("post-stroke-arm.yaml", "clinician"),
                                                ("whiplash-neck.yaml", "patient")])
def test_pdf_contains_first_cause_and_disclaimer(name: str, audience: str) -> None:
    from dystonia_cds.render.html import render_pdf

    kb = load_knowledge()
    case = load_case(EXAMPLES / name, kb)
    a = assess(case, kb, audience=audience)
    pdf = render_pdf(render_html(a, case, audience=audience))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    top = a.top.plain_label if audience == "patient" else a.top.label
    assert " ".join(top.split()) in text
    assert " ".join(a.disclaimer.split()) in text


def test_pdf_endpoint() -> None:
    import yaml
    from fastapi.testclient import TestClient

    from dystonia_cds.api import create_app

    client = TestClient(create_app())
    case = json.dumps(yaml.safe_load((EXAMPLES / "post-stroke-arm.yaml").read_text()))
    r = client.post("/report/pdf", data={"case": case, "audience": "clinician"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "post-stroke-arm" in r.headers["content-disposition"]
    assert "Acquired: after a stroke (vascular)" in _text(r.content)
