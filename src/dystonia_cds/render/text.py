"""The terminal view (rich): the clinician's one-screen summary, or the patient's view.

Why an overview first: a clinician running several cases reads one row per case (top cause,
support, summary, checks) before the detail, and the row must survive an 80-column terminal
— the support level is never cut. Why only cited references: each case's list is the
sources of the statements shown for that case, not the whole bibliography.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dystonia_cds.assessment import Assessment
from dystonia_cds.case import Case
from dystonia_cds.render.citations import cited_reference_ids
from dystonia_cds.render.markdown import render_markdown

if TYPE_CHECKING:
    from rich.markdown import Markdown

_STATUS_STYLE = {"consistent": "green", "inconsistent": "bold red",
                 "insufficient_data": "yellow", "not_applicable": "dim"}
_SUPPORT_STYLE = {"strong": "bold green", "moderate": "green", "weak": "yellow",
                  "unsupported": "dim"}


def assessment_view(a: Assessment, max_hypotheses: int = 4) -> Group:
    c, e = a.classification, a.etiology
    parts: list[object] = [Text(a.disclaimer, style="italic")]
    head = Table.grid(padding=(0, 1))
    head.add_row("Case", a.case_id or "(no id)")
    head.add_row("Onset", c.age_at_onset_label)
    head.add_row("Distribution", f"{c.distribution} — {c.distribution_explanation}")
    head.add_row("Features", f"{c.associated_features} — {c.associated_features_explanation}")
    head.add_row("Summary", Text(f"{e.summary.upper()} — {e.summary_explanation}", style="bold"))
    parts.append(head)
    shown = e.hypotheses[0].probability is not None
    causes = Table(title="Ranked causes (" + (
        "calibrated probabilities" if shown else
        "support is an ordered level; probabilities are not shown until calibration holds")
        + "; each item's likelihood ratio is fitted from published cases)",
                   show_lines=True, expand=True)
    causes.add_column("#", width=2)
    causes.add_column("Cause", ratio=2)
    # wide enough for "unsupported" and "pretest 17%" on a line each: never cut at 80 columns
    causes.add_column("Support", width=len("pretest 100%"))
    causes.add_column("Evidence (likelihood ratio, rule, references)", ratio=6)
    for i, h in enumerate(e.hypotheses[:max_hypotheses], 1):
        ev = Text()
        for item in h.evidence:
            sign = {"for": "+", "against": "-", "neutral": "·"}[item.direction]
            style = {"for": "green", "against": "red", "neutral": "dim"}[item.direction]
            ev.append(f"{sign} LR {item.likelihood_ratio:.3g} ", style=style)
            ev.append(f"{item.finding}. ")
            ev.append(f"{item.rationale} [{item.rule_id}: {', '.join(item.reference_ids)}]\n",
                      style="dim")
        level = f"{h.probability:.0%}" if h.probability is not None else h.support
        causes.add_row(str(i), h.label, Text(f"{level}\npretest {h.pretest_probability:.0%}",
                                             style=_SUPPORT_STYLE[h.support]), ev)
    parts.append(causes)
    checks = Table(title="Causal-link checks", expand=True)
    checks.add_column("Check")
    checks.add_column("For")
    checks.add_column("Status")
    checks.add_column("Explanation", ratio=4)
    for k in a.checks:
        checks.add_row(k.id, k.hypothesis, Text(k.status, style=_STATUS_STYLE[k.status]),
                       k.explanation)
    if a.checks:
        parts.append(checks)
    if a.next_questions:
        parts.append(Text("Next questions", style="bold"))
        parts += [Text(f" {i}. {q.question}  ({q.why})") for i, q in
                  enumerate(a.next_questions, 1)]
    parts.append(Text("Recommendations", style="bold"))
    parts += [Text(f" • [{r.kind}] {r.text} [{', '.join(r.reference_ids)}]")
              for r in a.recommendations]
    if a.treatment_information:
        parts.append(Text("Treatment information", style="bold"))
        parts += [Text(f" • {t.option}: {t.detail} [{', '.join(t.reference_ids)}]")
                  for t in a.treatment_information]
    if a.inherited_differential:
        parts.append(_differential_table(a))
    if a.input_notes:
        parts.append(Text("Input notes", style="bold"))
        parts += [Text(f" • {n.field}: {n.message}", style="yellow") for n in a.input_notes]
    parts.append(Text("References", style="bold"))
    cited = cited_reference_ids(a, e.hypotheses[:max_hypotheses])
    parts += [Text(f" [{r.id}] {r.citation} {r.url}", style="dim") for r in a.references
              if r.id in cited]
    parts.append(Text(f"engine {a.engine_version} · knowledge {a.knowledge_version}",
                      style="dim"))
    return Group(*parts)  # type: ignore[arg-type]


def _differential_table(a: Assessment) -> Table:
    """The genetic differential: disease, genes, score and why (matched and excluded terms)."""
    table = Table(title="Genetic differential (HPO phenotype match; the score orders, it is "
                  "not a probability; not a diagnosis)", show_lines=True, expand=True)
    table.add_column("#", width=2)
    table.add_column("Disease", ratio=3)
    table.add_column("Genes", ratio=1)
    table.add_column("Score", width=6)
    table.add_column("Why (matched case term -> disease term; excluded but expected)", ratio=5)
    for i, d in enumerate(a.inherited_differential, 1):
        why = Text()
        for t in d.matched_terms:
            ic = f" (IC {t.information_content:.1f})" if t.information_content else ""
            why.append(f"+ {t.case_term} -> {t.label}{ic}\n")
        for e in d.excluded_present:
            why.append(f"- excluded {e}\n", style="red")
        if d.inheritance:
            why.append(f"inheritance: {', '.join(d.inheritance)}\n", style="dim")
        if d.treatable_note:
            why.append(f"treatable: {d.treatable_note}\n", style="bold green")
        table.add_row(str(i), f"{d.label} ({d.disease_id})", ", ".join(d.genes) or "-",
                      f"{d.score:.2f}", why)
    if a.gene_panel:
        table.caption = f"Genes to consider testing: {', '.join(a.gene_panel)}"
    return table


def patient_view(a: Assessment, case: Case | None = None) -> Markdown:
    """The patient's plain-language view: the same words as ``--audience patient`` Markdown.
    (rich's Markdown, with markdown-it, is imported here: only this view needs it, and it
    is a sixth of the command line's start-up.)"""
    from rich.markdown import Markdown

    return Markdown(render_markdown(a, plain=True, case=case))


def overview_table(rows: Sequence[tuple[str, Assessment]]) -> Table:
    """One row per case: top cause and its support, summary, checks of the top cause.

    Support and summary never wrap or truncate (no_wrap, min width of their longest value);
    the cause and checks columns fold instead, so 80 columns still show every level."""
    table = Table(title="Overview (one row per case)", show_lines=True, expand=True)
    table.add_column("Case", overflow="fold", ratio=3)
    table.add_column("Top cause", overflow="fold", ratio=4)
    table.add_column("Support", no_wrap=True, width=len("unsupported"))
    table.add_column("Summary", no_wrap=True, width=len("undetermined"))
    table.add_column("Checks (top cause)", overflow="fold", ratio=3)
    for name, a in rows:
        top = a.top
        checks = ", ".join(f"{k.id}: {k.status.replace('_', ' ')}" for k in a.checks
                           if k.hypothesis == top.category) or "none"
        level = f"{top.probability:.0%}" if top.probability is not None else top.support
        table.add_row(a.case_id or name, top.label,
                      Text(level, style=_SUPPORT_STYLE[top.support]), a.etiology.summary,
                      checks)
    return table


def print_assessment(a: Assessment, console: Console, audience: str = "clinician",
                     case: Case | None = None) -> None:
    """One case in a panel: the clinician summary, or the patient view (``case`` adds what
    the person told us and the case-based "how soon to seek care" level)."""
    if audience == "patient":
        console.print(Panel(patient_view(a, case), title="dystonia-cds",
                            subtitle="information, not a diagnosis"))
        return
    console.print(Panel(assessment_view(a), title="dystonia-cds", subtitle="not a diagnosis"))


def print_overview(rows: Sequence[tuple[str, Assessment]], console: Console) -> None:
    console.print(overview_table(rows))
