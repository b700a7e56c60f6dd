"""The patient report as HTML (web page, ``--format html``/``pdf`` with ``--audience patient``).

Why a template of its own (``report_patient.html``): the clinician report is a clinic letter
with evidence tables; the patient report is a different document — the care level first, the
answers given, the causes in plain words — and it must not inherit any clinician wording.
Its words all come from :mod:`dystonia_cds.render.patient`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dystonia_cds.assessment import Assessment
from dystonia_cds.case import Case
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.render.body_map import body_map_svg
from dystonia_cds.render.patient import patient_report

__all__ = ["render_patient_html"]

TEMPLATES = Path(__file__).resolve().parent.parent / "api" / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html", "xml"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_patient_html(a: Assessment, case: Case, *, web: bool = False,
                        kb: KnowledgeBase | None = None,
                        warning_signs_present: Iterable[str] = (),
                        report_date: dt.date | None = None) -> str:
    """One self-contained HTML document in plain language (no scripts unless ``web``)."""
    signs = list(dict.fromkeys(warning_signs_present))
    report = patient_report(a, case, kb, signs)
    return _environment().get_template("report_patient.html").render(
        a=a, p=report, body_map=body_map_svg(case, plain=True), web=web,
        report_date=(report_date or dt.date.today()).isoformat(),
        case_json=case.model_dump_json(by_alias=True, exclude_none=True, indent=2),
        warning_signs_present=signs)
