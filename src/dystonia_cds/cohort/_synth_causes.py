"""What a synthetic record holds: one dystonia presentation per cause, and the background
every record has (unrelated conditions, drugs and procedures).

Why the noise: screening must not mistake an unrelated code or a dystonia-inducing drug in
a patient without dystonia for a case; the truth file then measures that. The latencies
are the knowledge base's typical windows for each cause.
"""

from __future__ import annotations

import datetime as dt

from dystonia_cds.cohort._synth_record import (
    ICD,
    SCT,
    TODAY,
    Patient,
    cc,
    days,
)

__all__ = ["dystonia", "noise"]

_DYST_ICD = {"neck": ("G24.3", "Spasmodic torticollis"), "jaw": ("G24.4", "Orofacial dystonia"),
             "upper_face": ("G24.5", "Blepharospasm")}
# (ICD-10-CM, display) of conditions unrelated to dystonia, the background of every record.
_NOISE_CONDITIONS = [("I10", "Essential hypertension"), ("E11.9", "Type 2 diabetes mellitus"),
                     ("J45.909", "Asthma"), ("M54.50", "Low back pain"),
                     ("F32.9", "Major depressive disorder"), ("K21.9", "Reflux"),
                     ("E78.5", "Hyperlipidemia"), ("G43.909", "Migraine")]
# RxNorm ingredients that do not cause dystonia (not in the knowledge base's drug list).
_NOISE_DRUGS = [("6809", "metformin"), ("29046", "lisinopril"), ("83367", "atorvastatin"),
                ("723", "amoxicillin"), ("5640", "ibuprofen"), ("7646", "omeprazole")]
# SNOMED CT procedures the mapping does not read as events (coincidental procedures).
_NOISE_PROCEDURES = [("80146002", "Appendectomy"), ("387713003", "Surgical procedure"),
                     ("73761001", "Colonoscopy")]
_DRB_ACUTE = [("6915", "metoclopramide"), ("5093", "haloperidol")]
_DRB_TARDIVE = [("35636", "risperidone"), ("61381", "olanzapine"), ("5093", "haloperidol")]


def dystonia(p: Patient, cause: str) -> None:
    """The record of one dystonia patient with the given cause (a typical presentation)."""
    rng, birth = p.rng, p.birth
    other = {"left": "right", "right": "left"}
    if cause == "idiopathic":
        onset = birth + days(rng, 38 * 365, 60 * 365)
        region = rng.choice(["neck", "neck", "upper_face", "jaw"])
        code, label = _DYST_ICD[region]
        p.condition(ICD, code, label, onset, drop=0.15)
        if rng.random() < 0.3:
            p.mri(onset + days(rng, 30, 200), None, None)
    elif cause == "drug_induced_acute":
        start = birth + days(rng, 16 * 365, 40 * 365)
        code, name = rng.choice(_DRB_ACUTE)
        p.medication(code, name, start, stop=start + days(rng, 3, 6))
        p.condition(ICD, "G24.02", "Drug induced acute dystonia", start + days(rng, 1, 4),
                    site="neck")
    elif cause == "drug_induced_tardive":
        start = birth + days(rng, 20 * 365, 45 * 365)
        code, name = rng.choice(_DRB_TARDIVE)
        p.medication(code, name, start)
        p.condition(ICD, "G24.0", "Drug induced dystonia", start + days(rng, 200, 2500),
                    site=rng.choice(["neck", "trunk"]))
    elif cause == "acquired_central_vascular":
        stroke = birth + days(rng, 45 * 365, 70 * 365)
        side = rng.choice(["left", "right"])
        p.condition(ICD, "I63.9", "Cerebral infarction, unspecified", stroke, side=side)
        onset = stroke + days(rng, 60, 400)
        p.condition(ICD, "G24.8", "Other dystonia", onset, site="arm", side=other[side])
        p.mri(stroke + days(rng, 1, 10), rng.choice(["putamen", "thalamus"]), side)
        p.observation("HP:0001269", "Hemiparesis")
    elif cause == "acquired_central_traumatic":
        injury = birth + days(rng, 15 * 365, 40 * 365)
        side = rng.choice(["left", "right"])
        p.condition(ICD, "S06.2X9A", "Diffuse traumatic brain injury", injury,
                    severity=cc(SCT, "24484000", "Severe"))
        onset = injury + days(rng, 120, 700)
        p.condition(ICD, "G24.8", "Other dystonia", onset, site="arm", side=other[side])
        p.mri(injury + days(rng, 1, 20), "basal_ganglia", side)
    elif cause == "acquired_peripheral_trauma":
        if rng.random() < 0.5:
            injury = birth + days(rng, 25 * 365, 55 * 365)
            p.condition(ICD, "S13.4XXA", "Sprain of ligaments of cervical spine", injury)
            p.condition(ICD, "G24.3", "Spasmodic torticollis", injury + days(rng, 2, 90))
        else:
            proc = birth + days(rng, 30 * 365, 60 * 365)
            p.procedure("274151003", "Extraction of tooth", proc, site=None)
            p.condition(ICD, "G24.4", "Orofacial dystonia", proc + days(rng, 2, 60))
    elif cause == "acquired_perinatal":
        p.condition(ICD, "P84", "Other problems with newborn", birth)
        onset = birth + days(rng, 365, 5 * 365)
        for region in ("arm", "leg"):
            p.condition(ICD, "G24.8", "Other dystonia", onset, site=region, side="right")
        p.observation("HP:0001263", "Global developmental delay")
    elif cause == "inherited":
        onset = birth + days(rng, 6 * 365, 14 * 365)
        for region in ("leg", "arm", "trunk"):
            p.condition(ICD, "G24.1", "Genetic torsion dystonia", onset, site=region)
        p.emit({"resourceType": "FamilyMemberHistory", "id": p.new_id("f"), "status": "completed",
                "patient": p.ref(), "relationship": {"text": rng.choice(["father", "mother"])},
                "condition": [{"code": cc(ICD, "G24.1", "Genetic torsion dystonia")}]})
    else:
        raise ValueError(f"unknown cause {cause!r}")


def noise(p: Patient, dystonia: bool) -> None:
    """What any record holds besides dystonia; some patients without dystonia take a drug
    that can cause it (and are not dystonia patients for that)."""
    rng = p.rng
    span = max((TODAY - p.birth).days, 1)

    def when() -> dt.date:
        return p.birth + days(rng, span // 5, span)

    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        code, label = rng.choice(_NOISE_CONDITIONS)
        p.condition(ICD, code, label, when(), drop=0.3)
    for _ in range(rng.choice([0, 1, 1, 2])):
        code, name = rng.choice(_NOISE_DRUGS)
        p.medication(code, name, when(), drop=0.2)
    if rng.random() < 0.1:
        code, label = rng.choice(_NOISE_PROCEDURES)
        p.procedure(code, label, when())
    if not dystonia and rng.random() < 0.03:
        code, name = rng.choice(_DRB_ACUTE + _DRB_TARDIVE)
        p.medication(code, name, when())
