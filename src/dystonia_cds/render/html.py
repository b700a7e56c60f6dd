"""HTML report (Jinja2) and its PDF (WeasyPrint): Assessment + Case → a cited, printable page.

One template serves the web report, the CLI's ``--format html`` and the PDF, so the three
never disagree. The document is self-contained (CSS inlined, SVG inline, no scripts), so a
saved file or a PDF looks the same anywhere. ``audience="patient"`` switches every statement
to its plain-language wording; rule ids and references stay available in both versions.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dystonia_cds.assessment import Assessment
from dystonia_cds.case import Case
from dystonia_cds.intake import case_to_yaml
from dystonia_cds.render.body_map import body_map_svg
from dystonia_cds.render.citations import cited_reference_ids, evidence_reference_ids
from dystonia_cds.render.letter import case_facts, demographics, summary_paragraph

TEMPLATES = Path(__file__).resolve().parent.parent / "api" / "templates"

SUPPORT_WORDS = {
    "clinician": {"strong": "strong", "moderate": "moderate", "weak": "weak",
                  "unsupported": "unsupported"},
    "patient": {"strong": "fits well", "moderate": "fits partly", "weak": "fits a little",
                "unsupported": "does not fit the information given"},
}
STATUS_WORDS = {
    "clinician": {"consistent": "consistent", "inconsistent": "inconsistent",
                  "not_applicable": "not applicable", "insufficient_data": "insufficient data"},
    "patient": {"consistent": "fits", "inconsistent": "does not fit",
                "not_applicable": "does not apply", "insufficient_data": "not enough information"},
}
CHECK_NAMES = {"laterality": "Laterality (side)", "latency": "Latency (timing)",
               "anatomy": "Anatomical correspondence", "exposure": "Drug exposure"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment for reports and pages (created on first use, then reused)."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html", "xml"]),
                       trim_blocks=True, lstrip_blocks=True)


def data_uri(text: str, media_type: str) -> str:
    return f"data:{media_type};charset=utf-8,{quote(text)}"


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def case_json(case: Case) -> str:
    return case.model_dump_json(by_alias=True, exclude_none=True, indent=2)


def report_context(a: Assessment, case: Case, audience: str = "clinician",
                   report_date: dt.date | None = None) -> dict[str, Any]:
    """Everything the report template reads; ``report_date`` defaults to today."""
    patient = audience == "patient"
    hyps = a.etiology.hypotheses
    leading = [h for i, h in enumerate(hyps) if i == 0 or h.support != "unsupported"]
    weak = [h for h in hyps if h not in leading and h.evidence]
    rest = [h for h in hyps if h not in leading and not h.evidence]
    day = report_date or dt.date.today()
    # printed: the sources of what the letter prints; screen only: cited by the unsupported
    # causes' evidence, which is on screen in a <details> that is not printed
    printed = cited_reference_ids(a, leading)
    return {
        "report_date": day.isoformat(),
        "facts": case_facts(case),
        "demographics": demographics(case),
        "summary_paragraph": summary_paragraph(a, case),
        "unsupported": [h.plain_label if patient else h.label
                        for h in hyps if h not in leading],
        "a": a,
        "case": case,
        "audience": "patient" if patient else "clinician",
        "patient": patient,
        "leading": leading,
        "weak": weak,
        "other_hypotheses": rest,
        "support_words": SUPPORT_WORDS["patient" if patient else "clinician"],
        "status_words": STATUS_WORDS["patient" if patient else "clinician"],
        "check_names": CHECK_NAMES,
        "references": {r.id: r for r in a.references},
        "printed_refs": printed,
        "screen_only_refs": evidence_reference_ids(weak) - printed,
        "body_map": body_map_svg(case),
        "case_json": case_json(case),
    }


def render_html(a: Assessment, case: Case, audience: str = "clinician",
                web: bool = False, figures: Sequence[tuple[str, bytes]] = (),
                report_date: dt.date | None = None) -> str:
    """The report as one self-contained HTML document.

    ``web=True`` adds the page controls: download links (Case YAML/JSON, Assessment JSON),
    a PDF export button and a link back to the questionnaire. ``figures`` are optional
    (caption, PNG bytes) pairs — e.g. lesion-mask figures — embedded as base64 images under
    the body map, each with its caption as alt text and figure caption.
    """
    if audience == "patient":  # its own document, every word plain (render/patient.py)
        from dystonia_cds.render.patient_html import render_patient_html

        return render_patient_html(a, case, web=web, report_date=report_date)
    ctx = report_context(a, case, audience, report_date)
    ctx["figures"] = [(caption, png_data_uri(png)) for caption, png in figures]
    if web:
        ctx["downloads"] = [
            ("Case (YAML)", "case.yaml", data_uri(case_to_yaml(case), "application/yaml")),
            ("Case (JSON)", "case.json", data_uri(ctx["case_json"], "application/json")),
            ("Assessment (JSON)", "assessment.json",
             data_uri(a.to_json(), "application/json")),
        ]
    ctx["web"] = web
    return environment().get_template("report.html").render(**ctx)


def render_error_page(problems: list[dict[str, Any]], title: str) -> str:
    return environment().get_template("error.html").render(problems=problems, title=title)


def render_pdf(html: str) -> bytes:
    """PDF bytes of a rendered report (needs WeasyPrint and the Pango libraries)."""
    from weasyprint import HTML  # imported here: optional, and slow to import

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def to_pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
