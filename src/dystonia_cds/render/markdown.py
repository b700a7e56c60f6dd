"""Markdown view of an Assessment: for notes, issue trackers and CDS Hooks card details."""

from __future__ import annotations

from dystonia_cds.assessment import Assessment

_SIGN = {"for": "+", "against": "−", "neutral": "·"}


def render_markdown(a: Assessment, max_hypotheses: int = 5, plain: bool = False) -> str:
    """Markdown for clinicians, or in plain language for patients (``plain=True``)."""
    if plain:
        return _plain_markdown(a)
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
    lines += ["", "## Recommendations"]
    lines += [f"- ({r.kind}) {r.text} [{', '.join(r.reference_ids)}]" for r in a.recommendations]
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


def _plain_markdown(a: Assessment, max_hypotheses: int = 3) -> str:
    """The same assessment in plain language: no scores, no rule ids."""
    e = a.etiology
    summary = {
        "primary": "The information given fits best with dystonia that has no outside cause "
                   "(primary dystonia).",
        "acquired": "The information given fits best with dystonia that has a cause, such as "
                    "an injury, a stroke or a medicine (acquired dystonia).",
        "undetermined": "From the information given, the cause is not clear yet.",
    }[e.summary]
    lines = [f"> **{a.disclaimer}**", "", "# What your answers suggest", "", summary, "",
             "## Possible causes, most likely first"]
    lines += [f"{i}. {h.plain_label} ({h.support} support)"
              for i, h in enumerate(e.hypotheses[:max_hypotheses], 1)]
    if a.next_questions:
        lines += ["", "## Questions your doctor may ask"]
        lines += [f"- {q.plain_question}" for q in a.next_questions]
    lines += ["", "## Things to talk about with your doctor"]
    lines += [f"- {r.plain_text}" for r in a.recommendations]
    if a.treatment_information:
        lines += ["", "## Treatments that are used"]
        lines += [f"- **{t.option}**: {t.plain_detail}" for t in a.treatment_information]
    if a.inherited_differential:
        lines += ["", "## Genetic conditions to talk about",
                  "Some of the signs given are also seen in these inherited conditions. This "
                  "is a list for your doctor to consider, not a diagnosis; only a genetic test "
                  "can tell."]
        lines += [f"- {d.label}" + (f" (gene: {', '.join(d.genes)})" if d.genes else "")
                  for d in a.inherited_differential[:5]]
    lines += ["", "## Sources"]
    lines += [f"- {r.citation} <{r.url}>" for r in a.references]
    return "\n".join(lines) + "\n"
