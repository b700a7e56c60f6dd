"""The patient report's words: one plain-language reading of an Assessment, for every format.

Why one module: the web page, ``--format html``/``pdf``, Markdown and terminal text must say
the same thing to a patient, and every sentence a patient reads must pass the same review:
no rule ids, no category ids, no study quotations, no "support" jargon, nothing a worried
person could take as a diagnosis, a legal verdict or a reason to avoid a treatment. So the
renderers lay out :class:`PatientReport`; none of them writes patient sentences itself.
``tests/render/test_patient_report.py`` measures the reading grade (Flesch-Kincaid ≤ 9).

What is left out on purpose (the clinician version has it): the evidence tables and their
likelihood ratios, the rule and category ids, the engine's reasons for each next question,
the genetic differential's disease names, and the input notes' field paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dystonia_cds.assessment import Assessment, ReferenceOut
from dystonia_cds.case import Case
from dystonia_cds.durations import DAYS_PER_YEAR, describe_days, parse_duration
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge
from dystonia_cds.seek_care import CareAdvice, seek_care

__all__ = ["PatientCause", "PatientCheck", "PatientReport", "patient_markdown", "patient_report",
           "patient_text"]

FIT_WORDS = {"strong": "fits well", "moderate": "fits partly", "weak": "fits a little",
             "unsupported": "does not fit"}
SUMMARY = {
    "primary": "Your answers fit best with dystonia that has no outside cause. Doctors call "
               "this primary dystonia.",
    "acquired": "Your answers fit best with dystonia that has an outside cause, such as an "
                "injury, a stroke or a medicine. Doctors call this acquired dystonia.",
    "undetermined": "From your answers, the cause is not clear yet.",
}
DISTRIBUTION = {
    "focal": "one part of the body",
    "segmental": "two or more parts of the body that are next to each other",
    "multifocal": "two or more parts of the body that are not next to each other",
    "generalized": "the body and two or more other parts",
    "hemidystonia": "one side of the body",
}
COURSE = {"static": "It has stayed about the same.", "progressive": "It has got worse.",
          "improving": "It has got better."}
VARIABILITY = {"persistent": "it is there all the time",
               "action_specific": "it comes with one task, such as writing",
               "diurnal": "it gets worse as the day goes on",
               "paroxysmal": "it comes and goes in sudden attacks"}
# One plain sentence per causal-link check and result; {cause} is the cause's plain name.
CHECK_WORDS = {
    ("laterality", "consistent"): "Side: the damage is on the other side of the brain from "
                                  "the symptoms. This is what usually happens.",
    ("laterality", "inconsistent"): "Side: the damage is on the same side of the brain as "
                                    "the symptoms. This is unusual, so your doctor may look "
                                    "for another cause.",
    ("latency", "consistent"): "Timing: the symptoms began after what came before them, "
                               "within the time that is usually seen.",
    ("latency", "inconsistent"): "Timing: the time between what came before and the start "
                                 "of the symptoms is not what is usually seen.",
    ("anatomy", "consistent"): "Place: the symptoms are in the part of the body that was "
                               "hurt or treated.",
    ("anatomy", "inconsistent"): "Place: the symptoms are not in the part of the body that "
                                 "was hurt or treated.",
    ("exposure", "consistent"): "Medicine: you took a medicine that can cause this, at a "
                                "time that fits.",
    ("exposure", "inconsistent"): "Medicine: the medicine or its timing does not fit well.",
}
CHECK_NAMES = {"laterality": "Side", "latency": "Timing", "anatomy": "Place",
               "exposure": "Medicine"}
CAUTION = ("This shows how well your answers match what is known. It is not proof of what "
           "caused your dystonia. Only a doctor who examines you can say that.")


@dataclass(frozen=True)
class PatientCheck:
    id: str
    status: str
    text: str


@dataclass(frozen=True)
class PatientCause:
    category: str
    name: str
    fit: str
    support: str
    checks: tuple[PatientCheck, ...]


@dataclass(frozen=True)
class PatientReport:
    """Every sentence of the patient report, in reading order, already in plain words."""

    disclaimer: str
    care: CareAdvice
    summary: str
    caution: str
    facts: tuple[str, ...]
    about: tuple[str, ...]
    causes: tuple[PatientCause, ...]
    other_causes: str | None
    questions: tuple[str, ...]
    talk_about: tuple[str, ...]
    treatments: tuple[str, ...]
    genetic_note: str | None
    notes_note: str | None
    references: tuple[ReferenceOut, ...] = field(default=())


def _age(text: str | None) -> str | None:
    if text is None or not text.startswith("P"):
        return None
    years = parse_duration(text).days / DAYS_PER_YEAR
    return f"{int(years)} years" if years >= 2 else describe_days(parse_duration(text).days)


def _side(side: str | None) -> str:
    return {"left": "left ", "right": "right ", "bilateral": "both sides of the "}.get(
        side or "", "")


def _facts(case: Case, kb: KnowledgeBase) -> list[str]:
    """What the person told us, in their words, so they can check it before trusting it."""
    out: list[str] = []
    where = [f"{_side(r.side)}{kb.regions[r.region].plain_label}" if r.region in kb.regions
             else r.region for r in case.dystonia.regions]
    out.append("Where: " + ", ".join(where) + ".")
    now, onset = _age(case.patient.age), _age(case.dystonia.onset)
    if onset:
        out.append(f"Age when it began: {onset}" + (f"; age now: {now}." if now else "."))
    if case.events == []:
        out.append("No injury, operation or stroke before it began.")
    for e in case.events or []:
        name = kb.events[e.type].plain_label if e.type in kb.events else e.type
        when = (f", {describe_days(parse_duration(e.before_onset).days)} before it began"
                if e.before_onset else "")
        out.append(f"Before it began: {name}{when}.")
    if case.medications == []:
        out.append("No medicines of the kinds asked about.")
    for m in case.medications or []:
        when = (f", started {describe_days(parse_duration(m.before_onset).days)} before it "
                "began" if m.before_onset else "")
        out.append(f"Medicine: {m.drug}{when}.")
    for im in case.imaging or []:
        if im.normal is True:
            out.append("A brain scan was normal.")
        elif im.lesions or im.normal is False:
            out.append("A brain scan showed damage.")
    if case.family_history is not None and case.family_history.dystonia is not None:
        out.append("Someone in the family has dystonia." if case.family_history.dystonia
                   else "No one in the family is known to have dystonia.")
    return out


def _about(a: Assessment) -> list[str]:
    c = a.classification
    out = []
    if c.distribution in DISTRIBUTION:
        out.append(f"It affects {DISTRIBUTION[c.distribution]}.")
    if c.course in COURSE:
        out.append(COURSE[c.course])
    pattern = [VARIABILITY[v] for v in c.variability if v in VARIABILITY]
    if pattern:
        out.append("You said that " + " and ".join(pattern) + ".")
    if c.associated_features == "isolated":
        out.append("No other signs of a nerve problem were given.")
    elif c.associated_features == "combined":
        out.append("Other signs of a nerve problem were given as well.")
    return out


def _cited(ids: Iterable[str], kb: KnowledgeBase) -> list[ReferenceOut]:
    out = []
    for rid in dict.fromkeys(ids):
        r = kb.references.get(rid)
        if r is not None:
            out.append(ReferenceOut(id=r.id, citation=r.citation, doi=r.doi, pmid=r.pmid,
                                    url=r.url))
    return out


def patient_report(a: Assessment, case: Case | None = None, kb: KnowledgeBase | None = None,
                   warning_signs_present: Iterable[str] = ()) -> PatientReport:
    """The plain-language report. ``case`` adds "what you told us" and the case-based care
    level; ``warning_signs_present`` are the urgent signs the person ticked (ids)."""
    kb = kb or default_knowledge()
    care = seek_care(case, kb, warning_signs_present)
    hyps = a.etiology.hypotheses
    shown = [h for i, h in enumerate(hyps) if i == 0 or h.support != "unsupported"][:3]
    causes = []
    for h in shown:
        checks = tuple(PatientCheck(k.id, k.status, CHECK_WORDS[(k.id, k.status)])
                       for k in a.checks
                       if k.hypothesis == h.category and (k.id, k.status) in CHECK_WORDS)
        causes.append(PatientCause(h.category, h.plain_label, FIT_WORDS[h.support], h.support,
                                   checks))
    rest = [h.plain_label for h in hyps if h not in shown]
    other = ("Other causes, which fit your answers less well or not at all: "
             + "; ".join(rest) + ".") if rest else None
    refs = [rid for r in a.recommendations for rid in r.reference_ids]
    refs += [rid for t in a.treatment_information for rid in t.reference_ids]
    genetic = ("Some of the signs you gave are also seen in rare inherited conditions. Your "
               "doctor can look at the list in the doctor's version of this report. Only a "
               "gene test can tell.") if a.inherited_differential else None
    notes = ("Some answers could not be used. The doctor's version of this report lists "
             "them.") if a.input_notes else None
    return PatientReport(
        disclaimer=kb.disclaimer["patient"].strip(),
        care=care,
        summary=SUMMARY[a.etiology.summary],
        caution=CAUTION,
        facts=tuple(_facts(case, kb)) if case is not None else (),
        about=tuple(_about(a)),
        causes=tuple(causes),
        other_causes=other,
        questions=tuple(dict.fromkeys(q.plain_question for q in a.next_questions)),
        talk_about=tuple(dict.fromkeys(r.plain_text for r in a.recommendations)),
        treatments=tuple(t.plain_detail for t in a.treatment_information),
        genetic_note=genetic,
        notes_note=notes,
        references=tuple(_cited([*care.reference_ids, *refs], kb)),
    )


def patient_text(r: PatientReport, *, with_sources: bool = True) -> str:
    """The report as plain text (terminal, and the text the reading-grade test measures)."""
    lines = [r.disclaimer, "", f"How soon to seek care: {r.care.title}", r.care.advice]
    lines += [reason.text for reason in r.care.reasons]
    lines += ["Get help now, whatever this report says, if you have any of these:"]
    lines += [f"- {s.question}." for s in r.care.warning_signs]
    lines += [r.care.disclaimer, "", "In short", r.summary, r.caution]
    if r.facts:
        lines += ["", "What you told us"] + [f"- {f}" for f in r.facts]
    if r.about:
        lines += ["", "About your dystonia"] + [f"- {x}" for x in r.about]
    lines += ["", "Possible causes, best fit first"]
    for i, c in enumerate(r.causes, 1):
        lines.append(f"{i}. {c.name}: {c.fit}.")
        lines += [f"   {x.text}" for x in c.checks]
    if r.other_causes:
        lines.append(r.other_causes)
    sections = (("Questions your doctor may ask", r.questions),
                ("Things to talk about with your doctor", r.talk_about),
                ("Treatments that are used", r.treatments))
    for title, items in sections:
        if items:
            lines += ["", title] + [f"- {x}" for x in items]
    for note in (r.genetic_note, r.notes_note):
        if note:
            lines += ["", note]
    if with_sources and r.references:
        lines += ["", "Sources"] + [f"- {ref.citation} {ref.url}" for ref in r.references]
    return "\n".join(lines) + "\n"


def patient_markdown(r: PatientReport) -> str:
    """The report as Markdown (``--format markdown --audience patient``)."""
    lines = [f"> **{r.disclaimer}**", "", "# Information about your dystonia", "",
             f"## How soon to seek care: {r.care.title}", "", r.care.advice, ""]
    lines += [reason.text for reason in r.care.reasons]
    lines += ["", "Get help now, whatever this report says, if you have any of these:"]
    lines += [f"- {s.question}." for s in r.care.warning_signs]
    lines += ["", f"_{r.care.disclaimer}_", "", "## In short", "", r.summary, "", r.caution]
    if r.facts:
        lines += ["", "## What you told us"] + [f"- {f}" for f in r.facts]
    if r.about:
        lines += ["", "## About your dystonia"] + [f"- {x}" for x in r.about]
    lines += ["", "## Possible causes, best fit first"]
    for i, c in enumerate(r.causes, 1):
        lines.append(f"{i}. **{c.name}**: {c.fit}.")
        lines += [f"   - {x.text}" for x in c.checks]
    if r.other_causes:
        lines += ["", r.other_causes]
    for title, items in (("Questions your doctor may ask", r.questions),
                         ("Things to talk about with your doctor", r.talk_about),
                         ("Treatments that are used", r.treatments)):
        if items:
            lines += ["", f"## {title}"] + [f"- {x}" for x in items]
    for note in (r.genetic_note, r.notes_note):
        if note:
            lines += ["", note]
    if r.references:
        lines += ["", "## Sources"] + [f"- {ref.citation} <{ref.url}>" for ref in r.references]
    return "\n".join(lines) + "\n"
