"""What a Case → FHIR Bundle → Case round trip cannot keep, as input notes by Case path.

Times relative to the onset are a dystonia-cds ``before-onset`` extension (valueDuration),
ages a FHIR Age: both one positive number of one unit, so P1Y2D is noted, P1Y6M written as
18 months (and noted: it reads back as P18M).

Why a module of its own: the list is the writer's contract with its users (and the round-trip
test's list of allowed differences), so it is read in one place. Each note names a Case field
that FHIR R4 has no standard place for, or that the dystonia-cds FHIR reader does not read
back (a lesion's volume is written as Observation.valueQuantity, but not read).
"""

from __future__ import annotations

import re

from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.assessment import InputNote
from dystonia_cds.case import Case

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UCUM = "http://unitsofmeasure.org"
_UNITS = (("a", "years"), ("mo", "months"), ("wk", "weeks"), ("d", "days"))
_PAIRED = frozenset({"arm", "leg"})
PROCEDURES = frozenset({"eye_surgery", "dental_procedure", "brain_surgery", "surgery",
                        "radiotherapy", "deep_brain_stimulation"})  # written as Procedure


def is_date(text: str) -> bool:
    return bool(_DATE.match(text))


def _single_unit(text: str) -> tuple[int, int] | None:
    """(value, unit index) of a duration in one unit, converting Y+M to months and W+D to
    days (exact); None for what one FHIR Age cannot say exactly (P1Y2D)."""
    m = _DURATION.match(text)
    if m is None:
        return None
    y, mo, w, d = (int(g) if g is not None else None for g in m.groups())
    parts = [i for i, g in enumerate((y, mo, w, d)) if g is not None]
    if len(parts) == 1:
        return [y, mo, w, d][parts[0]] or 0, parts[0]
    if parts == [0, 1]:
        return (y or 0) * 12 + (mo or 0), 1
    if parts == [2, 3]:
        return (w or 0) * 7 + (d or 0), 3
    return None


def age_quantity(text: str) -> dict[str, object] | None:
    """A Case age (ISO 8601 duration) as a FHIR Age, when one Age says it (positive, by
    the Age invariant age-1)."""
    hit = _single_unit(text)
    if hit is None or hit[0] <= 0:
        return None
    code, unit = _UNITS[hit[1]]
    return {"value": hit[0], "unit": unit, "system": _UCUM, "code": code}


def _time_note(path: str, text: str | None, what: str) -> list[InputNote]:
    """A note when a time is not written, or is written in another unit."""
    if text is None or is_date(text):
        return []
    hit = _single_unit(text)
    if hit is None or hit[0] <= 0:
        return [InputNote(field=path, message=f"{what} {text} has no FHIR form the reader "
                          "reads back (an Age is one positive number of years, months, weeks "
                          "or days); not written")]
    code = "YMWD"[hit[1]]
    if f"P{hit[0]}{code}" != text:
        return [InputNote(field=path, message=f"{what} {text} written as a FHIR Age of "
                          f"{hit[0]} {_UNITS[hit[1]][1]}; reads back as P{hit[0]}{code}")]
    return []


def _dystonia(case: Case, tables: CodeTables) -> list[InputNote]:
    dys = case.dystonia
    notes = _time_note("dystonia.onset", dys.onset, "onset")
    for i, reg in enumerate(dys.regions):
        if reg.side and reg.region not in _PAIRED:
            notes.append(InputNote(field=f"dystonia.regions[{i}].side", message="written "
                                   "as laterality, but read back only for arm and leg"))
    for key in ("features", "excluded_features"):
        for i, feat in enumerate(getattr(dys, key) or []):
            info = tables.kb.features.get(feat)
            hpo = info.hpo if info is not None else feat.upper()
            if info is None and hpo not in tables.hpo_feature:
                notes.append(InputNote(field=f"dystonia.{key}[{i}]", message=f"{feat!r} is "
                                       "an HPO term outside the knowledge base's features; "
                                       "not written"))
    return notes


def _events(case: Case) -> list[InputNote]:
    notes = []
    for i, ev in enumerate(case.events or []):
        notes += _time_note(f"events[{i}].when", ev.when, "time")
        notes += _time_note(f"events[{i}].before_onset", ev.before_onset, "time")
        if ev.severity and ev.type in PROCEDURES:
            notes.append(InputNote(field=f"events[{i}].severity", message="a Procedure has "
                                   "no severity; not written"))
    for i, med in enumerate(case.medications or []):
        for key in ("started", "stopped"):
            value = getattr(med, key)
            if value is not None and not is_date(value):
                notes.append(InputNote(field=f"medications[{i}].{key}", message=f"{value}: "
                                       "a MedicationStatement period holds dates, not ages; "
                                       "not written"))
        notes += _time_note(f"medications[{i}].before_onset", med.before_onset, "time")
    for key in ("events", "medications"):
        if getattr(case, key) == []:
            notes.append(InputNote(field=key, message="'none' is not written: an empty list "
                                   "reads back as unknown"))
    return notes


def _imaging(case: Case) -> list[InputNote]:
    notes = []
    if case.imaging == []:
        notes.append(InputNote(field="imaging", message="an empty list is not written; reads "
                               "back as none recorded (missing)"))
    for i, im in enumerate(case.imaging or []):
        if im.when is not None and not is_date(im.when):
            notes.append(InputNote(field=f"imaging[{i}].when", message=f"{im.when}: a "
                                   "report's effective time is a date; not written"))
        if im.modality == "DaTscan":
            notes.append(InputNote(field=f"imaging[{i}].modality", message="written as DICOM "
                                   "NM (nuclear medicine); reads back as 'other'"))
        if im.normal is None and im.lesions:
            notes.append(InputNote(field=f"imaging[{i}].normal", message="not stated; a "
                                   "report with lesions reads back as abnormal (false)"))
        if im.lesion_mask:
            notes.append(InputNote(field=f"imaging[{i}].lesion_mask", message="a file path; "
                                   "not written"))
        for j, les in enumerate(im.lesions):
            for key in ("nature", "volume_ml", "fraction", "source"):
                if getattr(les, key) is not None:
                    how = ("written as Observation.valueQuantity (mL), not read back"
                           if key == "volume_ml" else "not written")
                    notes.append(InputNote(field=f"imaging[{i}].lesions[{j}].{key}",
                                           message=how))
    return notes


def not_carried(case: Case, tables: CodeTables) -> list[InputNote]:
    """Every Case field the Bundle does not carry back, by Case path."""
    notes = []
    age = case.patient.age
    if age is not None and is_date(age):
        notes.append(InputNote(field="patient.age", message=f"{age}: a date of assessment "
                               "is not written (an Age Observation holds an age)"))
    elif age is not None:
        notes += _time_note("patient.age", age, "age")
    notes += _dystonia(case, tables) + _events(case) + _imaging(case)
    fam = case.family_history
    if fam is not None and fam.dystonia is not True:
        notes.append(InputNote(field="family_history", message="only a relative with "
                               "dystonia is written (FamilyMemberHistory); not written"))
    elif fam is not None:
        notes.append(InputNote(field="family_history.note", message="written as "
                               "FamilyMemberHistory.note; reads back as 'family member: "
                               "dystonia'"))
    if case.genetics:
        notes.append(InputNote(field="genetics", message="genetic test results are not "
                               "written (no FHIR Genomics Reporting profile in this mapping)"))
    return notes
