"""The cohort summary: an HTML page with PNG figures, for the people who act on a screening.

Why figures: a quality team looks first at how many patients have which cause, how long
after the exposure the dystonia began, how often the side of a brain lesion fits, and which
flags call for a review — a few plots say that faster than a million rows. The page also
shows the command line and the counts of the run, so it can be reproduced and its
denominators checked. Drawn with matplotlib's object API (Figure + Agg canvas, no pyplot
state); Jinja2 autoescapes every value written into the page.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from jinja2 import Environment

from dystonia_cds.cohort.rows import CHECKS

__all__ = ["FLAGS", "write_summary"]

FLAGS = {
    "flag_offending_drug_active": "dystonia-inducing drug still active (drug-induced cause leads)",
    "flag_laterality_inconsistent": "side of the lesion or event does not fit the dystonia",
    "flag_dopa_responsive_no_levodopa": "dopa-responsive pattern, no levodopa recorded",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort screening summary</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}
code{background:#f3f3f3;padding:.1rem .3rem}img{max-width:100%}</style></head><body>
<h1>Cohort screening summary</h1>
<p>Decision support for review, not a diagnosis: each row is a lead for a clinician to check.</p>
<p>Made by <code>{{ command }}</code> — engine {{ info.engine }}, dystonia-cds
{{ info.engine_version }}, knowledge {{ info.knowledge_version }}, {{ info.seconds }} s.</p>
<h2>The run</h2>
<table>
<tr><th>resources read</th><td>{{ counts.lines }}</td></tr>
<tr><th>patients in the export</th><td>{{ counts.patient_resources }}</td></tr>
<tr><th>patients with a dystonia code</th><td>{{ counts.selected }}</td></tr>
<tr><th>patients assessed (rows)</th><td>{{ info.rows }}</td></tr>
<tr><th>errors (see the errors file)</th><td>{{ info.errors }}</td></tr>
</table>
<h2>Primary or acquired</h2>
<table>{% for k, v in summary %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
{% for fig in figures %}<h2>{{ fig.title }}</h2>
<img src="{{ fig.src }}" alt="{{ fig.alt }}">{% endfor %}
<h2>Flags</h2>
<table>{% for label, n in flags %}<tr><th>{{ label }}</th><td>{{ n }}</td></tr>{% endfor %}
</table>
</body></html>
"""


def _figure(width: float = 7.0, height: float = 4.0) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, format="png")


def _by_cause(rows: dict[str, list[Any]], path: Path) -> None:
    counts = Counter(rows["top_category"])
    names = sorted(counts, key=lambda c: -counts[c])
    fig = _figure()
    ax = fig.add_subplot()
    ax.barh(names[::-1], [counts[n] for n in names[::-1]], color="#4c72b0")
    ax.set_xlabel("patients (leading cause)")
    _save(fig, path)


def _latency(rows: dict[str, list[Any]], path: Path) -> None:
    by: dict[str, list[int]] = {}
    for cause, days in zip(rows["top_category"], rows["latency_days"], strict=True):
        if days is not None:
            by.setdefault(cause, []).append(days)
    fig = _figure()
    ax = fig.add_subplot()
    if by:
        names = sorted(by)
        ax.boxplot([[max(d, 1) for d in by[n]] for n in names], orientation="horizontal")
        ax.set_yticks(range(1, len(names) + 1), names)
        ax.set_xscale("log")
    ax.set_xlabel("days from the exposure to the onset (log scale)")
    _save(fig, path)


def _checks(rows: dict[str, list[Any]], path: Path) -> None:
    statuses = ["consistent", "inconsistent", "insufficient_data", "not_applicable", ""]
    colours = ["#55a868", "#c44e52", "#dd8452", "#8172b2", "#cccccc"]
    fig = _figure()
    ax = fig.add_subplot()
    left = [0] * len(CHECKS)
    for status, colour in zip(statuses, colours, strict=True):
        n = [sum(1 for s in rows[f"check_{c}"] if s == status) for c in CHECKS]
        ax.barh(list(CHECKS), n, left=left, color=colour, label=status or "does not apply")
        left = [a + b for a, b in zip(left, n, strict=True)]
    ax.legend(fontsize="small")
    ax.set_xlabel("patients")
    _save(fig, path)


def _flags(rows: dict[str, list[Any]], path: Path) -> list[tuple[str, int]]:
    counts = [(label, sum(1 for v in rows[col] if v)) for col, label in FLAGS.items()]
    fig = _figure(7.0, 2.5)
    ax = fig.add_subplot()
    ax.barh([c[0] for c in counts][::-1], [c[1] for c in counts][::-1], color="#c44e52")
    ax.set_xlabel("patients")
    _save(fig, path)
    return counts


def write_summary(parquet: Path, run_info: Path, html: Path) -> Path:
    """Write ``html`` and its figures (``<stem>.figures/*.png``) from a screening's outputs."""
    table: pa.Table = pq.read_table(parquet)
    rows = table.to_pydict()
    info = json.loads(run_info.read_text(encoding="utf-8"))
    figdir = html.with_name(html.stem + ".figures")
    figdir.mkdir(parents=True, exist_ok=True)
    figures = [
        ("Leading cause", "causes.png", _by_cause,
         "bar chart of the number of patients by leading cause"),
        ("Latency from exposure to onset, by leading cause", "latency.png", _latency,
         "box plots of days from exposure to onset per cause"),
        ("Checks (for the leading cause)", "checks.png", _checks,
         "stacked bars of laterality, latency, anatomy and exposure check outcomes"),
    ]
    out = []
    for title, name, draw, alt in figures:
        draw(rows, figdir / name)
        out.append({"title": title, "src": f"{figdir.name}/{name}", "alt": alt})
    flags = _flags(rows, figdir / "flags.png")
    out.append({"title": "Flags for review", "src": f"{figdir.name}/flags.png",
                "alt": "bar chart of the flags raised"})
    page = Environment(autoescape=True).from_string(_PAGE).render(
        command=info.get("command", ""), info=info, counts=info["counts"],
        summary=sorted(Counter(rows["summary"]).items()), figures=out, flags=flags)
    html.write_text(page, encoding="utf-8")
    return html
