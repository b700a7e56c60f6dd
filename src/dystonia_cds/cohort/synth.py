"""A seeded synthetic FHIR Bulk Data export whose truth is known, for tests and benchmarks.

Why synthetic: no real hospital export may leave a hospital, yet screening must be tested
on one — millions of patients, few with dystonia, and the noise real records have (missing
dates and birth dates, unrelated conditions, drugs that do not cause dystonia, procedures
that have nothing to do with it, dystonia-inducing drugs in patients without dystonia). Each
dystonia patient is drawn from one cause's pattern as the literature describes it (the
latencies are the knowledge base's typical windows); ``truth.csv`` records the cause, so a
screening run's per-cause recall can be measured. The same seed gives the same export.

A real Synthea export (NDJSON in bulk mode, or one Bundle per patient) can be given as the
background population: its resources are copied in, its patients marked "synthea" in the
truth, since their causes are not known.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import random
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

import orjson

__all__ = ["CAUSES", "SynthResult", "synthesize"]

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SCT = "http://snomed.info/sct"
RXN = "http://www.nlm.nih.gov/research/umls/rxnorm"
HPO = "http://purl.obolibrary.org/obo/hp.owl"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
STRUCT = "https://dystonia-cds.org/fhir/CodeSystem/structure"
_TODAY = dt.date(2025, 12, 31)
_SIDES = {"left": "7771000", "right": "24028007"}
_SITE = {"neck": "45048000", "arm": "53120007", "leg": "61685007", "trunk": "22943007",
         "upper_face": "81745001"}
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

CAUSES = ("idiopathic", "drug_induced_acute", "drug_induced_tardive",
          "acquired_central_vascular", "acquired_central_traumatic",
          "acquired_peripheral_trauma", "acquired_perinatal", "inherited")
_MIX = (0.30, 0.12, 0.12, 0.12, 0.06, 0.12, 0.06, 0.10)
# The oldest age (years) each pattern's dates reach, so a patient is old enough that no
# date of the pattern falls after the export date.
_OLDEST = {"idiopathic": 61, "drug_induced_acute": 41, "drug_induced_tardive": 53,
           "acquired_central_vascular": 72, "acquired_central_traumatic": 43,
           "acquired_peripheral_trauma": 61, "acquired_perinatal": 6, "inherited": 15}


class _Writer:
    """One NDJSON file per resource type, opened on first use."""

    def __init__(self, out: Path, gz: bool) -> None:
        self.out, self.gz = out, gz
        self.files: dict[str, IO[bytes]] = {}
        self.counts: dict[str, int] = {}

    def _file(self, rtype: str) -> IO[bytes]:
        if rtype not in self.files:  # kept open across calls, closed by close()
            path = self.out / (f"{rtype}.ndjson" + (".gz" if self.gz else ""))
            fh = cast(IO[bytes], gzip.open(path, "wb", compresslevel=1) if self.gz  # noqa: SIM115
                      else path.open("wb"))
            self.files[rtype] = fh
        return self.files[rtype]

    def __call__(self, res: dict[str, Any]) -> None:
        self.raw(res["resourceType"], orjson.dumps(res))

    def raw(self, rtype: str, line: bytes) -> None:
        self._file(rtype).write(line.rstrip(b"\n") + b"\n")
        self.counts[rtype] = self.counts.get(rtype, 0) + 1

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


class SynthResult(dict[str, Any]):
    """Counts of the export: patients, dystonia patients by cause, resources by type."""


def _cc(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


class _Patient:
    def __init__(self, rng: random.Random, pid: str, emit: Callable[[dict[str, Any]], None],
                 birth: dt.date) -> None:
        self.rng, self.pid, self.emit, self.birth = rng, pid, emit, birth
        self.n = 0

    def _id(self, kind: str) -> str:
        self.n += 1
        return f"{self.pid}-{kind}{self.n}"

    def ref(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.pid}"}

    def date(self, d: dt.date, drop: float = 0.0) -> str | None:
        """A date, or None with probability ``drop`` (dates missing in real records)."""
        return None if self.rng.random() < drop else min(d, _TODAY).isoformat()

    def condition(self, system: str, code: str, display: str, when: dt.date | None,
                  site: str | None = None, side: str | None = None, drop: float = 0.0,
                  **extra: Any) -> None:
        res: dict[str, Any] = {"resourceType": "Condition", "id": self._id("c"),
                               "subject": self.ref(), "code": _cc(system, code, display),
                               "clinicalStatus": _cc(
                                   "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                   "active", "Active")}
        onset = self.date(when, drop) if when else None
        if onset:
            res["onsetDateTime"] = onset
        coding = ([{"system": SCT, "code": _SITE[site]}] if site in _SITE else [])
        if side:
            coding.append({"system": SCT, "code": _SIDES[side]})
        if coding:
            res["bodySite"] = [{"coding": coding}]
        res.update(extra)
        self.emit(res)

    def medication(self, code: str, name: str, start: dt.date, stop: dt.date | None = None,
                   drop: float = 0.0) -> None:
        if stop is None and self.rng.random() < 0.5:
            res: dict[str, Any] = {"resourceType": "MedicationRequest", "id": self._id("m"),
                                   "status": "active", "intent": "order",
                                   "subject": self.ref(),
                                   "medicationCodeableConcept": _cc(RXN, code, name)}
            when = self.date(start, drop)
            if when:
                res["authoredOn"] = when
        else:
            res = {"resourceType": "MedicationStatement", "id": self._id("m"),
                   "status": "completed" if stop else "active", "subject": self.ref(),
                   "medicationCodeableConcept": _cc(RXN, code, name)}
            period = {k: v for k, v in (("start", self.date(start, drop)),
                                        ("end", self.date(stop) if stop else None)) if v}
            if period:
                res["effectivePeriod"] = period
        self.emit(res)

    def procedure(self, code: str, display: str, when: dt.date, site: str | None = None
                  ) -> None:
        res: dict[str, Any] = {"resourceType": "Procedure", "id": self._id("p"),
                               "status": "completed", "subject": self.ref(),
                               "code": _cc(SCT, code, display),
                               "performedDateTime": self.date(when)}
        if site in _SITE:
            res["bodySite"] = [{"coding": [{"system": SCT, "code": _SITE[site]}]}]
        self.emit(res)

    def mri(self, when: dt.date, structure: str | None, side: str | None) -> None:
        study = {"resourceType": "ImagingStudy", "id": self._id("is"), "status": "available",
                 "subject": self.ref(), "modality": [{"system": DCM, "code": "MR"}]}
        self.emit(study)
        report: dict[str, Any] = {
            "resourceType": "DiagnosticReport", "id": self._id("dr"), "status": "final",
            "subject": self.ref(), "code": {"text": "MRI brain"},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                      "code": "RAD"}]}],
            "effectiveDateTime": self.date(when),
            "imagingStudy": [{"reference": f"ImagingStudy/{study['id']}"}],
            "conclusionCode": [_cc(SCT, "263654008" if structure else "17621005",
                                   "Abnormal" if structure else "Normal")]}
        if structure:
            obs_id = self._id("o")
            coding = [{"system": STRUCT, "code": structure}]
            if side:
                coding.append({"system": SCT, "code": _SIDES[side]})
            self.emit({"resourceType": "Observation", "id": obs_id, "status": "final",
                       "subject": self.ref(), "code": {"text": "lesion"},
                       "bodySite": {"coding": coding}})
            report["result"] = [{"reference": f"Observation/{obs_id}"}]
        self.emit(report)

    def observation(self, hpo: str, label: str, present: bool = True) -> None:
        self.emit({"resourceType": "Observation", "id": self._id("o"), "status": "final",
                   "subject": self.ref(), "code": _cc(HPO, hpo, label),
                   "valueBoolean": present})


def _days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, hi))


def _dystonia(p: _Patient, cause: str) -> None:
    """The record of one dystonia patient with the given cause (a typical presentation)."""
    rng, birth = p.rng, p.birth
    other = {"left": "right", "right": "left"}
    if cause == "idiopathic":
        onset = birth + _days(rng, 38 * 365, 60 * 365)
        region = rng.choice(["neck", "neck", "upper_face", "jaw"])
        code, label = _DYST_ICD[region]
        p.condition(ICD, code, label, onset, drop=0.15)
        if rng.random() < 0.3:
            p.mri(onset + _days(rng, 30, 200), None, None)
    elif cause == "drug_induced_acute":
        start = birth + _days(rng, 16 * 365, 40 * 365)
        code, name = rng.choice(_DRB_ACUTE)
        p.medication(code, name, start, stop=start + _days(rng, 3, 6))
        p.condition(ICD, "G24.02", "Drug induced acute dystonia", start + _days(rng, 1, 4),
                    site="neck")
    elif cause == "drug_induced_tardive":
        start = birth + _days(rng, 20 * 365, 45 * 365)
        code, name = rng.choice(_DRB_TARDIVE)
        p.medication(code, name, start)
        p.condition(ICD, "G24.0", "Drug induced dystonia", start + _days(rng, 200, 2500),
                    site=rng.choice(["neck", "trunk"]))
    elif cause == "acquired_central_vascular":
        stroke = birth + _days(rng, 45 * 365, 70 * 365)
        side = rng.choice(["left", "right"])
        p.condition(ICD, "I63.9", "Cerebral infarction, unspecified", stroke, side=side)
        onset = stroke + _days(rng, 60, 400)
        p.condition(ICD, "G24.8", "Other dystonia", onset, site="arm", side=other[side])
        p.mri(stroke + _days(rng, 1, 10), rng.choice(["putamen", "thalamus"]), side)
        p.observation("HP:0001269", "Hemiparesis")
    elif cause == "acquired_central_traumatic":
        injury = birth + _days(rng, 15 * 365, 40 * 365)
        side = rng.choice(["left", "right"])
        p.condition(ICD, "S06.2X9A", "Diffuse traumatic brain injury", injury,
                    severity=_cc(SCT, "24484000", "Severe"))
        onset = injury + _days(rng, 120, 700)
        p.condition(ICD, "G24.8", "Other dystonia", onset, site="arm", side=other[side])
        p.mri(injury + _days(rng, 1, 20), "basal_ganglia", side)
    elif cause == "acquired_peripheral_trauma":
        if rng.random() < 0.5:
            injury = birth + _days(rng, 25 * 365, 55 * 365)
            p.condition(ICD, "S13.4XXA", "Sprain of ligaments of cervical spine", injury)
            p.condition(ICD, "G24.3", "Spasmodic torticollis", injury + _days(rng, 2, 90))
        else:
            proc = birth + _days(rng, 30 * 365, 60 * 365)
            p.procedure("274151003", "Extraction of tooth", proc, site=None)
            p.condition(ICD, "G24.4", "Orofacial dystonia", proc + _days(rng, 2, 60))
    elif cause == "acquired_perinatal":
        p.condition(ICD, "P84", "Other problems with newborn", birth)
        onset = birth + _days(rng, 365, 5 * 365)
        for region in ("arm", "leg"):
            p.condition(ICD, "G24.8", "Other dystonia", onset, site=region, side="right")
        p.observation("HP:0001263", "Global developmental delay")
    elif cause == "inherited":
        onset = birth + _days(rng, 6 * 365, 14 * 365)
        for region in ("leg", "arm", "trunk"):
            p.condition(ICD, "G24.1", "Genetic torsion dystonia", onset, site=region)
        p.emit({"resourceType": "FamilyMemberHistory", "id": p._id("f"), "status": "completed",
                "patient": p.ref(), "relationship": {"text": rng.choice(["father", "mother"])},
                "condition": [{"code": _cc(ICD, "G24.1", "Genetic torsion dystonia")}]})
    else:
        raise ValueError(f"unknown cause {cause!r}")


def _noise(p: _Patient, dystonia: bool) -> None:
    """What any record holds besides dystonia; some patients without dystonia take a drug
    that can cause it (and are not dystonia patients for that)."""
    rng = p.rng
    span = max((_TODAY - p.birth).days, 1)

    def when() -> dt.date:
        return p.birth + _days(rng, span // 5, span)

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


def _copy_synthea(src: Path, write: _Writer) -> list[str]:
    """Copy a Synthea export in; returns its patient ids."""
    patients: list[str] = []
    for path in sorted(src.rglob("*")):
        if path.name.endswith((".ndjson", ".ndjson.gz")):
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as fh:
                for line in fh:
                    if line.strip():
                        res = orjson.loads(line)
                        write.raw(str(res.get("resourceType")), line)
                        if res.get("resourceType") == "Patient":
                            patients.append(str(res.get("id")))
        elif path.suffix == ".json":
            bundle = orjson.loads(path.read_bytes())
            for entry in bundle.get("entry", []) if isinstance(bundle, dict) else []:
                res = entry.get("resource") or {}
                if "resourceType" in res:
                    write(res)
                    if res["resourceType"] == "Patient":
                        patients.append(str(res.get("id")))
    return patients


def synthesize(out: Path, patients: int, seed: int, *, dystonia_share: float = 0.05,
               gz: bool = False, synthea: Path | None = None) -> SynthResult:
    """Write a Bulk export of ``patients`` synthetic patients to ``out`` with truth.csv."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    write = _Writer(out, gz)
    by_cause: dict[str, int] = {}
    width = len(str(max(patients, 1)))
    try:
        with (out / "truth.csv").open("w", newline="", encoding="utf-8") as tf:
            truth = csv.writer(tf)
            truth.writerow(["patient_id", "dystonia", "cause"])
            if synthea is not None:
                for pid in _copy_synthea(synthea, write):
                    truth.writerow([pid, "", "synthea"])
            for i in range(patients):
                pid = f"p{seed}-{i:0{width}d}"
                has = rng.random() < dystonia_share
                cause = rng.choices(CAUSES, weights=_MIX)[0] if has else ""
                oldest = _OLDEST[cause] if has else 1
                birth = _TODAY - _days(rng, oldest * 366, (oldest + 25) * 366)
                res: dict[str, Any] = {"resourceType": "Patient", "id": pid,
                                       "gender": rng.choice(["female", "male"])}
                if rng.random() > 0.02:  # a few records have no birth date
                    res["birthDate"] = birth.isoformat()
                write(res)
                p = _Patient(rng, pid, write, birth)
                if has:
                    _dystonia(p, cause)
                    by_cause[cause] = by_cause.get(cause, 0) + 1
                _noise(p, has)
                truth.writerow([pid, "true" if has else "false", cause])
    finally:
        write.close()
    (out / "manifest.json").write_bytes(orjson.dumps({
        "transactionTime": f"{_TODAY.isoformat()}T00:00:00Z", "requiresAccessToken": False,
        "request": f"dystonia-cds synth --patients {patients} --seed {seed}",
        "output": [{"type": t, "url": f"{t}.ndjson" + (".gz" if gz else ""), "count": n}
                   for t, n in sorted(write.counts.items())],
        "error": []}, option=orjson.OPT_INDENT_2))
    return SynthResult(patients=patients, dystonia=sum(by_cause.values()), by_cause=by_cause,
                       resources=dict(sorted(write.counts.items())))
