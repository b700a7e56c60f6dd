"""Markdown view of an Assessment: for notes, issue trackers and CDS Hooks card details."""

from __future__ import annotations

from collections.abc import Iterable

from dystonia_cds.assessment import Assessment
from dystonia_cds.case import Case
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.render.patient import patient_markdown, patient_report

_SIGN = {"for": "+", "against": "−", "neutral": "·"}


def render_markdown(a: Assessment, max_hypotheses: int = 5, plain: bool = False, *,
                    case: Case | None = None, kb: KnowledgeBase | None = None,
                    warning_signs_present: Iterable[str] = ()) -> str:
    """Markdown for clinicians, or in plain language for patients (``plain=True``).

    The patient version is :mod:`dystonia_cds.render.patient`'s report; ``case`` adds what
    the person told us and the case-based "how soon to seek care" level."""
    if plain:
        return patient_markdown(patient_report(a, case, kb, warning_signs_present))
    c, e = a.classification, a.etiology
    title = f"# dystonia-cds assessment{f' — {a.case_id}' if a.case_id else ''}"
    lines = [f"> **{a.disclaimer}**", "", title, ""]
    lines += [
        "## Classification (Axis I, Albanese 2013)",
        f"- Age at onset: {c.age_at_onset_label}",
        f"- Distribution: **{c.distribution}** — {c.distribution_explanation}",
        f"- Course: {c.course}; variability: {', '.join(c.variability) or 'not recorded'}",
        f"- Associated features: {c.associated_features} — {c.associated_features_explanation}",
        "",
        f"## Etiology: **{e.summary}**",
        e.summary_explanation,
        "",
        f"_{e.calibration_note}_",
        "",
    ]
    for i, h in enumerate(e.hypotheses[:max_hypotheses], 1):
        prob = f", probability {h.probability:.0%}" if h.probability is not None else ""
        lines.append(f"{i}. **{h.label}** — support: {h.support}{prob} (pretest "
                     f"{h.pretest_probability:.0%}, score {h.score} dB)")
        for ev in h.evidence:
            refs = ", ".join(ev.reference_ids)
            lines.append(f"   - {_SIGN[ev.direction]} LR {ev.likelihood_ratio:.3g} "
                         f"{ev.finding}. _{ev.rationale}_ [{ev.rule_id}; {refs}] — "
                         f"{ev.lr_basis}")
    lines += ["", "## Causal-link checks"]
    lines += [f"- **{k.id}** ({k.hypothesis}): {k.status} — {k.explanation}" for k in a.checks]
    if not a.checks:
        lines.append("- No candidate cause to check.")
    lines += ["", "## Next questions"]
    lines += [f"{i}. {q.question} — {q.why}" for i, q in enumerate(a.next_questions, 1)]
    if not a.next_questions:
        lines.append("No answer to an unrecorded question would move the scores: none to ask.")
    if a.recommendations:
        lines += ["", "## Recommendations"]
        lines += [f"- ({r.kind}) {r.text} [{', '.join(r.reference_ids)}]"
                  for r in a.recommendations]
    if a.treatment_information:
        lines += ["", "## Treatment information"]
        lines += [f"- **{t.option}**: {t.detail} [{', '.join(t.reference_ids)}]"
                  for t in a.treatment_information]
    lines += _differential_markdown(a)
    if a.input_notes:
        lines += ["", "## Input notes"]
        lines += [f"- {n.field}: {n.message}" for n in a.input_notes]
    lines += ["", "## References"]
    lines += [f"- [{r.id}] {r.citation} <{r.url}>" for r in a.references]
    lines += ["", f"_engine {a.engine_version}, knowledge {a.knowledge_version}_", ""]
    return "\n".join(lines)


def _differential_markdown(a: Assessment) -> list[str]:
    """The genetic differential: each disease with its genes, fit and why (matched terms,
    excluded terms that counted), inheritance and treatability."""
    if not a.inherited_differential:
        return []
    lines = ["", "## Genetic differential (HPO phenotype match; not a diagnosis)",
             "Ranked by Resnik best-match average over HPO's disease annotations; the score "
             "orders, it is not a probability."]
    for i, d in enumerate(a.inherited_differential, 1):
        genes = ", ".join(d.genes) or "no gene in HPO's table"
        treat = f" **Treatable:** {d.treatable_note}" if d.treatable_note else ""
        lines.append(f"{i}. **{d.label}** ({d.disease_id}; {genes}) — score {d.score:.2f}."
                     f"{treat}")
        if d.matched_terms:
            lines.append("   - matched (information content): " + "; ".join(
                f"{t.case_term} → {t.label}"
                + (f" ({t.information_content:.1f})" if t.information_content else "")
                for t in d.matched_terms))
        if d.excluded_counted:
            lines.append("   - excluded but near-obligate in this disease: " + ", ".join(
                f"{e.label} ({e.term}"
                + (f", frequency {e.frequency:.0%})" if e.frequency is not None else ")")
                for e in d.excluded_counted))
        elif d.excluded_present:
            lines.append("   - excluded but expected: " + ", ".join(d.excluded_present))
        if d.inheritance or d.typical_onset:
            lines.append(f"   - inheritance: {', '.join(d.inheritance) or 'not annotated'}; "
                         f"onset: {', '.join(d.typical_onset) or 'not annotated'}")
    if a.gene_panel:
        lines += ["", f"Genes to consider testing: {', '.join(a.gene_panel)}"]
    return lines

