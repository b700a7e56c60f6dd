"""What a clinic letter adds to the report: the facts entered, and a one-paragraph summary.

Why a table of the facts: the reader signing the letter must be able to check what the
conclusion rests on, field by field, without opening the Case file — and see what was *not*
recorded, since a missing fact is unknown, not absent. Why a summary paragraph first: a
letter is read top-down by someone with a minute to spare; the ranked evidence follows it.
Both are built from the Case and the Assessment only (renderers never re-run the engine).
"""

from __future__ import annotations

import re

from dystonia_cds.assessment import Assessment
from dystonia_cds.case import Case

_ISO = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_UNITS = ("year", "month", "week", "day")


def when(text: str | None) -> str:
    """An ISO 8601 duration in words ('P45Y3M' → '45 years 3 months'); a date as given."""
    if not text:
        return "not recorded"
    m = _ISO.match(text)
    if not m:
        return text
    parts = [f"{int(n)} {unit}{'' if int(n) == 1 else 's'}"
             for n, unit in zip(m.groups(), _UNITS, strict=True) if n is not None]
    return " ".join(parts) or text


def _words(value: str) -> str:
    return value.replace("_", " ")


def _yes_no(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def _regions(case: Case) -> str:
    return ", ".join(f"{r.side + ' ' if r.side else ''}{_words(r.region)}"
                     for r in case.dystonia.regions)


def _events(case: Case) -> str:
    if case.events is None:
        return "not recorded (unknown)"
    if not case.events:
        return "none (asked)"
    out = []
    for ev in case.events:
        bits = [_words(ev.type)]
        if ev.severity:
            bits.append(ev.severity)
        if ev.body_site:
            bits.append(f"site {ev.side + ' ' if ev.side else ''}{_words(ev.body_site)}")
        elif ev.side:
            bits.append(f"{ev.side} side")
        if ev.when:
            bits.append(f"at {when(ev.when)}")
        if ev.before_onset:
            bits.append(f"{when(ev.before_onset)} before onset")
        out.append(", ".join(bits))
    return "; ".join(out)


def _medications(case: Case) -> str:
    if case.medications is None:
        return "not recorded (unknown)"
    if not case.medications:
        return "none (asked)"
    out = []
    for med in case.medications:
        bits = [med.drug]
        if med.started:
            bits.append(f"started {when(med.started)}")
        if med.stopped:
            bits.append(f"stopped {when(med.stopped)}")
        if med.before_onset:
            bits.append(f"started {when(med.before_onset)} before onset")
        out.append(", ".join(bits))
    return "; ".join(out)


def _imaging(case: Case) -> str:
    if not case.imaging:
        return "none recorded"
    out = []
    for im in case.imaging:
        if im.normal:
            out.append(f"{im.modality} normal")
            continue
        lesions = ", ".join(
            " ".join(x for x in (les.side, les.nature and _words(les.nature),
                                 _words(les.structure)) if x)
            for les in im.lesions) or ("abnormal, no lesion listed" if im.normal is False
                                       else "result not recorded")
        out.append(f"{im.modality}: {lesions}")
    return "; ".join(out)


def case_facts(case: Case) -> list[tuple[str, str]]:
    """(label, value) rows of what was entered; unknown fields say so rather than vanish."""
    p, d = case.patient, case.dystonia
    rows: list[tuple[str, str | None]] = [
        ("Sex", p.sex),
        ("Age", when(p.age) if p.age else None),
        ("Onset", when(d.onset)),
        ("Regions", _regions(case)),
        ("Began in", _words(d.onset_region) if d.onset_region else None),
        ("Course", d.course),
        ("Variability", ", ".join(d.variability) if d.variability else None),
        ("Sensory trick", _words(d.sensory_trick) if d.sensory_trick else None),
        ("In sleep", _yes_no(d.persists_in_sleep, "persists", "stops")),
        ("Fixed posture", _yes_no(d.fixed_posture, "yes", "no")),
        ("Signs present", ", ".join(_words(f) for f in d.features) if d.features else None),
        ("Looked for, absent",
         ", ".join(_words(f) for f in d.excluded_features) if d.excluded_features else None),
        ("Events", _events(case)),
        ("Medications", _medications(case)),
        ("Imaging", _imaging(case)),
        ("Family history", None if case.family_history is None else _yes_no(
            case.family_history.dystonia, "dystonia in the family", "no dystonia in the family")),
        ("Genetic tests", "; ".join(f"{g.gene} {_words(g.result)}"
                                    + (f" ({g.variant})" if g.variant else "")
                                    for g in case.genetics) if case.genetics else None),
    ]
    return [(label, value if value else "not recorded") for label, value in rows]


def demographics(case: Case) -> str:
    """'male, 64 years' — the pseudonymous letter's only identifying line besides the id."""
    bits: list[str] = [case.patient.sex or "sex not recorded"]
    bits.append(f"age {when(case.patient.age)}" if case.patient.age else "age not recorded")
    if case.patient.birth_date:
        bits.append(f"born {case.patient.birth_date.isoformat()}")
    return ", ".join(bits)


def summary_paragraph(a: Assessment, case: Case) -> str:
    """One paragraph: who, what dystonia, the leading cause and how well the checks fit."""
    c, e = a.classification, a.etiology
    top = a.top
    checks = [k for k in a.checks if k.hypothesis == top.category]
    check_text = "; ".join(f"{k.id} {k.status.replace('_', ' ')}" for k in checks)
    others = [h.label for h in e.hypotheses[1:] if h.support != "unsupported"]
    kind = c.distribution.capitalize()
    kind = kind if kind.endswith("dystonia") else f"{kind} dystonia"
    text = (f"{kind} ({_regions(case)}), onset "
            f"{c.age_at_onset_label}, course {c.course}. {e.summary_explanation}")
    if not text.endswith("."):
        text += "."
    text += f" Leading cause: {top.label}, {top.support} support"
    text += f"; also supported: {'; '.join(others)}." if others else "."
    if check_text:
        text += f" Causal-link checks for the leading cause: {check_text}."
    return text


__all__ = ["case_facts", "demographics", "summary_paragraph", "when"]
