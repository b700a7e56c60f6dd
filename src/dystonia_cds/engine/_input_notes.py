"""The engine's input notes: what it read in a Case but did not count, and why.

Why a module of its own: the full assessment lists these notes and the batch path counts
them (``_batch_rows.finish``); both import them from here, so the batch path does not reach
back into the package that imports it.
"""

from __future__ import annotations

from dystonia_cds.assessment import InputNote
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._typos import drug_guess
from dystonia_cds.knowledge import KnowledgeBase, normalise_word

__all__ = ["input_notes", "note_count", "unscored_features"]


def _drug_guess(drug: str, kb: KnowledgeBase) -> str:
    """'; did you mean 'metoclopramide'?' when an unknown drug looks like a typo of one."""
    guess = drug_guess(drug, kb)
    return f"; did you mean {guess}?" if guess else ""


def unscored_features(kb: KnowledgeBase) -> frozenset[str]:
    return frozenset(x for x, info in kb.features.items() if info.unscored_note)


def input_notes(f: Facts, kb: KnowledgeBase, *, guess: bool = True,
           unscored: frozenset[str] | None = None) -> list[InputNote]:
    """The engine's input notes; ``guess=False`` leaves out the unknown drugs' 'did you
    mean' (difflib over every drug name, the costliest part, and not needed to count).
    Each kind of note is looked for only when the Case has what it is about: most Cases
    have no note at all. ``unscored`` is ``unscored_features(kb)``, when at hand."""
    notes: list[InputNote] = []
    case = f.case
    if f.unread_feature_ids:
        notes += [
            InputNote(field=f"dystonia.features[{i}]", message=(
                f"{fid} is not a sign the rules read; kept in the record"))
            for i, fid in enumerate(case.dystonia.features or [])
            if fid in f.unread_feature_ids
        ]
    if f.features and not f.features.isdisjoint(  # rare: look up the words
            kb.derived("engine.unscored_features", unscored_features)
            if unscored is None else unscored):
        notes += [  # a word the knowledge base accepts, and why no rule scores it
            InputNote(field=f"dystonia.features[{i}]", message=f"{word}: {note}")
            for i, word in enumerate(case.dystonia.features or [])
            if (fid := kb.vocabulary.features.get(normalise_word(word))) is not None
            and (note := kb.features[fid].unscored_note)
        ]
    if f.drugs:
        notes += [
            InputNote(field=f"medications[{d.index}].drug", message=(
                f"{d.medication.drug!r} is not in the knowledge base's list of "
                "dystonia-inducing drugs: not assessed for dystonia risk, so it neither "
                "supports a drug-induced cause nor counts as 'no dystonia-inducing drug'"
                + (_drug_guess(d.medication.drug, kb) if guess else "")))
            for d in f.drugs if d.info is None
        ]
        notes += [  # a known drug no rule counts: what its source reports (drugs.yaml)
            InputNote(field=f"medications[{d.index}].drug",
                      message=f"{d.medication.drug}: {d.info.unscored_note}")
            for d in f.drugs
            if d.info is not None and d.info.unscored_note and not d.after_onset
        ]
    if f.later_events:
        notes += [
            InputNote(field=f"events[{e.index}]", message=(
                f"the {e.info.label} came after the onset of dystonia: kept in the record, "
                "not counted as a cause"))
            for e in f.later_events
        ]
    if f.drugs:
        notes += [
            InputNote(field=f"medications[{d.index}]", message=(
                f"{d.medication.drug} was started after the onset of dystonia: kept in the "
                "record, not counted as a cause"))
            for d in f.later_drugs
        ]
    if f.events:
        notes += [
            InputNote(field=f"events[{e.index}]", message=(
                "the event's 'when' and 'before_onset' disagree; 'before_onset' was used"))
            for e in f.events if e.latency_conflict
        ]
    if f.lesions:  # a lesion's source is said where it was recorded
        for i, im in enumerate(case.imaging or []):
            for les in im.lesions:
                if les.source:
                    notes.append(InputNote(field=f"imaging[{i}].lesions", message=les.source))
    return notes


def note_count(f: Facts, kb: KnowledgeBase) -> int:
    """How many input notes ``assess_case`` makes from the Facts (the batch path's
    count, before the differential's note)."""
    return len(input_notes(f, kb, guess=False))
